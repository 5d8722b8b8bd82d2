namespace Sidecar.Generators.Model
{
    /// <summary>One parameter of a forwarded member, as it is written in the implementation.</summary>
    /// <param name="Name">The identifier, escaped when it is a keyword.</param>
    /// <param name="Type">The fully qualified type with nullable annotations.</param>
    /// <param name="RefKind">"", "ref ", "out ", "in " or "ref readonly ".</param>
    /// <param name="IsParams">Whether it is a <c>params</c> parameter.</param>
    /// <param name="DefaultValue">The C# literal of its default value, if it has one.</param>
    /// <param name="Attributes">Attributes that must be repeated on an implementation (nullability, scoping), as source.</param>
    /// <param name="IsScoped">Whether it is declared <c>scoped</c>.</param>
    internal sealed record ParameterModel(
        string Name,
        string Type,
        string RefKind,
        bool IsParams,
        string? DefaultValue,
        string Attributes,
        bool IsScoped)
    {
        /// <summary>How the parameter is passed on to the inner instance.</summary>
        public string Argument => RefKind switch
        {
            "ref readonly " => "in " + Name,
            _ => RefKind + Name,
        };
    }
}
