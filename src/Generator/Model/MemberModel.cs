using Microsoft.CodeAnalysis;

namespace Sidecar.Generators.Model
{
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

    /// <summary>One interface member the sidecar implements: what every kind has.</summary>
    /// <param name="Name">The identifier as written (escaped when it is a keyword; "this" for an indexer).</param>
    /// <param name="DisplayName">The member's plain name, used in telemetry and circuit names.</param>
    /// <param name="ExplicitInterface">The interface named before the member when it is implemented explicitly.</param>
    /// <param name="Inner">Index of the inner instance (<see cref="ServiceModel.Inners"/>) that serves the member.</param>
    /// <param name="Via">The interface to cast the inner instance to for this member (a base interface), or <c>null</c>.</param>
    /// <param name="Type">Return type of a method, type of a property, indexer or event.</param>
    /// <param name="IsUnsafe">The signature uses pointers.</param>
    internal abstract record MemberModel(
        string Name,
        string DisplayName,
        TypeRef? ExplicitInterface,
        int Inner,
        TypeRef? Via,
        TypeRef Type,
        bool IsUnsafe);

    /// <summary>A method: forwarded as is, or decorated with the policy at <see cref="PolicyIndex"/>.</summary>
    /// <param name="ReturnRefKind"><see cref="RefKind.None"/>, <see cref="RefKind.Ref"/> or <see cref="RefKind.RefReadOnly"/>.</param>
    /// <param name="ReturnKind">How the outcome is awaited.</param>
    /// <param name="ResultType">T of <c>Task&lt;T&gt;</c> / <c>ValueTask&lt;T&gt;</c>.</param>
    /// <param name="Parameters">The parameters.</param>
    /// <param name="TypeParameters">The type parameters' names (escaped).</param>
    /// <param name="Constraints">Constraint clauses, one per type parameter that has any.</param>
    /// <param name="HelperConstraints">All constraint clauses, for the private helper that retries asynchronously.</param>
    /// <param name="ReturnAttributes">Attributes for the return value, as source.</param>
    /// <param name="PolicyIndex">Index of the policy in the service, or -1 to forward untouched.</param>
    /// <param name="CancellationToken">The <c>CancellationToken</c> parameter's name, if there is one.</param>
    /// <param name="Fallback">The method that answers when the call finally fails, if any.</param>
    /// <param name="FallbackTakesException">Whether the fallback takes the final exception as its last argument.</param>
    /// <param name="ResultClassifier">The <c>Classify</c> overload that takes this method's result, if any.</param>
    /// <param name="ExceptionClassifier">The <c>Classify</c> overload that takes an <c>Exception</c>, if any.</param>
    internal sealed record MethodModel(
        string Name,
        string DisplayName,
        TypeRef? ExplicitInterface,
        int Inner,
        TypeRef? Via,
        TypeRef Type,
        bool IsUnsafe,
        RefKind ReturnRefKind,
        ReturnKind ReturnKind,
        TypeRef? ResultType,
        EquatableArray<ParameterModel> Parameters,
        EquatableArray<string> TypeParameters,
        EquatableArray<string> Constraints,
        EquatableArray<string> HelperConstraints,
        string ReturnAttributes,
        int PolicyIndex,
        string? CancellationToken,
        string? Fallback,
        bool FallbackTakesException,
        ClassifierModel? ResultClassifier = null,
        ClassifierModel? ExceptionClassifier = null)
        : MemberModel(Name, DisplayName, ExplicitInterface, Inner, Via, Type, IsUnsafe)
    {
        /// <summary>Whether the method runs through a pipeline.</summary>
        public bool IsDecorated => PolicyIndex >= 0;
    }

    /// <summary>A <c>Classify</c> method of the sidecar class: its name (escaped) and whether it is static.</summary>
    internal sealed record ClassifierModel(string Name, bool IsStatic);

    /// <summary>A property or an indexer: always forwarded as is.</summary>
    /// <param name="IsIndexer">An indexer (<see cref="Parameters"/> are its parameters).</param>
    /// <param name="ReturnRefKind"><see cref="RefKind.None"/>, <see cref="RefKind.Ref"/> or <see cref="RefKind.RefReadOnly"/>.</param>
    /// <param name="Parameters">An indexer's parameters.</param>
    /// <param name="Attributes">Attributes repeated on the property, as source.</param>
    /// <param name="HasGetter">It has a getter to implement.</param>
    /// <param name="HasSetter">It has a setter to implement.</param>
    /// <param name="IsInitOnly">The setter is <c>init</c>.</param>
    internal sealed record PropertyModel(
        string Name,
        string DisplayName,
        TypeRef? ExplicitInterface,
        int Inner,
        TypeRef? Via,
        TypeRef Type,
        bool IsUnsafe,
        bool IsIndexer,
        RefKind ReturnRefKind,
        EquatableArray<ParameterModel> Parameters,
        string Attributes,
        bool HasGetter,
        bool HasSetter,
        bool IsInitOnly)
        : MemberModel(Name, DisplayName, ExplicitInterface, Inner, Via, Type, IsUnsafe);

    /// <summary>An event: its accessors forward to the inner instance.</summary>
    internal sealed record EventModel(
        string Name,
        string DisplayName,
        TypeRef? ExplicitInterface,
        int Inner,
        TypeRef? Via,
        TypeRef Type,
        bool IsUnsafe)
        : MemberModel(Name, DisplayName, ExplicitInterface, Inner, Via, Type, IsUnsafe);
}
