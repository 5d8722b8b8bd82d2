using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Sidecar.Generators.Catalogue;
using Sidecar.Generators.Diagnostics;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Parsing
{
    internal static partial class SidecarParser
    {
        /// <summary>What collecting the members of one sidecar reads and builds.</summary>
        private sealed class MemberContext
        {
            public MemberContext(
                Compilation compilation,
                INamedTypeSymbol? handWritten,
                AttributeData? typeAttribute,
                string serviceName,
                LocationInfo? location,
                List<DiagnosticInfo> diagnostics,
                CancellationToken cancellationToken)
            {
                Compilation = compilation;
                HandWritten = handWritten;
                TypeAttribute = typeAttribute;
                ServiceName = serviceName;
                Location = location;
                Diagnostics = diagnostics;
                CancellationToken = cancellationToken;
            }

            public Compilation Compilation { get; }

            /// <summary>The user's class (class form) or the user's partial part of the generated class, if any.</summary>
            public INamedTypeSymbol? HandWritten { get; }

            public AttributeData? TypeAttribute { get; }

            public string ServiceName { get; }

            public LocationInfo? Location { get; }

            public List<DiagnosticInfo> Diagnostics { get; }

            public CancellationToken CancellationToken { get; }

            public List<PolicyModel> Policies { get; } = new();

            public List<MemberModel> Members { get; } = new();

            /// <summary>Synchronous members of interfaces not in source that a Timeout cannot apply to (SIDECAR011, once).</summary>
            public SortedSet<string> UntimedForeignMembers { get; } = new(StringComparer.Ordinal);

            /// <summary>The time knobs those members' policy sets, as SIDECAR011 names them.</summary>
            public string UntimedForeignKnobs { get; set; } = "Timeout";

            public HashSet<string> ReservedNames { get; } = new(StringComparer.Ordinal);

            /// <summary>Signatures already taken by implicit (public) members: a second one must be explicit.</summary>
            public HashSet<string> ImplicitSignatures { get; } = new(StringComparer.Ordinal);

            /// <summary>Names already taken by implicit members, and whether the taker is a method (methods may overload).</summary>
            public Dictionary<string, bool> ImplicitNames { get; } = new(StringComparer.Ordinal);

            /// <summary>Method names that more than one decorated method carries (overloads, across every interface implemented).</summary>
            public HashSet<string> SharedMethodNames { get; } = new(StringComparer.Ordinal);

            /// <summary>Signatures (as circuit names show them) that more than one implemented interface declares.</summary>
            public HashSet<string> SharedSignatures { get; } = new(StringComparer.Ordinal);

            /// <summary>
            /// Each <c>Classify</c> name a policy of the service sets, with where it was first met and whether any member's
            /// result or exceptions fit one of its overloads (SIDECAR021 when none does).
            /// </summary>
            public Dictionary<string, (LocationInfo? At, string Example, string Where, bool Fits)> Classifiers { get; } = new(StringComparer.Ordinal);

            /// <summary>Diagnostics already reported once for the service (by a key of their own), not once per member.</summary>
            public HashSet<string> ReportedOnce { get; } = new(StringComparer.Ordinal);

            /// <summary>Ids of the deprecation warnings (custom [Obsolete] and [Experimental] ids) that forwarding would raise.</summary>
            public SortedSet<string> DeprecationIds { get; } = new(StringComparer.Ordinal);
        }

        /// <summary>
        /// Forwarding a deprecated member is what the user asked for, not a new use: note the ids its deprecation reports
        /// under (CS0612/CS0618 are always silenced; SYSLIB-style ids are specific), so the emitter can silence them.
        /// </summary>
        private static void NoteDeprecations(ISymbol? symbol, MemberContext context)
        {
            switch (symbol)
            {
                case null:
                    return;
                case IArrayTypeSymbol array:
                    NoteDeprecations(array.ElementType, context);
                    return;
                case IPointerTypeSymbol pointer:
                    NoteDeprecations(pointer.PointedAtType, context);
                    return;
                case INamedTypeSymbol named:
                    foreach (ITypeSymbol argument in named.TypeArguments)
                    {
                        NoteDeprecations(argument, context);
                    }

                    NoteDeprecations(named.ContainingType, context);
                    break;
            }

            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                INamedTypeSymbol? attributeClass = attribute.AttributeClass;
                string? id = SymbolText.Is(attributeClass, "System", "ObsoleteAttribute")
                    ? attribute.NamedArguments.FirstOrDefault(a => a.Key == "DiagnosticId").Value.Value as string
                    : SymbolText.Is(attributeClass, "System.Diagnostics.CodeAnalysis", "ExperimentalAttribute")
                        ? attribute.ConstructorArguments.FirstOrDefault().Value as string
                        : null;
                if (!string.IsNullOrWhiteSpace(id) && id!.All(c => char.IsLetterOrDigit(c) || c == '_'))
                {
                    context.DeprecationIds.Add(id!);
                }
            }
        }

        private static bool CollectMembers(IReadOnlyList<(INamedTypeSymbol Interface, int Inner)> roots, MemberContext context)
        {
            var deferredRefinements = new List<(KnobId[] Needs, DiagnosticInfo Diagnostic)>();
            PolicyModel? typePolicy = context.TypeAttribute is null
                ? null
                : SettingsReader.Read(context.TypeAttribute, PolicyModel.Defaults(context.ServiceName), context.Compilation, context.Diagnostics, out _, deferredRefinements);

            // Every interface to implement, with the inner instance that serves it; the annotated/listed ones first.
            var interfaces = new List<(INamedTypeSymbol Interface, int Inner, bool IsRoot)>();
            var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            foreach ((INamedTypeSymbol root, int inner) in roots)
            {
                if (seen.Add(root))
                {
                    interfaces.Add((root, inner, true));
                }
            }

            foreach ((INamedTypeSymbol root, int inner) in roots)
            {
                foreach (INamedTypeSymbol baseInterface in root.AllInterfaces)
                {
                    if (seen.Add(baseInterface))
                    {
                        interfaces.Add((baseInterface, inner, false));
                    }
                }
            }

            if (!CheckImplementable(interfaces.Select(i => i.Interface), context))
            {
                return false;
            }

            foreach (IGrouping<string, IMethodSymbol> name in interfaces
                .SelectMany(i => i.Interface.GetMembers().OfType<IMethodSymbol>())
                .Where(m => m.MethodKind == MethodKind.Ordinary && !m.IsStatic)
                .GroupBy(m => m.Name, StringComparer.Ordinal))
            {
                if (name.Skip(1).Any())
                {
                    context.SharedMethodNames.Add(name.Key);
                    foreach (IGrouping<string, IMethodSymbol> signature in name.GroupBy(m => m.ToDisplayString(s_overloadFormat), StringComparer.Ordinal))
                    {
                        if (signature.Skip(1).Any())
                        {
                            context.SharedSignatures.Add(signature.Key);
                        }
                    }
                }
            }

            // Public members inherited from base classes (object, at least) must not be hidden by implicit members.
            INamedTypeSymbol? baseType = context.HandWritten?.BaseType ?? context.Compilation.GetSpecialType(SpecialType.System_Object);
            for (; baseType is not null; baseType = baseType.BaseType)
            {
                foreach (ISymbol member in baseType.GetMembers())
                {
                    if (member.DeclaredAccessibility is Accessibility.Private or Accessibility.Internal || member.IsImplicitlyDeclared)
                    {
                        continue;
                    }

                    if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } inherited)
                    {
                        context.ImplicitSignatures.Add(SignatureKey(inherited.Name, inherited.Arity, inherited.Parameters));
                        context.ImplicitNames[member.Name] = true;
                    }
                    else if (member is IPropertySymbol or IEventSymbol or IFieldSymbol)
                    {
                        context.ImplicitNames[member.Name] = false;
                    }
                }
            }

            if (context.HandWritten is not null)
            {
                foreach (ISymbol member in context.HandWritten.GetMembers())
                {
                    if (member.IsImplicitlyDeclared || IsGeneratedHere(member))
                    {
                        continue;
                    }

                    context.ReservedNames.Add(member.Name);
                    if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                    {
                        context.ImplicitSignatures.Add(SignatureKey(method.Name, method.Arity, method.Parameters));
                        context.ImplicitNames[member.Name] = true;
                    }
                    else if (member is IPropertySymbol or IEventSymbol or IFieldSymbol)
                    {
                        context.ImplicitNames[member.Name] = false;
                    }
                }
            }

            foreach ((INamedTypeSymbol iface, int inner, bool isRoot) in interfaces)
            {
                NoteDeprecations(iface, context);
                (int Inner, TypeRef? Via) target = (inner, isRoot ? null : SymbolText.Written(iface));
                foreach (ISymbol member in iface.GetMembers())
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    context.ReservedNames.Add(member.Name);
                    if (member.IsStatic || !(member.IsAbstract || member.IsVirtual) || IsImplementedByHand(member, context))
                    {
                        continue;
                    }

                    MemberModel? model = member switch
                    {
                        IMethodSymbol { MethodKind: MethodKind.Ordinary, ExplicitInterfaceImplementations.Length: 0 } method
                            => Method(method, target, typePolicy, context),
                        IPropertySymbol { ExplicitInterfaceImplementations.Length: 0 } property
                            => Property(property, target, context),
                        IEventSymbol { ExplicitInterfaceImplementations.Length: 0 } @event
                            => Event(@event, target, context),
                        _ => null,
                    };
                    if (model is not null && IsIncomplete(member))
                    {
                        // The user's code does not compile yet (a type is missing or half-typed): the compiler reports
                        // that; a sidecar now would only repeat the errors in generated code.
                        return false;
                    }

                    if (model is not null)
                    {
                        context.Members.Add(model);
                        NoteDeprecations(member, context);
                        foreach (ITypeSymbol type in Signature(member))
                        {
                            NoteDeprecations(type, context);
                        }
                    }
                }
            }

            if (context.UntimedForeignMembers.Count > 0)
            {
                context.Diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.TimeoutOnSynchronousMember,
                    context.Location,
                    context.UntimedForeignKnobs,
                    "the synchronous members " + string.Join(", ", context.UntimedForeignMembers),
                    "they run without a timeout. Write them by hand in the partial class to forward them as you choose, or suppress SIDECAR011 here with [SuppressMessage(\"Sidecar\", \"SIDECAR011\")]"));
            }

            ReportUnfitClassifiers(context);

            // A type-level knob that refines a feature is fine as long as one method switches that feature on.
            foreach ((KnobId[] needs, DiagnosticInfo diagnostic) in deferredRefinements)
            {
                if (!context.Policies.Any(p => p.Values.AnyOn(needs)))
                {
                    context.Diagnostics.Add(diagnostic);
                }
            }

            return true;
        }

        private static bool CheckImplementable(IEnumerable<INamedTypeSymbol> interfaces, MemberContext context)
        {
            bool ok = true;
            foreach (INamedTypeSymbol iface in interfaces)
            {
                foreach (ISymbol member in iface.GetMembers())
                {
                    if (member.IsStatic && member.IsAbstract)
                    {
                        string name = member is IMethodSymbol { AssociatedSymbol: { } property } ? property.Name : member.Name;
                        context.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StaticAbstractMember, context.Location, iface.ToDisplayString(SymbolText.ReadableFormat), name));
                        return false;
                    }

                    if (member.IsStatic || !member.IsAbstract)
                    {
                        continue;
                    }

                    if (!context.Compilation.IsSymbolAccessibleWithin(member, context.Compilation.Assembly))
                    {
                        context.Diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.CannotImplement,
                            context.Location,
                            iface.ToDisplayString(SymbolText.ReadableFormat),
                            "its member '" + member.Name + "' is not accessible from this assembly, so no class here can implement it"));
                        return false;
                    }

                    if (ok && !context.Compilation.Options.AllowUnsafe() && Signature(member).Any(SymbolText.UsesPointers))
                    {
                        context.Diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.CannotImplement,
                            context.Location,
                            iface.ToDisplayString(SymbolText.ReadableFormat),
                            "its member '" + member.Name + "' uses pointer types; set <AllowUnsafeBlocks>true</AllowUnsafeBlocks> in the project file"));
                        ok = false;
                    }
                }
            }

            return ok;
        }

        private static IEnumerable<ITypeSymbol> Signature(ISymbol member) => member switch
        {
            IMethodSymbol method => method.Parameters.Select(p => p.Type).Concat(new[] { method.ReturnType }),
            IPropertySymbol property => property.Parameters.Select(p => p.Type).Concat(new[] { property.Type }),
            IEventSymbol @event => new[] { @event.Type },
            _ => Array.Empty<ITypeSymbol>(),
        };

        /// <summary>Whether the member is still being typed: a type that does not resolve, or a name not written yet.</summary>
        private static bool IsIncomplete(ISymbol member)
        {
            IEnumerable<ITypeSymbol> constraints = member is IMethodSymbol method ? method.TypeParameters.SelectMany(t => t.ConstraintTypes) : Enumerable.Empty<ITypeSymbol>();
            IEnumerable<IParameterSymbol> parameters = member switch
            {
                IMethodSymbol m => m.Parameters,
                IPropertySymbol p => p.Parameters,
                _ => Enumerable.Empty<IParameterSymbol>(),
            };
            return string.IsNullOrEmpty(member.Name)
                || (member is IMethodSymbol generic && generic.TypeParameters.Any(t => string.IsNullOrEmpty(t.Name)))
                || member is IPropertySymbol { IsIndexer: true, Parameters.Length: 0 } or IPropertySymbol { GetMethod: null, SetMethod: null }
                || parameters.Any(p => string.IsNullOrEmpty(p.Name))
                || Signature(member).Concat(constraints).Any(SymbolText.HasErrors);
        }

        private static bool AllowUnsafe(this CompilationOptions options) => options is Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions { AllowUnsafe: true };

        private static bool IsImplementedByHand(ISymbol member, MemberContext context)
        {
            if (context.HandWritten is null)
            {
                return false;
            }

            ISymbol? implementation = context.HandWritten.FindImplementationForInterfaceMember(member);
            return implementation is not null && implementation.ContainingType.TypeKind != TypeKind.Interface && !IsGeneratedHere(implementation);
        }

        /// <summary>
        /// Whether <paramref name="symbol"/> was written by this generator (the analyzer sees the compilation with the
        /// generated sources; what they declare is not the user's hand-written code).
        /// </summary>
        internal static bool IsGeneratedHere(ISymbol symbol)
            => symbol.DeclaringSyntaxReferences.Length > 0
               && symbol.DeclaringSyntaxReferences.All(r => IsGeneratedHere(r.SyntaxTree));

        /// <summary>Whether <paramref name="tree"/> is one of this generator's outputs (its path names the generator).</summary>
        internal static bool IsGeneratedHere(SyntaxTree tree)
            => tree.FilePath.IndexOf(s_generatedPathMarker, StringComparison.Ordinal) >= 0;

        /// <summary>The folder the compiler puts this generator's sources in is named after the generator's type.</summary>
        private static readonly string s_generatedPathMarker = typeof(SidecarGenerator).FullName!;
    }
}
