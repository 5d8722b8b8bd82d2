using Microsoft.CodeAnalysis;

namespace Sidecar.Generators.Model
{
    /// <summary>One parameter of a forwarded member, as it is written in the implementation.</summary>
    /// <param name="Name">The identifier, escaped when it is a keyword.</param>
    /// <param name="Type">The type with nullable annotations.</param>
    /// <param name="RefKind">How it is passed.</param>
    /// <param name="IsParams">Whether it is a <c>params</c> parameter.</param>
    /// <param name="DefaultValue">The C# literal of its default value, if it has one.</param>
    /// <param name="Attributes">Attributes that must be repeated on an implementation (nullability, scoping), as source.</param>
    /// <param name="IsScoped">Whether it is declared <c>scoped</c>.</param>
    internal sealed record ParameterModel(
        string Name,
        TypeRef Type,
        RefKind RefKind,
        bool IsParams,
        string? DefaultValue,
        string Attributes,
        bool IsScoped);
}
