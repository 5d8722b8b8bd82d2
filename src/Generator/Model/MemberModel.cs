namespace Sidecar.Generators.Model
{
    internal enum MemberKind
    {
        Method,
        Property,
        Indexer,
        Event,
    }

    /// <summary>What a method returns, which decides how the sidecar waits for the outcome.</summary>
    internal enum ReturnKind
    {
        Void,
        Value,
        Task,
        TaskOfT,
        ValueTask,
        ValueTaskOfT,
    }

    /// <summary>One interface member the sidecar implements.</summary>
    /// <param name="Kind">Method, property, indexer or event.</param>
    /// <param name="Name">The identifier as written (escaped when it is a keyword).</param>
    /// <param name="DisplayName">The member's plain name, used in telemetry and circuit names.</param>
    /// <param name="ExplicitInterface">The interface named before the member when it is implemented explicitly.</param>
    /// <param name="Inner">Index of the inner instance (<see cref="ServiceModel.Inners"/>) that serves the member.</param>
    /// <param name="Via">The interface to cast the inner instance to for this member (a base interface), or <c>null</c>.</param>
    /// <param name="Type">Return type of a method, type of a property, indexer or event.</param>
    /// <param name="ReturnRefKind">"", "ref " or "ref readonly ".</param>
    /// <param name="ReturnKind">How a method's outcome is awaited.</param>
    /// <param name="ResultType">T of <c>Task&lt;T&gt;</c> / <c>ValueTask&lt;T&gt;</c>.</param>
    /// <param name="Parameters">Parameters (methods and indexers).</param>
    /// <param name="TypeParameters">"&lt;T, U&gt;" or "".</param>
    /// <param name="Constraints">Constraint clauses, one per type parameter that has any.</param>
    /// <param name="HelperConstraints">All constraint clauses, for the private helper that retries asynchronously.</param>
    /// <param name="ReturnAttributes">Attributes for the return value, as source.</param>
    /// <param name="HasGetter">Property or indexer has a getter.</param>
    /// <param name="HasSetter">Property or indexer has a setter.</param>
    /// <param name="IsInitOnly">The setter is <c>init</c>.</param>
    /// <param name="PolicyIndex">Index of the policy in the service, or -1 to forward untouched.</param>
    /// <param name="CancellationToken">The <c>CancellationToken</c> parameter's name, if there is one.</param>
    /// <param name="IsUnsafe">The signature uses pointers.</param>
    /// <param name="Fallback">The method that answers when the call finally fails, if any.</param>
    /// <param name="FallbackTakesException">Whether the fallback takes the final exception as its last argument.</param>
    internal sealed record MemberModel(
        MemberKind Kind,
        string Name,
        string DisplayName,
        string? ExplicitInterface,
        int Inner,
        string? Via,
        string Type,
        string ReturnRefKind,
        ReturnKind ReturnKind,
        string? ResultType,
        EquatableArray<ParameterModel> Parameters,
        string TypeParameters,
        EquatableArray<string> Constraints,
        EquatableArray<string> HelperConstraints,
        string ReturnAttributes,
        bool HasGetter,
        bool HasSetter,
        bool IsInitOnly,
        int PolicyIndex,
        string? CancellationToken,
        bool IsUnsafe,
        string? Fallback,
        bool FallbackTakesException);
}
