using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sidecar.Generators.Diagnostics;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Parsing
{
    /// <summary>Reads the knobs of a <c>[Sidecar]</c> attribute, merges a method's over its type's, and checks them.</summary>
    internal static class SettingsReader
    {
        /// <summary>The knobs of the state a service shares: its circuit, bulkhead and retry budget.</summary>
        private static readonly string[] SharedKnobs =
        {
            "FailureThreshold", "BreakDuration", "FailureRatio", "SamplingDuration", "MinimumThroughput", "HalfOpenProbes",
            "MaxConcurrency", "RetryBudget", "MinRetriesPerSecond",
        };

        /// <summary>A retry schedule longer than this is almost certainly a mistake (SIDECAR015).</summary>
        public static readonly TimeSpan AbsurdSchedule = TimeSpan.FromHours(1);

        /// <summary>A caller that waits this long should be able to cancel (SIDECAR017).</summary>
        public static readonly TimeSpan LongSchedule = TimeSpan.FromSeconds(1);

        public static PolicyModel Defaults(string circuitName) => new(
            PolicyModel.DefaultRetries,
            PolicyModel.DefaultDelay,
            PolicyModel.DefaultBackoff,
            PolicyModel.DefaultMaxDelay,
            Jitter: false,
            PolicyModel.DefaultFailureThreshold,
            PolicyModel.DefaultBreakDuration,
            Timeout: 0,
            RetryOn: EquatableArray<string>.Empty,
            NeverRetryOn: EquatableArray<string>.Empty,
            Fallback: null,
            circuitName);

        /// <summary>
        /// Applies the named arguments of <paramref name="attribute"/> over <paramref name="basePolicy"/>.
        /// <paramref name="ownsBreaker"/> tells whether the attribute set breaker knobs (then it gets a circuit of its own).
        /// </summary>
        /// <param name="deferredRefinements">
        /// When given (the type's attribute), SIDECAR018 candidates go here with the knob they need, to be reported only if
        /// no method switches that knob on; otherwise they are reported at once.
        /// </param>
        public static PolicyModel Read(AttributeData attribute, PolicyModel basePolicy, Compilation compilation, List<DiagnosticInfo> diagnostics, out bool ownsBreaker, List<(string Needs, DiagnosticInfo Diagnostic)>? deferredRefinements = null)
        {
            PolicyModel policy = basePolicy;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
            LocationInfo? attributeLocation = LocationInfo.From(syntax);
            LocationInfo? At(string knob) => LocationInfo.From(Argument(syntax, knob)) ?? attributeLocation;
            var set = new HashSet<string>(StringComparer.Ordinal);

            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                TypedConstant value = argument.Value;
                if (value.Kind == TypedConstantKind.Error)
                {
                    continue; // the compiler already reports it
                }

                set.Add(argument.Key);
                switch (argument.Key)
                {
                    case "Retries" when value.Value is int retries:
                        policy = policy with { Retries = NotNegative("Retries", retries, diagnostics, At("Retries")) };
                        break;
                    case "Delay" when value.Value is int delay:
                        policy = policy with { Delay = NotNegative("Delay", delay, diagnostics, At("Delay")) };
                        break;
                    case "Backoff" when value.Value is int backoff:
                        if (backoff is < 0 or > 2)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKnob, At("Backoff"), "Backoff", backoff, "use Backoff.Constant, Backoff.Linear or Backoff.Exponential"));
                            backoff = PolicyModel.DefaultBackoff;
                        }

                        policy = policy with { Backoff = backoff };
                        break;
                    case "MaxDelay" when value.Value is int maxDelay:
                        policy = policy with { MaxDelay = NotNegative("MaxDelay", maxDelay, diagnostics, At("MaxDelay")) };
                        break;
                    case "Jitter" when value.Value is bool jitter:
                        policy = policy with { Jitter = jitter };
                        break;
                    case "FailureThreshold" when value.Value is int threshold:
                        policy = policy with { FailureThreshold = NotNegative("FailureThreshold", threshold, diagnostics, At("FailureThreshold")) };
                        break;
                    case "BreakDuration" when value.Value is int breakDuration:
                        policy = policy with { BreakDuration = NotNegative("BreakDuration", breakDuration, diagnostics, At("BreakDuration")) };
                        break;
                    case "FailureRatio" when value.Value is double ratio:
                        policy = policy with { FailureRatio = Fraction("FailureRatio", ratio, max: 1, "it is a fraction of failed attempts: between 0 (off) and 1, e.g. 0.5", diagnostics, At("FailureRatio")) };
                        break;
                    case "SamplingDuration" when value.Value is int sampling:
                        policy = policy with { SamplingDuration = AtLeastOne("SamplingDuration", sampling, PolicyModel.DefaultSamplingDuration, diagnostics, At("SamplingDuration")) };
                        break;
                    case "MinimumThroughput" when value.Value is int throughput:
                        policy = policy with { MinimumThroughput = AtLeastOne("MinimumThroughput", throughput, PolicyModel.DefaultMinimumThroughput, diagnostics, At("MinimumThroughput")) };
                        break;
                    case "HalfOpenProbes" when value.Value is int probes:
                        policy = policy with { HalfOpenProbes = AtLeastOne("HalfOpenProbes", probes, PolicyModel.DefaultHalfOpenProbes, diagnostics, At("HalfOpenProbes")) };
                        break;
                    case "MaxConcurrency" when value.Value is int concurrency:
                        policy = policy with { MaxConcurrency = NotNegative("MaxConcurrency", concurrency, diagnostics, At("MaxConcurrency")) };
                        break;
                    case "RetryBudget" when value.Value is double budget:
                        policy = policy with { RetryBudget = Fraction("RetryBudget", budget, max: double.MaxValue, "it is the retries allowed per call: 0 (off) or a positive fraction, e.g. 0.2", diagnostics, At("RetryBudget")) };
                        break;
                    case "MinRetriesPerSecond" when value.Value is int minRetries:
                        policy = policy with { MinRetriesPerSecond = NotNegative("MinRetriesPerSecond", minRetries, diagnostics, At("MinRetriesPerSecond")) };
                        break;
                    case "Timeout" when value.Value is int timeout:
                        policy = policy with { Timeout = NotNegative("Timeout", timeout, diagnostics, At("Timeout")) };
                        break;
                    case "RetryOn" when value.Kind == TypedConstantKind.Array && !value.IsNull:
                        policy = policy with { RetryOn = ExceptionTypes("RetryOn", value, syntax, compilation, diagnostics) };
                        break;
                    case "NeverRetryOn" when value.Kind == TypedConstantKind.Array && !value.IsNull:
                        policy = policy with { NeverRetryOn = ExceptionTypes("NeverRetryOn", value, syntax, compilation, diagnostics) };
                        break;
                    case "Fallback" when value.Value is string fallback:
                        policy = policy with { Fallback = fallback };
                        break;
                }
            }

            // A method that sets any of these gets a circuit (and bulkhead, and budget) of its own.
            ownsBreaker = set.Overlaps(SharedKnobs);

            // Knobs that are fine alone but not together; checked where one of them is set.
            if ((set.Contains("MaxDelay") || set.Contains("Delay")) && policy.MaxDelay > 0 && policy.MaxDelay < policy.Delay && policy.Retries > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MaxDelayBelowDelay, set.Contains("MaxDelay") ? At("MaxDelay") : At("Delay"), policy.MaxDelay, policy.Delay));
            }

            if ((set.Contains("BreakDuration") || set.Contains("FailureThreshold") || set.Contains("FailureRatio")) && policy.HasBreaker && policy.BreakDuration == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ZeroBreakDuration, set.Contains("BreakDuration") ? At("BreakDuration") : set.Contains("FailureThreshold") ? At("FailureThreshold") : At("FailureRatio")));
            }

            // Knobs that only refine another one: say so when that one is off, rather than silently ignoring them.
            foreach ((string knob, string needs, bool off) in new[]
            {
                ("SamplingDuration", "FailureRatio", policy.FailureRatio <= 0),
                ("MinimumThroughput", "FailureRatio", policy.FailureRatio <= 0),
                ("HalfOpenProbes", "FailureThreshold or FailureRatio", !policy.HasBreaker),
                ("BreakDuration", "FailureThreshold or FailureRatio", !policy.HasBreaker),
                ("MinRetriesPerSecond", "RetryBudget", policy.RetryBudget <= 0),
            })
            {
                if (off && set.Contains(knob))
                {
                    DiagnosticInfo diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.SettingWithoutEffect, At(knob), knob, needs);
                    if (deferredRefinements is null)
                    {
                        diagnostics.Add(diagnostic);
                    }
                    else
                    {
                        deferredRefinements.Add((needs, diagnostic));
                    }
                }
            }

            if (set.Overlaps(new[] { "Retries", "Delay", "Backoff", "MaxDelay" }) && TotalDelay(policy) >= AbsurdSchedule)
            {
                string knob = new[] { "Retries", "Delay", "Backoff", "MaxDelay" }.First(set.Contains);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AbsurdSchedule, At(knob), Describe(TotalDelay(policy)), policy.Retries));
            }

            return policy;
        }

        /// <summary>The sum of every delay of the schedule (the longest a call can spend waiting), saturating.</summary>
        public static TimeSpan TotalDelay(PolicyModel policy)
        {
            double total = 0;
            for (int retry = 1; retry <= policy.Retries && total < TimeSpan.MaxValue.TotalMilliseconds / 2; retry++)
            {
                double delay = policy.Backoff switch
                {
                    0 => policy.Delay,
                    2 => policy.Delay * Math.Pow(2, Math.Min(retry - 1, 1023)),
                    _ => (double)policy.Delay * retry,
                };
                total += policy.MaxDelay > 0 ? Math.Min(delay, policy.MaxDelay) : delay;
            }

            return TimeSpan.FromMilliseconds(Math.Min(total, TimeSpan.MaxValue.TotalMilliseconds / 2));
        }

        /// <summary>Whether <paramref name="policy"/> has the feature a SIDECAR018 candidate needs.</summary>
        public static bool Has(PolicyModel policy, string needs) => needs switch
        {
            "FailureRatio" => policy.FailureRatio > 0,
            "RetryBudget" => policy.RetryBudget > 0,
            _ => policy.HasBreaker,
        };

        /// <summary>The knobs a run-time override can replace (not RetryOn, NeverRetryOn, Fallback).</summary>
        public static readonly HashSet<string> OverridableKnobs = new(StringComparer.Ordinal)
        {
            "Retries", "Delay", "Backoff", "MaxDelay", "Jitter", "Timeout", "FailureThreshold", "BreakDuration", "FailureRatio",
            "SamplingDuration", "MinimumThroughput", "HalfOpenProbes", "MaxConcurrency", "RetryBudget", "MinRetriesPerSecond",
        };

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

        private static double Fraction(string knob, double value, double max, string explanation, List<DiagnosticInfo> diagnostics, LocationInfo? location)
        {
            if (value >= 0 && value <= max)
            {
                return value;
            }

            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKnob, location, knob, value.ToString(System.Globalization.CultureInfo.InvariantCulture), explanation));
            return 0;
        }

        private static int AtLeastOne(string knob, int value, int fallback, List<DiagnosticInfo> diagnostics, LocationInfo? location)
        {
            if (value >= 1)
            {
                return value;
            }

            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKnob, location, knob, value, "it must be at least 1"));
            return fallback;
        }

        private static int NotNegative(string knob, int value, List<DiagnosticInfo> diagnostics, LocationInfo? location)
        {
            if (value >= 0)
            {
                return value;
            }

            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKnob, location, knob, value, "it must be zero or positive"));
            return 0;
        }
    }
}
