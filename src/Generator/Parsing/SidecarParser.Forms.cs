using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sidecar.Generators.Diagnostics;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Parsing
{
    // The two forms: [Sidecar] on an interface (the class is generated whole) and on a partial class that lists interfaces.
    internal static partial class SidecarParser
    {
        private static ServiceModel? ParseInterface(
            INamedTypeSymbol iface,
            AttributeData? attribute,
            Compilation compilation,
            SyntaxNode node,
            List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken)
        {
            LocationInfo? location = LocationInfo.From(FirstLine(node));
            if (!CheckLanguageVersion(node, location, diagnostics))
            {
                return null;
            }

            if (FileLocal(iface) is { } fileLocal)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.CannotImplement, location, iface.Name, "'" + fileLocal.Name + "' is a file-local type, so the generated file cannot see it; remove 'file'"));
                return null;
            }

            Accessibility accessibility = Accessibility.Public;
            for (INamedTypeSymbol? t = iface; t is not null; t = t.ContainingType)
            {
                switch (t.DeclaredAccessibility)
                {
                    case Accessibility.Public:
                        break;
                    case Accessibility.Internal:
                        accessibility = Accessibility.Internal;
                        break;
                    default:
                        diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.CannotImplement,
                            location,
                            iface.Name,
                            "it is " + SyntaxFacts.GetText(t.DeclaredAccessibility) + ", so a class beside it cannot see it; make it public or internal"));
                        return null;
                }

            }

            // Nested in a generic type, the interface's name needs the type's type parameters: the sidecar is generated
            // inside the same (partial) types. Otherwise it stands in the namespace, beside the outermost type.
            bool nestInside = false;
            for (INamedTypeSymbol? outer = iface.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                nestInside |= outer.IsGenericType;
            }

            List<ContainingTypeModel>? containing = nestInside ? ContainingTypes(iface, location, diagnostics, cancellationToken) : new();
            if (containing is null)
            {
                return null;
            }

            if (iface.AllInterfaces.Any(SymbolText.HasErrors) || iface.TypeParameters.SelectMany(t => t.ConstraintTypes).Any(SymbolText.HasErrors))
            {
                return null; // a base interface or a constraint is still being typed: the compiler reports it
            }

            string? ns = iface.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
            string className = SidecarName(iface.Name);
            string outerNames = nestInside ? OuterMetadataName(iface.ContainingType!) + "+" : string.Empty;
            string metadataName = (ns is null ? string.Empty : ns + ".") + outerNames + className + (iface.Arity > 0 ? "`" + iface.Arity : string.Empty);

            // A partial class of that name written by the user extends the generated one (e.g. with fallback methods).
            INamedTypeSymbol? existing = compilation.Assembly.GetTypeByMetadataName(metadataName);
            if (existing is not null && !IsPartialClass(existing, cancellationToken))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameCollision, location, iface.Name, className));
                return null;
            }

            string serviceName = iface.ToDisplayString(SymbolText.ReadableFormat);
            TypeRef ifaceType = SymbolText.Reference(iface);
            var inners = new[] { new InnerModel(ifaceType, "inner", IsDisposable(iface), className) };
            var roots = new[] { (Interface: iface, Inner: 0) };
            var context = new MemberContext(compilation, existing, attribute, serviceName, location, diagnostics, cancellationToken);
            if (!CollectMembers(roots, context))
            {
                return null;
            }

            var reserved = new HashSet<string>(context.ReservedNames, StringComparer.Ordinal) { className };
            foreach (ITypeParameterSymbol tp in iface.TypeParameters)
            {
                reserved.Add(tp.Name);
            }

            for (INamedTypeSymbol? outer = nestInside ? iface.ContainingType : null; outer is not null; outer = outer.ContainingType)
            {
                reserved.Add(outer.Name);
                foreach (ITypeParameterSymbol tp in outer.TypeParameters)
                {
                    reserved.Add(tp.Name); // in scope in the nested class too
                }
            }

            return new ServiceModel(
                HintName: metadataName.Replace('+', '.'),
                Namespace: ns,
                ContainingTypes: containing.ToEquatableArray(),
                ClassName: className,
                ClassKind: DeclarationKind.Class,
                TypeParameters: SymbolText.Names(iface.TypeParameters),
                Constraints: SymbolText.Constraints(iface.TypeParameters).ToEquatableArray(),
                Accessibility: accessibility,
                IsClassForm: false,
                ServiceName: serviceName,
                ServiceAliases: EquatableArray<string>.Empty,
                Inners: inners.ToEquatableArray(),
                Policies: context.Policies.ToEquatableArray(),
                Members: context.Members.ToEquatableArray(),
                ReservedNames: reserved.OrderBy(r => r, StringComparer.Ordinal).ToEquatableArray(),
                SuppressedWarnings: context.DeprecationIds.ToEquatableArray());
        }

        private static ServiceModel? ParseClass(
            INamedTypeSymbol type,
            AttributeData attribute,
            Compilation compilation,
            SyntaxNode node,
            List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken)
        {
            LocationInfo? location = LocationInfo.From(FirstLine(node));
            if (!CheckLanguageVersion(node, location, diagnostics))
            {
                return null;
            }

            // Before "make it partial": that advice would lead a class that implements the interface itself into a
            // sidecar that wraps itself (and a circular dependency in DI).
            if (ImplementedByTheClassItself(type) is { } service)
            {
                string name = service.ToDisplayString(SymbolText.ReadableFormat);
                string separate = "declare a separate one instead, e.g. '[Sidecar] public partial class Resilient" + SidecarName(service.Name).Replace("Sidecar", string.Empty) + " : " + name + " { }', and register it around " + type.Name;
                string advice = service.Locations.Any(l => l.IsInSource)
                    ? "put [Sidecar] on " + name + " (it generates " + SidecarName(service.Name) + "), or " + separate
                    : separate;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ImplementationIsNotASidecar, location, type.Name, name, advice));
                return null;
            }

            if (!IsPartialClass(type, cancellationToken))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, location, type.Name));
                return null;
            }

            if (FileLocal(type) is { } fileClass)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.CannotImplement, location, type.Name, "'" + fileClass.Name + "' is a file-local type, and the generated part of the class is in a file of its own; remove 'file'"));
                return null;
            }

            if (type.Interfaces.FirstOrDefault(i => FileLocal(i) is not null) is { } hiddenInterface)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.CannotImplement, location, type.Name, "it lists '" + hiddenInterface.Name + "', a file-local type the generated file cannot see; remove 'file' from it"));
                return null;
            }

            if (type.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotImplement, location, type.Name, "a static class cannot implement interfaces; remove 'static'"));
                return null;
            }

            if (type.InstanceConstructors.Any(c => c.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax)))
            {
                // Every other constructor would have to call the primary one, and the sidecar's cannot (CS8862).
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotImplement, location, type.Name, "it has a primary constructor, and the sidecar writes its own constructor (the inner instances, then SidecarOptions); remove the parameter list after the class name"));
                return null;
            }

            List<ContainingTypeModel>? containing = ContainingTypes(type, location, diagnostics, cancellationToken);
            if (containing is null)
            {
                return null;
            }

            if (type.Interfaces.Any(SymbolText.HasErrors))
            {
                return null; // a base type is still being typed: the compiler reports it
            }

            INamedTypeSymbol[] listed = type.Interfaces.Where(i => i.TypeKind == TypeKind.Interface).ToArray();
            if (listed.Length == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassHasNoInterface, location, type.Name));
                return null;
            }

            // One inner instance per listed interface that no other listed interface already includes.
            INamedTypeSymbol[] roots = listed
                .Where(i => !listed.Any(other => !SymbolEqualityComparer.Default.Equals(other, i) && other.AllInterfaces.Contains(i, SymbolEqualityComparer.Default)))
                .Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default)
                .ToArray();
            var inners = new List<InnerModel>();
            var fieldOf = new List<(INamedTypeSymbol Interface, int Inner)>();
            foreach (INamedTypeSymbol root in roots)
            {
                string suffix = roots.Length == 1 ? string.Empty : SidecarName(root.Name).Replace("Sidecar", string.Empty);
                string parameter = roots.Length == 1 ? "inner" : char.ToLowerInvariant(suffix[0]) + suffix.Substring(1);
                fieldOf.Add((root, inners.Count));
                inners.Add(new InnerModel(SymbolText.Reference(root), SymbolText.Escape(parameter), IsDisposable(root), SidecarName(root.Name)));
            }

            string serviceName = type.ToDisplayString(SymbolText.ReadableFormat);
            var context = new MemberContext(compilation, type, attribute, serviceName, location, diagnostics, cancellationToken);
            if (!CollectMembers(fieldOf, context))
            {
                return null;
            }

            var reserved = new HashSet<string>(context.ReservedNames, StringComparer.Ordinal) { type.Name };
            foreach (ITypeParameterSymbol tp in type.TypeParameters)
            {
                reserved.Add(tp.Name);
            }

            string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
            string hint = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None).WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted))
                + (type.Arity > 0 ? "`" + type.Arity : string.Empty);
            return new ServiceModel(
                HintName: hint,
                Namespace: ns,
                ContainingTypes: containing.ToEquatableArray(),
                ClassName: SymbolText.Escape(type.Name),
                ClassKind: type.IsRecord ? DeclarationKind.Record : DeclarationKind.Class,
                TypeParameters: SymbolText.Names(type.TypeParameters),
                Constraints: SymbolText.Constraints(type.TypeParameters).ToEquatableArray(),
                // What the class form's DI extension may be: no more visible than the class and the interfaces it names.
                Accessibility: IsEffectivelyPublic(type) && roots.All(IsEffectivelyPublic) ? Accessibility.Public : Accessibility.Internal,
                IsClassForm: true,
                ServiceName: serviceName,
                ServiceAliases: listed.Select(i => i.ToDisplayString(SymbolText.ReadableFormat)).Distinct(StringComparer.Ordinal).ToEquatableArray(),
                Inners: inners.ToEquatableArray(),
                Policies: context.Policies.ToEquatableArray(),
                Members: context.Members.ToEquatableArray(),
                ReservedNames: reserved.OrderBy(r => r, StringComparer.Ordinal).ToEquatableArray(),
                SuppressedWarnings: context.DeprecationIds.ToEquatableArray());
        }

        private static bool IsEffectivelyPublic(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.DeclaredAccessibility != Accessibility.Public)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// The interface <paramref name="type"/> lists and implements every member of by hand, when it does so for every
        /// interface it lists: then it is the service itself, not a decorator of it. <c>null</c> otherwise.
        /// </summary>
        private static INamedTypeSymbol? ImplementedByTheClassItself(INamedTypeSymbol type)
        {
            INamedTypeSymbol? first = null;
            foreach (INamedTypeSymbol listed in type.Interfaces)
            {
                if (listed.TypeKind != TypeKind.Interface || SymbolText.HasErrors(listed))
                {
                    return null;
                }

                var members = listed.GetMembers().Concat(listed.AllInterfaces.SelectMany(i => i.GetMembers()))
                    .Where(m => !m.IsStatic && (m.IsAbstract || m.IsVirtual) && m is IMethodSymbol { MethodKind: MethodKind.Ordinary } or IPropertySymbol or IEventSymbol)
                    .ToList();
                if (members.Count == 0 || !members.All(m => type.FindImplementationForInterfaceMember(m) is { } implementation
                        && implementation.ContainingType.TypeKind != TypeKind.Interface && !IsGeneratedHere(implementation)))
                {
                    return null;
                }

                first ??= listed;
            }

            return first;
        }

        /// <summary>The file-local type among <paramref name="type"/>, its containing types and its type arguments, if any.</summary>
        private static INamedTypeSymbol? FileLocal(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.IsFileLocal)
                {
                    return t;
                }

                foreach (ITypeSymbol argument in t.TypeArguments)
                {
                    if (argument is INamedTypeSymbol named && FileLocal(named) is { } inArgument)
                    {
                        return inArgument;
                    }
                }
            }

            return null;
        }

        /// <summary>
        /// The types around <paramref name="type"/>, outermost first, that the generated sidecar repeats as partial
        /// declarations; <c>null</c> (and SIDECAR010) when one of them is not partial.
        /// </summary>
        private static List<ContainingTypeModel>? ContainingTypes(INamedTypeSymbol type, LocationInfo? location, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var containing = new List<ContainingTypeModel>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                if (!IsPartialType(outer, cancellationToken))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, location, type.Name, outer.Name));
                    return null;
                }

                containing.Insert(0, new ContainingTypeModel(KindOf(outer), SymbolText.Escape(outer.Name), SymbolText.Names(outer.TypeParameters)));
            }

            return containing;
        }

        /// <summary><c>Outer`1+Inner</c>: the metadata name of a nested type without its namespace.</summary>
        private static string OuterMetadataName(INamedTypeSymbol type)
            => type.ContainingType is { } outer ? OuterMetadataName(outer) + "+" + type.MetadataName : type.MetadataName;

        private static bool IsPartialClass(INamedTypeSymbol type, CancellationToken cancellationToken)
            => type.TypeKind == TypeKind.Class && IsPartialType(type, cancellationToken);

        private static bool IsPartialType(INamedTypeSymbol type, CancellationToken cancellationToken)
            => type.DeclaringSyntaxReferences.Length > 0
               && type.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                   && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

        private static DeclarationKind KindOf(INamedTypeSymbol type) => type switch
        {
            { IsRecord: true, TypeKind: TypeKind.Struct } => DeclarationKind.RecordStruct,
            { IsRecord: true } => DeclarationKind.Record,
            { TypeKind: TypeKind.Struct } => DeclarationKind.Struct,
            { TypeKind: TypeKind.Interface } => DeclarationKind.Interface,
            _ => DeclarationKind.Class,
        };

        /// <summary>Whether <paramref name="type"/> is, or extends, IDisposable or IAsyncDisposable.</summary>
        private static bool IsDisposable(INamedTypeSymbol type)
        {
            foreach (INamedTypeSymbol candidate in type.AllInterfaces.Add(type))
            {
                if (candidate.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true }
                    && candidate.Name is "IDisposable" or "IAsyncDisposable")
                {
                    return true;
                }
            }

            return false;
        }
    }
}
