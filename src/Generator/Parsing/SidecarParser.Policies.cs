using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Sidecar.Generators.Diagnostics;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Parsing
{
    // Which policy a method runs with (the type's, or its own [Sidecar] layered over it) and which method is its fallback.
    internal static partial class SidecarParser
    {
        /// <summary>
        /// Finds the fallback of <paramref name="method"/>: a method called <paramref name="name"/>, written by hand in
        /// the sidecar class, with the method's parameters (optionally followed by an Exception) and its return type.
        /// </summary>
        private static bool FindFallback(IMethodSymbol method, string name, MemberContext context, out string? fallback, out bool takesException)
        {
            fallback = null;
            takesException = false;
            INamedTypeSymbol? exceptionType = context.Compilation.GetTypeByMetadataName("System.Exception");
            IMethodSymbol[] candidates = context.HandWritten?.GetMembers(name).OfType<IMethodSymbol>().ToArray() ?? Array.Empty<IMethodSymbol>();
            foreach (IMethodSymbol candidate in candidates)
            {
                IMethodSymbol c = candidate.Arity > 0 && candidate.Arity == method.Arity
                    ? candidate.Construct(method.TypeParameters.Cast<ITypeSymbol>().ToArray())
                    : candidate;
                int extra = c.Parameters.Length - method.Parameters.Length;
                bool fits = c.Arity == 0 || candidate.Arity == method.Arity;
                fits &= extra == 0 || (extra == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters.Last().Type, exceptionType));
                fits &= SymbolEqualityComparer.Default.Equals(c.ReturnType, method.ReturnType) && c.ReturnsVoid == method.ReturnsVoid;
                for (int i = 0; fits && i < method.Parameters.Length; i++)
                {
                    fits = SymbolEqualityComparer.Default.Equals(c.Parameters[i].Type, method.Parameters[i].Type) && c.Parameters[i].RefKind == method.Parameters[i].RefKind;
                }

                if (fits)
                {
                    fallback = SymbolText.Escape(candidate.Name);
                    takesException = extra == 1;
                    return true;
                }
            }

            string expected = (method.ReturnsVoid ? "void" : method.ReturnType.ToDisplayString(SymbolText.ReadableFormat)) + " " + name
                + SymbolText.TypeParameterList(method.TypeParameters) + "("
                + string.Join(", ", method.Parameters.Select(p => SymbolText.RefKind(p.RefKind) + p.Type.ToDisplayString(SymbolText.ReadableFormat) + " " + p.Name).Concat(new[] { "Exception exception" }))
                + ")";
            string where = context.HandWritten is { TypeKind: TypeKind.Class } type
                ? "class '" + type.Name + "'"
                : "a partial part of the generated class ('partial class " + SidecarName(method.ContainingType.Name) + " { ... }')";
            Location? at = method.Locations.FirstOrDefault(l => l.IsInSource);
            context.Diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.FallbackDoesNotFit,
                at is null ? context.Location : LocationInfo.From(at),
                name,
                method.Name,
                candidates.Length == 0 ? "does not exist" : "has a different signature",
                expected,
                where));
            return false;
        }

        private static PolicyModel? PolicyFor(IMethodSymbol method, PolicyModel? typePolicy, MemberContext context)
        {
            ImmutableAttributes attributes = new(method.GetAttributes());
            if (attributes.Has(PassThroughAttributeName))
            {
                if (attributes.Find(AttributeName) is { } ignored)
                {
                    context.Diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.PassThroughAndSidecar,
                        LocationInfo.From(ignored.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken)),
                        method.ContainingType.Name + "." + method.Name));
                }

                return null;
            }

            AttributeData? own = attributes.Find(AttributeName);
            if (own is null)
            {
                return typePolicy;
            }

            PolicyModel policy = SettingsReader.Read(own, typePolicy ?? PolicyModel.Defaults(context.ServiceName), context.Compilation, context.Diagnostics, out bool ownsBreaker);

            // The knobs this method sets itself: a service-wide run-time override leaves them alone.
            policy = policy with
            {
                OwnKnobs = own.NamedArguments.Select(a => a.Key).Where(SettingsReader.IsOverridable).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToEquatableArray(),
            };
            if (!ownsBreaker)
            {
                return policy;
            }

            // A method that sets its own breaker, bulkhead or retry-budget knobs gets a circuit (and bulkhead, and budget)
            // of its own; overloads are told apart by their parameter types, since each may set different values.
            string circuit = context.ServiceName + "." + method.Name;
            if (context.SharedMethodNames.Contains(method.Name))
            {
                // The same signature from two interfaces (implemented explicitly) is told apart by its interface.
                string signature = method.ToDisplayString(s_overloadFormat);
                circuit = context.ServiceName + "." + (context.SharedSignatures.Contains(signature) ? method.ContainingType.Name + "." : string.Empty) + signature;
            }

            return policy with { CircuitName = circuit };
        }

        private readonly struct ImmutableAttributes
        {
            private readonly System.Collections.Immutable.ImmutableArray<AttributeData> _attributes;

            public ImmutableAttributes(System.Collections.Immutable.ImmutableArray<AttributeData> attributes) => _attributes = attributes;

            public AttributeData? Find(string name)
            {
                int dot = name.LastIndexOf('.');
                string ns = name.Substring(0, dot);
                string simple = name.Substring(dot + 1);
                return _attributes.FirstOrDefault(a => SymbolText.Is(a.AttributeClass, ns, simple));
            }

            public bool Has(string name) => Find(name) is not null;
        }

        private static int IndexOf(PolicyModel policy, MemberContext context)
        {
            int index = context.Policies.IndexOf(policy);
            if (index >= 0)
            {
                return index;
            }

            context.Policies.Add(policy);
            return context.Policies.Count - 1;
        }
    }
}
