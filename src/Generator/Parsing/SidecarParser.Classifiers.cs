using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Sidecar.Generators.Diagnostics;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Parsing
{
    // Which Classify overload says what a method's result, and its exceptions, mean.
    internal static partial class SidecarParser
    {
        /// <summary>
        /// Finds the overloads of the <c>Classify</c> method <paramref name="name"/> (written by hand in the sidecar class)
        /// that fit <paramref name="method"/>: <c>Outcome Name(T result)</c> for its result type
        /// <paramref name="resultType"/> (or a type it converts to by reference), and <c>Outcome Name(Exception exception)</c>.
        /// An overload of another shape is an error where it is declared; a name that is not there, an error once.
        /// </summary>
        private static void FindClassifiers(IMethodSymbol method, ITypeSymbol? resultType, string name, PolicyModel policy, MemberContext context, out ClassifierModel? forResult, out ClassifierModel? forException)
        {
            forResult = null;
            forException = null;
            Compilation compilation = context.Compilation;
            INamedTypeSymbol? outcomeType = compilation.GetTypeByMetadataName("Sidecar.Outcome");
            INamedTypeSymbol? exceptionType = compilation.GetTypeByMetadataName("System.Exception");

            // A result type that uses the method's own type parameters cannot be named by a non-generic classifier.
            if (resultType is not null && UsesTypeParameterOf(resultType, method))
            {
                resultType = null;
            }

            Location? memberAt = method.Locations.FirstOrDefault(l => l.IsInSource);
            string example = ClassifierExample(name, resultType);
            if (!context.Classifiers.TryGetValue(name, out (LocationInfo? At, string Example, string Where, bool Fits) seen))
            {
                seen = (memberAt is null ? context.Location : LocationInfo.From(memberAt), example, Where(method, context), false);
            }
            else if (resultType is not null && !seen.Example.Contains(" result)"))
            {
                seen.Example = example; // a member with a result shows the more useful example
            }

            IMethodSymbol[] candidates = context.HandWritten?.GetMembers(name).OfType<IMethodSymbol>().ToArray() ?? Array.Empty<IMethodSymbol>();
            IMethodSymbol? exact = null;
            IMethodSymbol? converting = null;
            foreach (IMethodSymbol candidate in candidates)
            {
                bool shaped = candidate.MethodKind == MethodKind.Ordinary
                    && candidate.Arity == 0
                    && candidate.Parameters.Length == 1
                    && candidate.Parameters[0].RefKind == RefKind.None
                    && SymbolEqualityComparer.Default.Equals(candidate.ReturnType, outcomeType);
                if (!shaped)
                {
                    Location? at = candidate.Locations.FirstOrDefault(l => l.IsInSource);
                    context.ReportedOnce.Add("classify-misshapen:" + name);
                    if (context.ReportedOnce.Add("classify-shape:" + candidate.ToDisplayString()))
                    {
                        context.Diagnostics.Add(DiagnosticInfo.Create(
                            DiagnosticDescriptors.ClassifyDoesNotFit,
                            at is null ? context.Location : LocationInfo.From(at),
                            name,
                            "has an overload that does not fit, '" + candidate.ToDisplayString(SymbolText.ReadableFormat) + "': a classifier returns Sidecar.Outcome, is not generic and takes one parameter by value",
                            example,
                            seen.Where));
                    }

                    continue;
                }

                ITypeSymbol parameter = candidate.Parameters[0].Type;
                if (SymbolEqualityComparer.Default.Equals(parameter, exceptionType))
                {
                    forException ??= new ClassifierModel(SymbolText.Escape(candidate.Name), candidate.IsStatic);
                    continue;
                }

                if (resultType is null)
                {
                    continue;
                }

                if (SymbolEqualityComparer.Default.Equals(parameter.WithNullableAnnotation(NullableAnnotation.NotAnnotated), resultType.WithNullableAnnotation(NullableAnnotation.NotAnnotated)))
                {
                    exact ??= candidate;
                }
                else if (compilation.ClassifyCommonConversion(resultType, parameter) is { IsImplicit: true, IsReference: true } or { IsIdentity: true })
                {
                    converting ??= candidate;
                }
            }

            if ((exact ?? converting) is { } chosen)
            {
                forResult = new ClassifierModel(SymbolText.Escape(chosen.Name), chosen.IsStatic);
            }

            seen.Fits |= forResult is not null || forException is not null;
            context.Classifiers[name] = seen;

            if (forException is not null && (policy.RetryOn.Count > 0 || policy.NeverRetryOn.Count > 0) && context.ReportedOnce.Add("classify-retryon:" + name))
            {
                context.Diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.RetryOnBesideClassify,
                    seen.At,
                    name));
            }
        }

        /// <summary>SIDECAR021 for each <c>Classify</c> name that no member's result or exceptions fit.</summary>
        private static void ReportUnfitClassifiers(MemberContext context)
        {
            foreach (KeyValuePair<string, (LocationInfo? At, string Example, string Where, bool Fits)> classifier in context.Classifiers)
            {
                if (classifier.Value.Fits || context.ReportedOnce.Contains("classify-misshapen:" + classifier.Key))
                {
                    continue;
                }

                bool exists = context.HandWritten?.GetMembers(classifier.Key).OfType<IMethodSymbol>().Any() == true;
                context.Diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ClassifyDoesNotFit,
                    classifier.Value.At,
                    classifier.Key,
                    exists ? "takes no result type of a decorated member, nor an Exception" : "does not exist",
                    classifier.Value.Example,
                    classifier.Value.Where));
            }
        }

        private static string ClassifierExample(string name, ITypeSymbol? resultType)
        {
            string forException = "'static Outcome " + name + "(Exception exception)'";
            return resultType is null
                ? forException
                : "'static Outcome " + name + "(" + resultType.ToDisplayString(SymbolText.ReadableFormat) + " result)' or " + forException;
        }

        private static string Where(IMethodSymbol method, MemberContext context)
            => context.HandWritten is { TypeKind: TypeKind.Class } type
                ? "class '" + type.Name + "'"
                : "a partial part of the generated class ('partial class " + SidecarName(method.ContainingType.Name) + " { ... }')";

        private static bool UsesTypeParameterOf(ITypeSymbol type, IMethodSymbol method) => type switch
        {
            ITypeParameterSymbol parameter => parameter.TypeParameterKind == TypeParameterKind.Method,
            IArrayTypeSymbol array => UsesTypeParameterOf(array.ElementType, method),
            INamedTypeSymbol named => named.TypeArguments.Any(t => UsesTypeParameterOf(t, method)),
            _ => false,
        };
    }
}
