using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sidecar.Generators.Catalogue;
using Sidecar.Generators.Diagnostics;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Parsing
{
    /// <summary>Reads the knobs of a <c>[Sidecar]</c> attribute, merges a method's over its type's, and checks them.</summary>
    internal static class SettingsReader
    {
        /// <summary>A retry schedule longer than this is almost certainly a mistake (SIDECAR015).</summary>
        public static readonly TimeSpan AbsurdSchedule = TimeSpan.FromHours(1);

        /// <summary>A caller that waits this long should be able to cancel (SIDECAR017).</summary>
        public static readonly TimeSpan LongSchedule = TimeSpan.FromSeconds(1);

        /// <summary>
        /// Applies the named arguments of <paramref name="attribute"/> over <paramref name="basePolicy"/>.
        /// <paramref name="ownsBreaker"/> tells whether the attribute set breaker knobs (then it gets a circuit of its own).
        /// </summary>
        /// <param name="deferredRefinements">
        /// When given (the type's attribute), SIDECAR018 candidates go here with the knob they need, to be reported only if
        /// no method switches that knob on; otherwise they are reported at once.
        /// </param>
        public static PolicyModel Read(AttributeData attribute, PolicyModel basePolicy, Compilation compilation, List<DiagnosticInfo> diagnostics, out bool ownsBreaker, List<(KnobId[] Needs, DiagnosticInfo Diagnostic)>? deferredRefinements = null)
        {
            PolicyModel policy = basePolicy;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
            LocationInfo? attributeLocation = LocationInfo.From(syntax);
            LocationInfo? At(string knob) => LocationInfo.From(Argument(syntax, knob)) ?? attributeLocation;
            var set = new HashSet<KnobId>();

            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                TypedConstant value = argument.Value;
                if (value.Kind == TypedConstantKind.Error || Knobs.Find(argument.Key) is not { } knob)
                {
                    continue; // the compiler already reports it
                }

                set.Add(knob.Id);
                switch (knob.Type)
                {
                    case KnobType.ExceptionTypes when value.Kind == TypedConstantKind.Array && !value.IsNull:
                        EquatableArray<string> types = ExceptionTypes(knob.Name, value, syntax, compilation, diagnostics);
                        policy = knob.Id == KnobId.NeverRetryOn ? policy with { NeverRetryOn = types } : policy with { RetryOn = types };
                        break;
                    case KnobType.MethodName when value.Value is string method:
                        policy = knob.Id == KnobId.Classify ? policy with { Classify = method } : policy with { Fallback = method };
                        break;
                    default:
                        if (Scalar(value) is double number)
                        {
                            if (knob.IsValid(number))
                            {
                                policy = policy with { Values = policy.Values.With(knob.Id, number) };
                            }
                            else
                            {
                                // The argument is left out: the value stays what it would be without it.
                                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKnob, At(knob.Name), knob.Name, number.ToString(CultureInfo.InvariantCulture), knob.Hint));
                            }
                        }

                        break;
                }
            }

            // A method that sets any knob of the state a service shares gets a circuit (and bulkhead, and budget) of its own.
            ownsBreaker = set.Any(id => Knobs.Of(id).Scope == KnobScope.Service);

            // Knobs that are fine alone but not together; checked where one of them is set.
            if ((set.Contains(KnobId.MaxDelay) || set.Contains(KnobId.Delay)) && policy.MaxDelay > 0 && policy.MaxDelay < policy.Delay && policy.Retries > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MaxDelayBelowDelay, At(set.Contains(KnobId.MaxDelay) ? "MaxDelay" : "Delay"), policy.MaxDelay, policy.Delay));
            }

            KnobId[] breakerKnobs = { KnobId.BreakDuration, KnobId.FailureThreshold, KnobId.FailureRatio };
            if (policy.HasBreaker && policy.BreakDuration == 0 && breakerKnobs.Where(set.Contains).Select(k => (KnobId?)k).FirstOrDefault() is KnobId breakerKnob)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ZeroBreakDuration, At(Knobs.Of(breakerKnob).Name)));
            }

            // Knobs that only refine another one: say so when that one is off, rather than silently ignoring them.
            foreach (Knob knob in Knobs.All)
            {
                if (knob.Refines.Length > 0 && set.Contains(knob.Id) && !policy.Values.AnyOn(knob.Refines))
                {
                    DiagnosticInfo diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.SettingWithoutEffect, At(knob.Name), knob.Name, string.Join(" or ", knob.Refines.Select(r => Knobs.Of(r).Name)));
                    if (deferredRefinements is null)
                    {
                        diagnostics.Add(diagnostic);
                    }
                    else
                    {
                        deferredRefinements.Add((knob.Refines, diagnostic));
                    }
                }
            }

            KnobId[] scheduleKnobs = { KnobId.Retries, KnobId.Delay, KnobId.Backoff, KnobId.MaxDelay };
            if (scheduleKnobs.Any(set.Contains) && TotalDelay(policy) >= AbsurdSchedule)
            {
                string knob = Knobs.Of(scheduleKnobs.First(set.Contains)).Name;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AbsurdSchedule, At(knob), Describe(TotalDelay(policy)), policy.Retries));
            }

            KnobId[] deadlineKnobs = { KnobId.TotalTimeout, KnobId.Retries, KnobId.Delay, KnobId.Backoff, KnobId.MaxDelay, KnobId.Jitter, KnobId.Timeout };
            if (policy.TotalTimeout > 0 && deadlineKnobs.Any(set.Contains) && DeadlineShortfall(policy) is { } shortfall)
            {
                string knob = Knobs.Of(deadlineKnobs.First(set.Contains)).Name;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ScheduleExceedsTotalTimeout, At(knob), policy.TotalTimeout, shortfall));
            }

            return policy;
        }

        /// <summary>
        /// Why the retry schedule cannot fit in <c>TotalTimeout</c>, or <c>null</c> when it can: the retries that can never
        /// start because the shortest delays before them alone reach the deadline, and (with a <c>Timeout</c>) how many
        /// fit when every attempt runs its whole timeout. The runtime starts a retry only when its delay ends before the
        /// deadline, so a retry whose delays add up to the deadline never starts.
        /// </summary>
        public static string? DeadlineShortfall(PolicyModel policy)
        {
            const int Longest = 100_000; // a schedule this long is SIDECAR015's business; stop counting
            double total = policy.TotalTimeout;
            double waited = 0;
            int possible = 0;
            int fitsIfSlow = -1;
            for (int retry = 1; retry <= policy.Retries && retry <= Longest; retry++)
            {
                waited += ShortestDelayBefore(policy, retry);
                if (fitsIfSlow < 0 && policy.Timeout > 0 && (retry * (double)policy.Timeout) + waited >= total)
                {
                    fitsIfSlow = retry - 1;
                }

                if (waited >= total)
                {
                    break;
                }

                possible = retry;
            }

            if (possible >= Longest)
            {
                return null;
            }

            var reasons = new List<string>();
            int never = policy.Retries - possible;
            if (never > 0)
            {
                reasons.Add("the delays alone reach it before retry " + (possible + 1) + ", so " + never + " of the " + policy.Retries + " retries can never happen");
            }

            if (fitsIfSlow >= 0 && fitsIfSlow < possible)
            {
                reasons.Add("if attempts take their whole Timeout of " + policy.Timeout + " ms, only " + fitsIfSlow + " of the " + policy.Retries + " retries fit");
            }

            return reasons.Count == 0 ? null : string.Join("; ", reasons);
        }

        // The shortest wait before retry `retry` (1 for the first): jitter can shorten a delay by a quarter, and decorrelated
        // jitter draws each one from Delay upwards.
        private static double ShortestDelayBefore(PolicyModel policy, int retry)
        {
            if (!policy.Values.IsOn(KnobId.Jitter))
            {
                return policy.DelayBefore(retry);
            }

            return policy.Backoff == Backoff.Exponential
                ? (policy.MaxDelay > 0 ? Math.Min(policy.Delay, policy.MaxDelay) : policy.Delay)
                : policy.DelayBefore(retry) * (1 - SidecarDefaults.JitterSpread);
        }

        /// <summary>A scalar attribute argument as the catalogue stores it: a number, a bool as 0 or 1, an enum as its number.</summary>
        private static double? Scalar(TypedConstant value) => value.Value switch
        {
            int number => number,
            double number => number,
            bool flag => flag ? 1 : 0,
            _ => null,
        };

        /// <summary>The sum of every delay of the schedule (the longest a call can spend waiting), saturating.</summary>
        public static TimeSpan TotalDelay(PolicyModel policy)
        {
            // In closed form where it can be: Retries may be int.MaxValue, and the generator must not loop that long.
            double retries = policy.Retries;
            double cap = policy.MaxDelay > 0 ? policy.MaxDelay : double.PositiveInfinity;
            double total = 0;
            if (retries > 0 && policy.Delay > 0)
            {
                switch (policy.Backoff)
                {
                    case Backoff.Constant:
                        total = Math.Min(policy.Delay, cap) * retries;
                        break;
                    case Backoff.Exponential:
                        int retry = 1;
                        for (; retry <= policy.Retries && policy.DelayBefore(retry, capped: false) < cap && total < TimeSpan.MaxValue.TotalMilliseconds; retry++)
                        {
                            total += policy.DelayBefore(retry, capped: false);
                        }

                        total += retry <= policy.Retries && !double.IsInfinity(cap) ? (retries - retry + 1) * cap : 0;
                        break;
                    default:
                        // Delay × r until it reaches the cap at retry k, the cap after that.
                        double below = Math.Min(retries, Math.Floor(cap / policy.Delay));
                        total = (policy.Delay * below * (below + 1) / 2) + (below < retries ? (retries - below) * cap : 0);
                        break;
                }
            }

            return TimeSpan.FromMilliseconds(Math.Min(total, TimeSpan.MaxValue.TotalMilliseconds / 2));
        }

        /// <summary>Whether a run-time override can replace the knob called <paramref name="name"/> (not RetryOn, NeverRetryOn, Fallback).</summary>
        public static bool IsOverridable(string name) => Knobs.Find(name) is { Overridable: true };

        public static string Describe(TimeSpan span)
            => span.TotalDays >= 2 ? Math.Round(span.TotalDays) + " days"
                : span.TotalHours >= 2 ? Math.Round(span.TotalHours, 1) + " hours"
                : span.TotalMinutes >= 2 ? Math.Round(span.TotalMinutes, 1) + " minutes"
                : Math.Round(span.TotalSeconds, 1) + " s";

        private static EquatableArray<string> ExceptionTypes(string knob, TypedConstant value, AttributeSyntax? syntax, Compilation compilation, List<DiagnosticInfo> diagnostics)
        {
            INamedTypeSymbol? exceptionType = compilation.GetTypeByMetadataName("System.Exception");
            TypeOfExpressionSyntax[] typeOfs = Argument(syntax, knob)?.DescendantNodes().OfType<TypeOfExpressionSyntax>().ToArray() ?? Array.Empty<TypeOfExpressionSyntax>();
            var types = new List<string>();
            for (int i = 0; i < value.Values.Length; i++)
            {
                if (value.Values[i].Value is not ITypeSymbol type || type.TypeKind == TypeKind.Error)
                {
                    continue;
                }

                if (!IsException(type, exceptionType))
                {
                    LocationInfo? location = LocationInfo.From(i < typeOfs.Length ? typeOfs[i] : (SyntaxNode?)syntax);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RetryOnNotAnException, location, knob, type.ToDisplayString(SymbolText.ReadableFormat)));
                    continue;
                }

                types.Add(SymbolText.Type(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)));
            }

            return types.Distinct().ToEquatableArray();
        }

        private static bool IsException(ITypeSymbol type, INamedTypeSymbol? exceptionType)
        {
            if (type is ITypeParameterSymbol || type.IsStatic)
            {
                return false;
            }

            for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t, exceptionType))
                {
                    return true;
                }
            }

            return false;
        }

        private static AttributeArgumentSyntax? Argument(AttributeSyntax? attribute, string knob)
            => attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == knob);
    }
}
