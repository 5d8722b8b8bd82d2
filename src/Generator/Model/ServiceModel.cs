namespace Sidecar.Generators.Model
{
    /// <summary>A field holding an inner instance, and the constructor parameter that fills it.</summary>
    /// <param name="Type">The decorated interface.</param>
    /// <param name="ParameterName">The constructor parameter.</param>
    /// <param name="IsDisposable">Whether the interface is IDisposable or IAsyncDisposable (then disposing the sidecar disposes the inner).</param>
    /// <param name="SidecarName">What the interface form would call a sidecar of this interface (<c>OrderServiceSidecar</c>): the DI extension is named after it.</param>
    internal sealed record InnerModel(TypeRef Type, string ParameterName, bool IsDisposable, string SidecarName);

    /// <summary>What kind of type a declaration is.</summary>
    internal enum DeclarationKind
    {
        Class,
        Record,
        Struct,
        RecordStruct,
        Interface,
    }

    /// <summary>A type the generated class is nested in (class form only).</summary>
    /// <param name="Kind">Its kind.</param>
    /// <param name="Name">Its name (escaped).</param>
    /// <param name="TypeParameters">Its type parameters' names (escaped).</param>
    internal sealed record ContainingTypeModel(DeclarationKind Kind, string Name, EquatableArray<string> TypeParameters);

    /// <summary>Everything the emitter needs to write one sidecar class; plain data, no symbols or syntax.</summary>
    /// <param name="HintName">The generated file's name.</param>
    /// <param name="Namespace">The namespace, or null for the global namespace.</param>
    /// <param name="ContainingTypes">Outer types, outermost first (class form).</param>
    /// <param name="ClassName">The class's name without type parameters.</param>
    /// <param name="ClassKind"><see cref="DeclarationKind.Class"/>, or <see cref="DeclarationKind.Record"/> for a record in the class form.</param>
    /// <param name="TypeParameters">The class's type parameters' names (escaped).</param>
    /// <param name="Constraints">Constraint clauses of the class (the interface form writes them; the class form's are the user's, kept for the DI extension).</param>
    /// <param name="Accessibility">Public or internal: the generated class's (interface form), the DI extension's (both forms).</param>
    /// <param name="IsClassForm">Whether the user declared the class (else it implements <see cref="Inners"/>' one interface).</param>
    /// <param name="ServiceName">The name telemetry and the circuit breaker use.</param>
    /// <param name="ServiceAliases">Other names overrides may use: the interfaces a class-form sidecar lists.</param>
    /// <param name="Inners">The decorated instances.</param>
    /// <param name="Policies">Distinct policies used by members.</param>
    /// <param name="Members">The members to implement.</param>
    /// <param name="ReservedNames">Names already used in the class, that generated helpers must avoid.</param>
    /// <param name="SuppressedWarnings">Deprecation ids that forwarding deprecated members raises.</param>
    internal sealed record ServiceModel(
        string HintName,
        string? Namespace,
        EquatableArray<ContainingTypeModel> ContainingTypes,
        string ClassName,
        DeclarationKind ClassKind,
        EquatableArray<string> TypeParameters,
        EquatableArray<string> Constraints,
        Microsoft.CodeAnalysis.Accessibility Accessibility,
        bool IsClassForm,
        string ServiceName,
        EquatableArray<string> ServiceAliases,
        EquatableArray<InnerModel> Inners,
        EquatableArray<PolicyModel> Policies,
        EquatableArray<MemberModel> Members,
        EquatableArray<string> ReservedNames,
        EquatableArray<string> SuppressedWarnings);

    /// <summary>What parsing one target produced: a model (when it can be generated) and diagnostics.</summary>
    internal sealed record ParseResult(ServiceModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
}
