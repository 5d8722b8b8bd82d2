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

            public HashSet<string> ReservedNames { get; } = new(StringComparer.Ordinal);

            /// <summary>Signatures already taken by implicit (public) members: a second one must be explicit.</summary>
            public HashSet<string> ImplicitSignatures { get; } = new(StringComparer.Ordinal);

            /// <summary>Names already taken by implicit members, and whether the taker is a method (methods may overload).</summary>
            public Dictionary<string, bool> ImplicitNames { get; } = new(StringComparer.Ordinal);

            /// <summary>Method names that more than one decorated method carries (overloads, across every interface implemented).</summary>
            public HashSet<string> SharedMethodNames { get; } = new(StringComparer.Ordinal);

            /// <summary>Signatures (as circuit names show them) that more than one implemented interface declares.</summary>
            public HashSet<string> SharedSignatures { get; } = new(StringComparer.Ordinal);

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
                (int Inner, string? Via) target = (inner, isRoot ? null : SymbolText.Type(iface));
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
                    "the synchronous members " + string.Join(", ", context.UntimedForeignMembers),
                    "they run without a timeout. Write them by hand in the partial class to forward them as you choose, or suppress SIDECAR011 here with [SuppressMessage(\"Sidecar\", \"SIDECAR011\")]"));
            }

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
            => tree.FilePath.IndexOf(GeneratedPathMarker, StringComparison.Ordinal) >= 0;

        /// <summary>The folder the compiler puts this generator's sources in is named after the generator's type.</summary>
        private static readonly string GeneratedPathMarker = typeof(SidecarGenerator).FullName!;

        private static MemberModel Method(IMethodSymbol method, (int Inner, string? Via) target, PolicyModel? typePolicy, MemberContext context)
        {
            string key = SignatureKey(method.Name, method.Arity, method.Parameters);
            bool isExplicit = method.DeclaredAccessibility != Accessibility.Public
                || (context.ImplicitNames.TryGetValue(method.Name, out bool isMethod) && !isMethod)
                || !context.ImplicitSignatures.Add(key);
            if (!isExplicit)
            {
                context.ImplicitNames[method.Name] = true;
            }

            ReturnKind returnKind = ReturnKindOf(method, out ITypeSymbol? resultType);
            PolicyModel? policy = PolicyFor(method, typePolicy, context);
            string? reason = policy is null ? null : WhyNotRetried(method, returnKind);
            if (reason is not null)
            {
                Location? at = method.Locations.FirstOrDefault(l => l.IsInSource);
                context.Diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ForwardedWithoutResilience,
                    at is null ? context.Location : LocationInfo.From(at),
                    method.ContainingType.Name + "." + method.Name,
                    reason));
                policy = null;
            }

            if (policy is { Timeout: > 0 } && returnKind is ReturnKind.Void or ReturnKind.Value)
            {
                Location? at = method.Locations.FirstOrDefault(l => l.IsInSource);
                if (at is null)
                {
                    // Someone else's interface: its members cannot be changed or annotated; said once for all of them.
                    context.UntimedForeignMembers.Add(method.ContainingType.ToDisplayString(SymbolText.ReadableFormat) + "." + method.Name);
                }
                else
                {
                    context.Diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.TimeoutOnSynchronousMember,
                        LocationInfo.From(at),
                        "'" + method.ContainingType.Name + "." + method.Name + "'",
                        "return a Task or ValueTask (ideally taking a CancellationToken), or set Timeout on the asynchronous members only"));
                }
            }

            string? fallback = null;
            bool fallbackTakesException = false;
            if (policy?.Fallback is { } fallbackName && !FindFallback(method, fallbackName, context, out fallback, out fallbackTakesException))
            {
                // Reported (SIDECAR012); the member is still decorated, without a fallback.
                policy = policy with { Fallback = null };
            }

            string? cancellationToken = method.Parameters
                .FirstOrDefault(p => p.RefKind == RefKind.None && SymbolText.Is(p.Type, "System.Threading", "CancellationToken"))
                ?.Name;
            if (policy is not null && cancellationToken is null && SettingsReader.TotalDelay(policy) >= SettingsReader.LongSchedule)
            {
                Location? at = method.Locations.FirstOrDefault(l => l.IsInSource);
                context.Diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.LongScheduleWithoutCancellation,
                    at is null ? context.Location : LocationInfo.From(at),
                    method.ContainingType.Name + "." + method.Name,
                    SettingsReader.Describe(SettingsReader.TotalDelay(policy))));
            }

            return new MemberModel(
                MemberKind.Method,
                Name: SymbolText.Escape(method.Name),
                DisplayName: method.Name,
                ExplicitInterface: isExplicit ? SymbolText.Type(method.ContainingType) : null,
                Inner: target.Inner,
                Via: target.Via,
                Type: method.ReturnsVoid ? "void" : SymbolText.Type(method.ReturnType),
                ReturnRefKind: method.ReturnsByRefReadonly ? "ref readonly " : method.ReturnsByRef ? "ref " : string.Empty,
                ReturnKind: returnKind,
                ResultType: resultType is null ? null : SymbolText.Type(resultType),
                Parameters: Parameters(method.Parameters, isExplicit, context.Compilation),
                TypeParameters: SymbolText.TypeParameterList(method.TypeParameters),
                Constraints: (isExplicit ? SymbolText.ExplicitConstraints(method) : SymbolText.Constraints(method.TypeParameters)).ToEquatableArray(),
                HelperConstraints: SymbolText.Constraints(method.TypeParameters).ToEquatableArray(),
                ReturnAttributes: SymbolText.CopiedAttributes(method.GetReturnTypeAttributes(), context.Compilation, "return: "),
                HasGetter: false,
                HasSetter: false,
                IsInitOnly: false,
                PolicyIndex: policy is null ? -1 : IndexOf(policy, context),
                CancellationToken: cancellationToken is null ? null : SymbolText.Escape(cancellationToken),
                IsUnsafe: Signature(method).Any(SymbolText.UsesPointers),
                Fallback: fallback,
                FallbackTakesException: fallbackTakesException);
        }

        private static MemberModel Property(IPropertySymbol property, (int Inner, string? Via) target, MemberContext context)
        {
            bool isExplicit;
            if (property.IsIndexer)
            {
                isExplicit = property.DeclaredAccessibility != Accessibility.Public
                    || !context.ImplicitSignatures.Add(SignatureKey("this[]", 0, property.Parameters));
            }
            else
            {
                isExplicit = property.DeclaredAccessibility != Accessibility.Public || context.ImplicitNames.ContainsKey(property.Name);
                if (!isExplicit)
                {
                    context.ImplicitNames[property.Name] = false;
                }
            }

            return new MemberModel(
                property.IsIndexer ? MemberKind.Indexer : MemberKind.Property,
                Name: property.IsIndexer ? "this" : SymbolText.Escape(property.Name),
                DisplayName: property.Name,
                ExplicitInterface: isExplicit ? SymbolText.Type(property.ContainingType) : null,
                Inner: target.Inner,
                Via: target.Via,
                Type: SymbolText.Type(property.Type),
                ReturnRefKind: property.ReturnsByRefReadonly ? "ref readonly " : property.ReturnsByRef ? "ref " : string.Empty,
                ReturnKind: ReturnKind.Value,
                ResultType: null,
                Parameters: Parameters(property.Parameters, isExplicit, context.Compilation),
                TypeParameters: string.Empty,
                Constraints: EquatableArray<string>.Empty,
                HelperConstraints: EquatableArray<string>.Empty,
                // The compiler checks a property's nullability through attributes on the property itself, so the ones
                // a reference assembly keeps on the accessors move up to the property.
                ReturnAttributes: SymbolText.CopiedAttributes(
                    property.GetAttributes()
                        .Concat(property.GetMethod?.GetReturnTypeAttributes() ?? Enumerable.Empty<AttributeData>())
                        .Concat(property.SetMethod?.Parameters.Last().GetAttributes() ?? Enumerable.Empty<AttributeData>())
                        .GroupBy(a => a.AttributeClass?.Name)
                        .Select(g => g.First()),
                    context.Compilation),
                HasGetter: property.GetMethod is { } getter && (getter.IsAbstract || getter.IsVirtual),
                HasSetter: property.SetMethod is { } setter && (setter.IsAbstract || setter.IsVirtual),
                IsInitOnly: property.SetMethod?.IsInitOnly == true,
                PolicyIndex: -1,
                CancellationToken: null,
                IsUnsafe: Signature(property).Any(SymbolText.UsesPointers),
                Fallback: null,
                FallbackTakesException: false);
        }

        private static MemberModel Event(IEventSymbol @event, (int Inner, string? Via) target, MemberContext context)
        {
            bool isExplicit = @event.DeclaredAccessibility != Accessibility.Public || context.ImplicitNames.ContainsKey(@event.Name);
            if (!isExplicit)
            {
                context.ImplicitNames[@event.Name] = false;
            }

            return new MemberModel(
                MemberKind.Event,
                Name: SymbolText.Escape(@event.Name),
                DisplayName: @event.Name,
                ExplicitInterface: isExplicit ? SymbolText.Type(@event.ContainingType) : null,
                Inner: target.Inner,
                Via: target.Via,
                Type: SymbolText.Type(@event.Type),
                ReturnRefKind: string.Empty,
                ReturnKind: ReturnKind.Void,
                ResultType: null,
                Parameters: EquatableArray<ParameterModel>.Empty,
                TypeParameters: string.Empty,
                Constraints: EquatableArray<string>.Empty,
                HelperConstraints: EquatableArray<string>.Empty,
                ReturnAttributes: string.Empty,
                HasGetter: false,
                HasSetter: false,
                IsInitOnly: false,
                PolicyIndex: -1,
                CancellationToken: null,
                IsUnsafe: SymbolText.UsesPointers(@event.Type),
                Fallback: null,
                FallbackTakesException: false);
        }

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

        private static EquatableArray<ParameterModel> Parameters(IEnumerable<IParameterSymbol> parameters, bool isExplicit, Compilation compilation)
            => parameters.Select(p => new ParameterModel(
                    Name: SymbolText.Escape(p.Name),
                    Type: SymbolText.Type(p.Type),
                    RefKind: SymbolText.RefKind(p.RefKind),
                    IsParams: p.IsParams,
                    // An explicit implementation cannot be called with optional arguments (CS1066): defaults would only warn.
                    DefaultValue: isExplicit ? null : SymbolText.DefaultValue(p),
                    Attributes: SymbolText.CopiedAttributes(p.GetAttributes(), compilation),
                    IsScoped: p.ScopedKind != ScopedKind.None && p.RefKind != RefKind.Out))
                .ToEquatableArray();

        // Name<T>(ref int, global::Ns.Id): what tells overloads apart, readable in telemetry.
        private static readonly SymbolDisplayFormat s_overloadFormat = new(
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
            genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
            memberOptions: SymbolDisplayMemberOptions.IncludeParameters,
            parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeParamsRefOut,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

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

        private static ReturnKind ReturnKindOf(IMethodSymbol method, out ITypeSymbol? resultType)
        {
            resultType = null;
            if (method.ReturnsVoid)
            {
                return ReturnKind.Void;
            }

            if (method.ReturnsByRef || method.ReturnsByRefReadonly
                || method.ReturnType is not INamedTypeSymbol named
                || !SymbolText.InNamespace(named.ContainingNamespace, "System.Threading.Tasks"))
            {
                return ReturnKind.Value;
            }

            switch (named.Name, named.Arity)
            {
                case ("Task", 0):
                    return ReturnKind.Task;
                case ("ValueTask", 0):
                    return ReturnKind.ValueTask;
                case ("Task", 1):
                    resultType = named.TypeArguments[0];
                    return ReturnKind.TaskOfT;
                case ("ValueTask", 1):
                    resultType = named.TypeArguments[0];
                    return ReturnKind.ValueTaskOfT;
                default:
                    return ReturnKind.Value;
            }
        }

        /// <summary>Why a method is forwarded untouched although a policy applies, or null when it can be retried.</summary>
        private static string? WhyNotRetried(IMethodSymbol method, ReturnKind returnKind)
        {
            if (method.ReturnsByRef || method.ReturnsByRefReadonly)
            {
                return "it returns by reference, and a reference cannot be held across a retry";
            }

            if (method.ReturnType.IsRefLikeType)
            {
                return "it returns a ref struct ('" + method.ReturnType.Name + "'), which cannot be held across a retry";
            }

            if (method.ReturnType is INamedTypeSymbol { Name: "IAsyncEnumerable", Arity: 1 } stream
                && SymbolText.InNamespace(stream.ContainingNamespace, "System.Collections.Generic"))
            {
                return "it returns IAsyncEnumerable<T>, whose items arrive after the call returns, so a failure mid-stream cannot be retried";
            }

            bool isAsync = returnKind is ReturnKind.Task or ReturnKind.TaskOfT or ReturnKind.ValueTask or ReturnKind.ValueTaskOfT;
            if (isAsync && method.Parameters.Any(p => p.RefKind != RefKind.None || p.Type.IsRefLikeType || SymbolText.UsesPointers(p.Type)))
            {
                return "it returns a task and takes ref, out or in parameters, ref structs or pointers, which an asynchronous retry loop cannot hold";
            }

            return null;
        }

        /// <summary>Name, arity and parameter types: two members with the same key cannot both be implicit.</summary>
        private static string SignatureKey(string name, int arity, IEnumerable<IParameterSymbol> parameters)
            => name + "`" + arity + "(" + string.Join(",", parameters.Select(p => (p.RefKind == RefKind.None ? string.Empty : "&") + ParameterTypeKey(p.Type))) + ")";

        private static string ParameterTypeKey(ITypeSymbol type)
            => type is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } tp
                ? "!!" + tp.Ordinal
                : type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
    }
}
