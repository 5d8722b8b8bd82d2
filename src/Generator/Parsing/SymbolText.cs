using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Parsing
{
    /// <summary>Turns symbols into the C# text an implementation repeats: types, constraints, defaults, attributes.</summary>
    internal static class SymbolText
    {
        public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>Without <c>global::</c>: for names that people read (telemetry, circuit names).</summary>
        public static readonly SymbolDisplayFormat ReadableFormat = SymbolDisplayFormat.CSharpErrorMessageFormat;

        // Attributes that change what the compiler checks about an implementation: they must be repeated on it,
        // or nullability and scoping warnings appear in generated code.
        private static readonly HashSet<string> s_copiedAttributes = new(StringComparer.Ordinal)
        {
            "AllowNullAttribute", "DisallowNullAttribute", "MaybeNullAttribute", "NotNullAttribute",
            "MaybeNullWhenAttribute", "NotNullWhenAttribute", "NotNullIfNotNullAttribute", "DoesNotReturnIfAttribute",
            "UnscopedRefAttribute",
        };

        /// <summary>
        /// Whether <paramref name="symbol"/> is the type <paramref name="name"/> in the namespace <paramref name="ns"/>
        /// ("System.Threading"), compared name by name: no display string is built (the parser asks this very often).
        /// </summary>
        public static bool Is(ISymbol? symbol, string ns, string name)
            => symbol is INamedTypeSymbol { ContainingType: null } type && type.Name == name && InNamespace(type.ContainingNamespace, ns);

        /// <summary>Whether <paramref name="symbol"/> is the namespace <paramref name="ns"/> ("System.Threading").</summary>
        public static bool InNamespace(INamespaceSymbol? symbol, string ns)
        {
            int end = ns.Length;
            while (symbol is { IsGlobalNamespace: false })
            {
                int start = ns.LastIndexOf('.', end - 1) + 1;
                if (end - start != symbol.Name.Length || string.CompareOrdinal(ns, start, symbol.Name, 0, symbol.Name.Length) != 0)
                {
                    return false;
                }

                symbol = symbol.ContainingNamespace;
                end = start - 1;
                if (end < 0)
                {
                    return symbol is null || symbol.IsGlobalNamespace;
                }
            }

            return false;
        }

        public static string Type(ITypeSymbol type)
        {
            Dictionary<ITypeSymbol, string>? cache = s_written;
            if (cache is null)
            {
                return type.ToDisplayString(TypeFormat);
            }

            if (!cache.TryGetValue(type, out string? text))
            {
                text = type.ToDisplayString(TypeFormat);
                cache.Add(type, text);
            }

            return text;
        }

        /// <summary>
        /// The fully qualified name without nullable annotations, as overload resolution compares types: types that
        /// differ only in nullability give the same text.
        /// </summary>
        public static string SignatureType(ITypeSymbol type)
        {
            Dictionary<ITypeSymbol, string>? cache = s_signature;
            if (cache is null)
            {
                return type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            }

            if (!cache.TryGetValue(type, out string? text))
            {
                text = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                cache.Add(type, text);
            }

            return text;
        }

        // One parse writes the same few types (Task<T>, CancellationToken, the service's own records) many times; the
        // display strings are kept for the parse (a type's symbols are those of one compilation) and dropped after it.
        [ThreadStatic]
        private static Dictionary<ITypeSymbol, string>? s_written;

        [ThreadStatic]
        private static Dictionary<ITypeSymbol, string>? s_signature;

        /// <summary>Keeps type display strings until the returned scope is disposed.</summary>
        public static TextCacheScope CacheTypeText()
        {
            bool outermost = s_written is null;
            if (outermost)
            {
                s_written = new Dictionary<ITypeSymbol, string>(SymbolEqualityComparer.IncludeNullability);
                s_signature = new Dictionary<ITypeSymbol, string>(SymbolEqualityComparer.Default);
            }

            return new TextCacheScope(outermost);
        }

        /// <summary>Ends a <see cref="CacheTypeText"/> scope; nested scopes share the outermost one's cache.</summary>
        public readonly struct TextCacheScope : IDisposable
        {
            private readonly bool _outermost;

            internal TextCacheScope(bool outermost) => _outermost = outermost;

            /// <inheritdoc/>
            public void Dispose()
            {
                if (_outermost)
                {
                    s_written = null;
                    s_signature = null;
                }
            }
        }

        /// <summary>The type as generated code writes it and as a reader reads it.</summary>
        public static TypeRef Reference(ITypeSymbol type) => new(Type(type), type.ToDisplayString(ReadableFormat));

        /// <summary>The type as generated code writes it, for a place no reader sees (<see cref="TypeRef.Readable"/> is <c>null</c>).</summary>
        public static TypeRef Written(ITypeSymbol type) => new(Type(type), null);

        /// <summary>The escaped names of <paramref name="typeParameters"/>.</summary>
        public static EquatableArray<string> Names(IEnumerable<ITypeParameterSymbol> typeParameters)
            => typeParameters.Select(t => Escape(t.Name)).ToEquatableArray();

        public static string Escape(string identifier)
            => SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(identifier) == SyntaxKind.UnderscoreToken
                ? "@" + identifier
                : identifier;

        public static string TypeParameterList(IEnumerable<ITypeParameterSymbol> typeParameters)
        {
            string[] names = typeParameters.Select(t => Escape(t.Name)).ToArray();
            return names.Length == 0 ? string.Empty : "<" + string.Join(", ", names) + ">";
        }

        /// <summary>Constraint clauses as an implicit implementation (or a generic class) repeats them.</summary>
        public static IEnumerable<string> Constraints(IEnumerable<ITypeParameterSymbol> typeParameters)
        {
            foreach (ITypeParameterSymbol tp in typeParameters)
            {
                var parts = new List<string>();
                if (tp.HasReferenceTypeConstraint)
                {
                    parts.Add(tp.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
                }
                else if (tp.HasUnmanagedTypeConstraint)
                {
                    parts.Add("unmanaged");
                }
                else if (tp.HasValueTypeConstraint)
                {
                    parts.Add("struct");
                }
                else if (tp.HasNotNullConstraint)
                {
                    parts.Add("notnull");
                }

                for (int i = 0; i < tp.ConstraintTypes.Length; i++)
                {
                    ITypeSymbol constraint = tp.ConstraintTypes[i];
                    if (tp.HasUnmanagedTypeConstraint && constraint.SpecialType == SpecialType.System_ValueType)
                    {
                        continue;
                    }

                    parts.Add(Type(constraint.WithNullableAnnotation(tp.ConstraintNullableAnnotations[i])));
                }

                if (tp.HasConstructorConstraint)
                {
                    parts.Add("new()");
                }

                if (tp.AllowsRefLikeType)
                {
                    parts.Add("allows ref struct");
                }

                if (parts.Count > 0)
                {
                    yield return "where " + Escape(tp.Name) + " : " + string.Join(", ", parts);
                }
            }
        }

        /// <summary>
        /// The only constraints an explicit implementation may state: <c>class</c>/<c>struct</c>, or <c>default</c> when
        /// the signature says <c>T?</c> of an unconstrained <c>T</c> (which would otherwise read as <c>Nullable&lt;T&gt;</c>).
        /// </summary>
        public static IEnumerable<string> ExplicitConstraints(IMethodSymbol method)
        {
            foreach (ITypeParameterSymbol tp in method.TypeParameters)
            {
                bool annotated = method.Parameters.Any(p => UsesAnnotated(p.Type, tp)) || UsesAnnotated(method.ReturnType, tp);
                if (!annotated)
                {
                    continue;
                }

                string clause = tp.HasReferenceTypeConstraint ? "class"
                    : tp.HasValueTypeConstraint ? "struct"
                    : "default";
                yield return "where " + Escape(tp.Name) + " : " + clause;
            }
        }

        private static bool UsesAnnotated(ITypeSymbol type, ITypeParameterSymbol typeParameter)
        {
            switch (type)
            {
                case ITypeParameterSymbol tp:
                    return SymbolEqualityComparer.Default.Equals(tp, typeParameter) && tp.NullableAnnotation == NullableAnnotation.Annotated;
                case IArrayTypeSymbol array:
                    return UsesAnnotated(array.ElementType, typeParameter);
                case INamedTypeSymbol named:
                    return named.TypeArguments.Any(t => UsesAnnotated(t, typeParameter));
                default:
                    return false;
            }
        }

        /// <summary>Whether the type, or any type it is built from, could not be resolved.</summary>
        public static bool HasErrors(ITypeSymbol type) => type switch
        {
            IErrorTypeSymbol => true,
            IArrayTypeSymbol array => HasErrors(array.ElementType),
            IPointerTypeSymbol pointer => HasErrors(pointer.PointedAtType),
            INamedTypeSymbol named => named.TypeArguments.Any(HasErrors) || (named.ContainingType is { } outer && HasErrors(outer)),
            _ => type.TypeKind == TypeKind.Error,
        };

        public static bool UsesPointers(ITypeSymbol type) => type switch
        {
            IPointerTypeSymbol or IFunctionPointerTypeSymbol => true,
            IArrayTypeSymbol array => UsesPointers(array.ElementType),
            INamedTypeSymbol named => named.TypeArguments.Any(UsesPointers),
            _ => false,
        };

        public static string RefKind(RefKind refKind) => refKind switch
        {
            Microsoft.CodeAnalysis.RefKind.Ref => "ref ",
            Microsoft.CodeAnalysis.RefKind.Out => "out ",
            Microsoft.CodeAnalysis.RefKind.In => "in ",
            Microsoft.CodeAnalysis.RefKind.RefReadOnlyParameter => "ref readonly ",
            _ => string.Empty,
        };

        /// <summary>The attributes of <paramref name="attributes"/> that an implementation must repeat, as source.</summary>
        public static string CopiedAttributes(IEnumerable<AttributeData> attributes, Compilation compilation, string target = "")
        {
            var text = new List<string>();
            foreach (AttributeData attribute in attributes)
            {
                INamedTypeSymbol? type = attribute.AttributeClass;
                if (type is null
                    || !s_copiedAttributes.Contains(type.Name)
                    || !InNamespace(type.ContainingNamespace, "System.Diagnostics.CodeAnalysis")
                    || !compilation.IsSymbolAccessibleWithin(type, compilation.Assembly))
                {
                    continue;
                }

                string arguments = attribute.ConstructorArguments.Length == 0
                    ? string.Empty
                    : "(" + string.Join(", ", attribute.ConstructorArguments.Select(a => a.ToCSharpString())) + ")";
                string name = Type(type);
                name = name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
                text.Add("[" + target + name + arguments + "]");
            }

            return string.Join(" ", text);
        }

        /// <summary>The default value of a parameter as a C# literal, or null when it has none.</summary>
        public static string? DefaultValue(IParameterSymbol parameter)
        {
            // Asking a source parameter for its default binds the value and runs nullable analysis on it, again on every
            // compilation the IDE makes. The declaration answers the usual cases (none, `default`, `null`) without that.
            bool isNull = false;
            if (parameter.DeclaringSyntaxReferences is { Length: 1 } references
                && references[0].GetSyntax() is ParameterSyntax { AttributeLists.Count: 0 } syntax)
            {
                switch (syntax.Default?.Value)
                {
                    case null:
                        return null;
                    case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.DefaultLiteralExpression) || literal.IsKind(SyntaxKind.NullLiteralExpression):
                    case DefaultExpressionSyntax:
                        isNull = true;
                        break;
                }
            }

            if (!isNull && !parameter.HasExplicitDefaultValue)
            {
                return null;
            }

            object? value = isNull ? null : parameter.ExplicitDefaultValue;
            ITypeSymbol type = parameter.Type;
            ITypeSymbol underlying = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
                ? nullable.TypeArguments[0]
                : type;

            if (value is null)
            {
                return type.IsValueType && !ReferenceEquals(underlying, type) ? "null"
                    : type.IsReferenceType ? "null"
                    : "default";
            }

            if (underlying.TypeKind == TypeKind.Enum)
            {
                string number = Literal(value);
                return "(" + Type(underlying.WithNullableAnnotation(NullableAnnotation.NotAnnotated)) + ")" + (number.StartsWith("-", StringComparison.Ordinal) ? "(" + number + ")" : number);
            }

            return Literal(value);
        }

        private static string Literal(object value) => value switch
        {
            string s => SymbolDisplay.FormatLiteral(s, quote: true),
            char c => SymbolDisplay.FormatLiteral(c, quote: true),
            bool b => b ? "true" : "false",
            float f when float.IsNaN(f) => "float.NaN",
            float f when float.IsPositiveInfinity(f) => "float.PositiveInfinity",
            float f when float.IsNegativeInfinity(f) => "float.NegativeInfinity",
            float f => f.ToString("R", CultureInfo.InvariantCulture) + "F",
            double d when double.IsNaN(d) => "double.NaN",
            double d when double.IsPositiveInfinity(d) => "double.PositiveInfinity",
            double d when double.IsNegativeInfinity(d) => "double.NegativeInfinity",
            double d => d.ToString("R", CultureInfo.InvariantCulture) + "D",
            decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
            long l => l.ToString(CultureInfo.InvariantCulture) + "L",
            ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
            uint u => u.ToString(CultureInfo.InvariantCulture) + "U",
            IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "default",
        };
    }
}
