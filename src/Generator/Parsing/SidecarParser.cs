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
    /// <summary>Turns a <c>[Sidecar]</c> target into a <see cref="ServiceModel"/> and diagnostics. Never throws.</summary>
    internal static partial class SidecarParser
    {
        public const string AttributeName = "Sidecar.SidecarAttribute";

        public const string PassThroughAttributeName = "Sidecar.PassThroughAttribute";

        /// <summary>An interface or class that carries <c>[Sidecar]</c>.</summary>
        public static ParseResult ParseType(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            ISymbol target = context.TargetSymbol;
            using SymbolText.TextCacheScope cache = SymbolText.CacheTypeText();
            try
            {
                if (target is not INamedTypeSymbol type || context.Attributes.Length == 0 || string.IsNullOrEmpty(type.Name)
                    || type.TypeParameters.Any(t => string.IsNullOrEmpty(t.Name)))
                {
                    return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
                }

                ServiceModel? model = type.TypeKind switch
                {
                    TypeKind.Interface => ParseInterface(type, context.Attributes[0], context.SemanticModel.Compilation, context.TargetNode, diagnostics, cancellationToken),
                    TypeKind.Class => ParseClass(type, context.Attributes[0], context.SemanticModel.Compilation, context.TargetNode, diagnostics, cancellationToken),
                    _ => null,
                };
                return new ParseResult(model, diagnostics.ToEquatableArray());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return InternalError(target, context.TargetNode, ex);
            }
        }

        /// <summary>
        /// A method that carries <c>[Sidecar]</c>. On an interface without <c>[Sidecar]</c> of its own, the interface gets a
        /// sidecar in which only annotated methods are decorated; on a class it is a mistake.
        /// </summary>
        public static ParseResult? ParseMethod(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            ISymbol target = context.TargetSymbol;
            using SymbolText.TextCacheScope cache = SymbolText.CacheTypeText();
            try
            {
                if (target is not IMethodSymbol { ContainingType: { } containing } method)
                {
                    return null;
                }

                if (containing.TypeKind == TypeKind.Interface)
                {
                    if (containing.GetAttributes().Any(IsSidecarAttribute))
                    {
                        return null; // the type's own target covers it
                    }

                    var diagnostics = new List<DiagnosticInfo>();
                    SyntaxNode? declaration = containing.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
                    ServiceModel? model = ParseInterface(containing, null, context.SemanticModel.Compilation, declaration ?? context.TargetNode, diagnostics, cancellationToken);
                    return new ParseResult(model, diagnostics.ToEquatableArray());
                }

                return new ParseResult(null, new[]
                {
                    DiagnosticInfo.Create(
                        DiagnosticDescriptors.AttributeOnClassMethod,
                        LocationInfo.From(context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken)),
                        method.Name,
                        containing.Name),
                }.ToEquatableArray());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return InternalError(target, context.TargetNode, ex);
            }
        }

        /// <summary>
        /// Every diagnostic about <paramref name="type"/>, found by the same parse the generator makes: its own
        /// <c>[Sidecar]</c>, or, on an interface without one, its annotated methods; <c>[Sidecar]</c> on a method of a class
        /// or struct. The analyzer reports these; the generator reports none of them.
        /// </summary>
        public static List<DiagnosticInfo> Check(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            SyntaxNode? node = null;
            using SymbolText.TextCacheScope cache = SymbolText.CacheTypeText();
            try
            {
                if (string.IsNullOrEmpty(type.Name) || type.TypeParameters.Any(t => string.IsNullOrEmpty(t.Name)))
                {
                    return diagnostics;
                }

                AttributeData? attribute = type.GetAttributes().FirstOrDefault(IsSidecarAttribute);
                if (attribute is not null)
                {
                    // The declaration that carries the attribute (attribute → attribute list → type), as the generator sees it.
                    node = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).Parent?.Parent;
                    if (node is InterfaceDeclarationSyntax or ClassDeclarationSyntax or RecordDeclarationSyntax)
                    {
                        _ = type.TypeKind switch
                        {
                            TypeKind.Interface => ParseInterface(type, attribute, compilation, node, diagnostics, cancellationToken),
                            TypeKind.Class => ParseClass(type, attribute, compilation, node, diagnostics, cancellationToken),
                            _ => null,
                        };
                    }
                }

                foreach (ISymbol member in type.GetMembers())
                {
                    if (member is not IMethodSymbol method || method.GetAttributes().FirstOrDefault(IsSidecarAttribute) is not { } onMethod)
                    {
                        continue;
                    }

                    if (type.TypeKind != TypeKind.Interface)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.AttributeOnClassMethod,
                            LocationInfo.From(onMethod.ApplicationSyntaxReference?.GetSyntax(cancellationToken)),
                            method.Name,
                            type.Name));
                    }
                    else if (attribute is null)
                    {
                        // Only the annotated methods are decorated; checked once for the interface.
                        node = type.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken)
                            ?? onMethod.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
                        if (node is not null)
                        {
                            ParseInterface(type, null, compilation, node, diagnostics, cancellationToken);
                        }

                        break;
                    }
                }

                return diagnostics;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                SyntaxNode? at = node ?? type.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
                return at is null ? diagnostics : InternalError(type, at, ex).Diagnostics.ToList();
            }
        }

        internal static bool IsSidecarAttribute(AttributeData attribute)
            => SymbolText.Is(attribute.AttributeClass, "Sidecar", "SidecarAttribute");

        private static ParseResult InternalError(ISymbol? target, SyntaxNode node, Exception ex)
        {
            string message = ex.GetType().Name + ": " + ex.Message.Replace('\r', ' ').Replace('\n', ' ');
            return new ParseResult(null, new[]
            {
                DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(FirstLine(node)), target?.Name ?? "?", message),
            }.ToEquatableArray());
        }

        private static Location FirstLine(SyntaxNode node)
            => node is BaseTypeDeclarationSyntax type
                ? Location.Create(node.SyntaxTree, type.Identifier.Span)
                : node.GetLocation();

        private static bool CheckLanguageVersion(SyntaxNode node, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            if (node.SyntaxTree.Options is CSharpParseOptions options && options.LanguageVersion < LanguageVersion.CSharp8)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LanguageVersionTooLow, location, options.LanguageVersion.ToDisplayString()));
                return false;
            }

            return true;
        }

        /// <summary>IOrderService → OrderServiceSidecar; Repository → RepositorySidecar.</summary>
        internal static string SidecarName(string interfaceName)
        {
            string name = interfaceName.Length > 1 && interfaceName[0] == 'I' && char.IsUpper(interfaceName[1])
                ? interfaceName.Substring(1)
                : interfaceName;
            return name + "Sidecar";
        }
    }
}
