using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Sidecar.Generators.Model;
using Sidecar.Generators.Parsing;

namespace Sidecar.Generators.Diagnostics
{
    /// <summary>
    /// Reports every Sidecar diagnostic about the user's code, from the same checks the generator's parser makes, at
    /// locations in the user's syntax trees: so <c>#pragma warning disable</c>, <c>[SuppressMessage]</c> and
    /// <c>.editorconfig</c> severities apply, and the IDE shows them while typing whatever its source-generator mode.
    /// The generator reports none of these; it only reports a failure of its own emitter (SIDECAR000).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SidecarAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = DiagnosticDescriptors.All.ToImmutableArray();

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(static start =>
            {
                if (start.Compilation.GetTypeByMetadataName(SidecarParser.AttributeName) is null)
                {
                    return; // Sidecar is not referenced: nothing to check
                }

                var trees = new Lazy<ConcurrentDictionary<string, SyntaxTree>>(() => TreesByPath(start.Compilation));
                start.RegisterSymbolAction(symbol => Analyze(symbol, trees), SymbolKind.NamedType);
            });
        }

        private static void Analyze(SymbolAnalysisContext context, Lazy<ConcurrentDictionary<string, SyntaxTree>> trees)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (type.TypeKind is not (TypeKind.Interface or TypeKind.Class or TypeKind.Struct) || !MayCarryTheAttribute(type))
            {
                return;
            }

            foreach (DiagnosticInfo info in SidecarParser.Check(type, context.Compilation, context.CancellationToken).Distinct())
            {
                context.ReportDiagnostic(info.ToDiagnostic(Locate(info.Location, type, trees)));
            }
        }

        /// <summary>A cheap look at the attributes before the parse: the type's own, then its methods'.</summary>
        private static bool MayCarryTheAttribute(INamedTypeSymbol type)
        {
            if (type.GetAttributes().Any(SidecarParser.IsSidecarAttribute))
            {
                return true;
            }

            foreach (ISymbol member in type.GetMembers())
            {
                if (member is IMethodSymbol method && method.GetAttributes().Any(SidecarParser.IsSidecarAttribute))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The place in the user's syntax tree a diagnostic points at (the parser keeps only a path and a span).</summary>
        private static Location Locate(LocationInfo? location, INamedTypeSymbol type, Lazy<ConcurrentDictionary<string, SyntaxTree>> trees)
        {
            if (location is null)
            {
                return Location.None;
            }

            // Nearly always in one of the type's own declarations; paths need not be unique (trees made in memory).
            foreach (SyntaxReference declaration in type.DeclaringSyntaxReferences)
            {
                if (declaration.SyntaxTree.FilePath == location.FilePath && location.TextSpan.End <= declaration.SyntaxTree.Length)
                {
                    return Location.Create(declaration.SyntaxTree, location.TextSpan);
                }
            }

            return trees.Value.TryGetValue(location.FilePath, out SyntaxTree? tree) && location.TextSpan.End <= tree.Length
                ? Location.Create(tree, location.TextSpan)
                : location.ToLocation();
        }

        private static ConcurrentDictionary<string, SyntaxTree> TreesByPath(Compilation compilation)
        {
            var trees = new ConcurrentDictionary<string, SyntaxTree>(StringComparer.Ordinal);
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                trees.TryAdd(tree.FilePath, tree);
            }

            return trees;
        }
    }
}
