using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Sidecar.Benchmarks.CompileTime
{
    /// <summary>
    /// Two generators that do less than any decorator generator can, to show what part of the Sidecar generator's
    /// incremental run Roslyn and the binding of member signatures take whoever asks. Both find the
    /// <c>[Sidecar]</c> interfaces the same way (<c>ForAttributeWithMetadataName</c>) and emit a one-line source each.
    /// </summary>
    public static class FloorGenerators
    {
        /// <summary>Reads each interface's name only: the cost of <c>ForAttributeWithMetadataName</c> itself.</summary>
        public static IIncrementalGenerator NameOnly { get; } = new NameOnlyGenerator();

        /// <summary>Also binds every member signature and writes its types fully qualified: the least a decorator needs.</summary>
        public static IIncrementalGenerator Signatures { get; } = new SignaturesGenerator();

        private static IncrementalValuesProvider<T> Interfaces<T>(IncrementalGeneratorInitializationContext context, System.Func<INamedTypeSymbol, T> read)
            => context.SyntaxProvider.ForAttributeWithMetadataName(
                "Sidecar.SidecarAttribute",
                static (node, _) => node is InterfaceDeclarationSyntax,
                (ctx, _) => read((INamedTypeSymbol)ctx.TargetSymbol));

        private sealed class NameOnlyGenerator : IIncrementalGenerator
        {
            public void Initialize(IncrementalGeneratorInitializationContext context)
                => context.RegisterSourceOutput(
                    Interfaces(context, static type => type.Name),
                    static (spc, name) => spc.AddSource(name + ".g.cs", "// " + name));
        }

        private sealed class SignaturesGenerator : IIncrementalGenerator
        {
            public void Initialize(IncrementalGeneratorInitializationContext context)
                => context.RegisterSourceOutput(
                    Interfaces(context, static type =>
                    {
                        var text = new StringBuilder(type.Name);
                        foreach (ISymbol member in type.GetMembers())
                        {
                            if (member is IMethodSymbol method)
                            {
                                text.Append(' ').Append(method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                                foreach (IParameterSymbol parameter in method.Parameters)
                                {
                                    text.Append(' ').Append(parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                                }
                            }
                        }

                        return (type.Name, Text: text.ToString());
                    }),
                    static (spc, signatures) => spc.AddSource(signatures.Name + ".g.cs", "// " + signatures.Text));
        }
    }
}
