using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Sidecar.Generators.Diagnostics;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Parsing
{
    // One model per member: its shape (return kind, parameters, accessors) and the rules that say whether it can be retried.
    internal static partial class SidecarParser
    {
        private static MethodModel Method(IMethodSymbol method, (int Inner, TypeRef? Via) target, PolicyModel? typePolicy, MemberContext context)
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

            if (policy is not null && TimeKnobs(policy) is { } timeKnobs && returnKind is ReturnKind.Void or ReturnKind.Value)
            {
                Location? at = method.Locations.FirstOrDefault(l => l.IsInSource);
                if (at is null)
                {
                    // Someone else's interface: its members cannot be changed or annotated; said once for all of them.
                    context.UntimedForeignMembers.Add(method.ContainingType.ToDisplayString(SymbolText.ReadableFormat) + "." + method.Name);
                    context.UntimedForeignKnobs = timeKnobs;
                }
                else
                {
                    context.Diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.TimeoutOnSynchronousMember,
                        LocationInfo.From(at),
                        timeKnobs,
                        "'" + method.ContainingType.Name + "." + method.Name + "'",
                        "return a Task or ValueTask (ideally taking a CancellationToken), or set " + timeKnobs + " on the asynchronous members only"));
                }
            }

            string? fallback = null;
            bool fallbackTakesException = false;
            if (policy?.Fallback is { } fallbackName && !FindFallback(method, fallbackName, context, out fallback, out fallbackTakesException))
            {
                // Reported (SIDECAR012); the member is still decorated, without a fallback.
                policy = policy with { Fallback = null };
            }

            ClassifierModel? resultClassifier = null;
            ClassifierModel? exceptionClassifier = null;
            if (policy?.Classify is { } classifyName)
            {
                ITypeSymbol? classified = returnKind switch
                {
                    ReturnKind.Value => method.ReturnType,
                    ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT => resultType,
                    _ => null,
                };
                FindClassifiers(method, classified, classifyName, policy, context, out resultClassifier, out exceptionClassifier);
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

            if (policy is not null && policy.Hedging > 0 && cancellationToken is null && returnKind is not (ReturnKind.Void or ReturnKind.Value))
            {
                Location? at = method.Locations.FirstOrDefault(l => l.IsInSource);
                context.Diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.HedgingWithoutCancellation,
                    at is null ? context.Location : LocationInfo.From(at),
                    method.ContainingType.Name + "." + method.Name,
                    policy.Hedging + 1));
            }

            return new MethodModel(
                Name: SymbolText.Escape(method.Name),
                DisplayName: method.Name,
                ExplicitInterface: isExplicit ? SymbolText.Written(method.ContainingType) : null,
                Inner: target.Inner,
                Via: target.Via,
                Type: method.ReturnsVoid ? TypeRef.Void : SymbolText.Written(method.ReturnType),
                IsUnsafe: Signature(method).Any(SymbolText.UsesPointers),
                ReturnRefKind: method.ReturnsByRefReadonly ? RefKind.RefReadOnly : method.ReturnsByRef ? RefKind.Ref : RefKind.None,
                ReturnKind: returnKind,
                ResultType: resultType is null ? null : SymbolText.Written(resultType),
                Parameters: Parameters(method.Parameters, isExplicit, context.Compilation),
                TypeParameters: SymbolText.Names(method.TypeParameters),
                Constraints: (isExplicit ? SymbolText.ExplicitConstraints(method) : SymbolText.Constraints(method.TypeParameters)).ToEquatableArray(),
                HelperConstraints: SymbolText.Constraints(method.TypeParameters).ToEquatableArray(),
                ReturnAttributes: SymbolText.CopiedAttributes(method.GetReturnTypeAttributes(), context.Compilation, "return: "),
                PolicyIndex: policy is null ? -1 : IndexOf(policy, context),
                CancellationToken: cancellationToken is null ? null : SymbolText.Escape(cancellationToken),
                Fallback: fallback,
                FallbackTakesException: fallbackTakesException,
                ResultClassifier: resultClassifier,
                ExceptionClassifier: exceptionClassifier);
        }

        /// <summary>"Timeout", "TotalTimeout", "Hedging", or those it sets joined ("Timeout and Hedging"); <c>null</c> when it sets none of them.</summary>
        private static string? TimeKnobs(PolicyModel policy)
        {
            var knobs = new List<string>(3);
            if (policy.Timeout > 0)
            {
                knobs.Add("Timeout");
            }

            if (policy.TotalTimeout > 0)
            {
                knobs.Add("TotalTimeout");
            }

            if (policy.Hedging > 0)
            {
                knobs.Add("Hedging");
            }

            return knobs.Count switch
            {
                0 => null,
                1 => knobs[0],
                _ => string.Join(", ", knobs.Take(knobs.Count - 1)) + " and " + knobs[knobs.Count - 1],
            };
        }

        private static PropertyModel Property(IPropertySymbol property, (int Inner, TypeRef? Via) target, MemberContext context)
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

            return new PropertyModel(
                Name: property.IsIndexer ? "this" : SymbolText.Escape(property.Name),
                DisplayName: property.Name,
                ExplicitInterface: isExplicit ? SymbolText.Written(property.ContainingType) : null,
                Inner: target.Inner,
                Via: target.Via,
                Type: SymbolText.Written(property.Type),
                IsUnsafe: Signature(property).Any(SymbolText.UsesPointers),
                IsIndexer: property.IsIndexer,
                ReturnRefKind: property.ReturnsByRefReadonly ? RefKind.RefReadOnly : property.ReturnsByRef ? RefKind.Ref : RefKind.None,
                Parameters: Parameters(property.Parameters, isExplicit, context.Compilation),
                // The compiler checks a property's nullability through attributes on the property itself, so the ones
                // a reference assembly keeps on the accessors move up to the property.
                Attributes: SymbolText.CopiedAttributes(
                    property.GetAttributes()
                        .Concat(property.GetMethod?.GetReturnTypeAttributes() ?? Enumerable.Empty<AttributeData>())
                        .Concat(property.SetMethod?.Parameters.Last().GetAttributes() ?? Enumerable.Empty<AttributeData>())
                        .GroupBy(a => a.AttributeClass?.Name)
                        .Select(g => g.First()),
                    context.Compilation),
                HasGetter: property.GetMethod is { } getter && (getter.IsAbstract || getter.IsVirtual),
                HasSetter: property.SetMethod is { } setter && (setter.IsAbstract || setter.IsVirtual),
                IsInitOnly: property.SetMethod?.IsInitOnly == true);
        }

        private static EventModel Event(IEventSymbol @event, (int Inner, TypeRef? Via) target, MemberContext context)
        {
            bool isExplicit = @event.DeclaredAccessibility != Accessibility.Public || context.ImplicitNames.ContainsKey(@event.Name);
            if (!isExplicit)
            {
                context.ImplicitNames[@event.Name] = false;
            }

            return new EventModel(
                Name: SymbolText.Escape(@event.Name),
                DisplayName: @event.Name,
                ExplicitInterface: isExplicit ? SymbolText.Written(@event.ContainingType) : null,
                Inner: target.Inner,
                Via: target.Via,
                Type: SymbolText.Written(@event.Type),
                IsUnsafe: SymbolText.UsesPointers(@event.Type));
        }

        private static EquatableArray<ParameterModel> Parameters(IEnumerable<IParameterSymbol> parameters, bool isExplicit, Compilation compilation)
            => parameters.Select(p => new ParameterModel(
                    Name: SymbolText.Escape(p.Name),
                    Type: SymbolText.Written(p.Type),
                    RefKind: p.RefKind,
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
                : SymbolText.SignatureType(type);
    }
}
