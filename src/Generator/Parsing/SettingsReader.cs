using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Sidecar.Generators.Diagnostics;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Parsing
{
    /// <summary>Reads the knobs of a <c>[Sidecar]</c> attribute and merges a method's over its type's.</summary>
    internal static class SettingsReader
    {
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
            Fallback: null,
            circuitName);

        /// <summary>
        /// Applies the named arguments of <paramref name="attribute"/> over <paramref name="basePolicy"/>.
        /// <paramref name="ownsBreaker"/> tells whether the attribute set breaker knobs (then it gets a circuit of its own).
        /// </summary>
        public static PolicyModel Read(AttributeData attribute, PolicyModel basePolicy, List<DiagnosticInfo> diagnostics, out bool ownsBreaker)
        {
            PolicyModel policy = basePolicy;
            ownsBreaker = false;
            LocationInfo? location = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax());
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                TypedConstant value = argument.Value;
                if (value.Kind == TypedConstantKind.Error)
                {
                    continue; // the compiler already reports it
                }

                switch (argument.Key)
                {
                    case "Retries" when value.Value is int retries:
                        policy = policy with { Retries = NotNegative("Retries", retries, diagnostics, location) };
                        break;
                    case "Delay" when value.Value is int delay:
                        policy = policy with { Delay = NotNegative("Delay", delay, diagnostics, location) };
                        break;
                    case "Backoff" when value.Value is int backoff:
                        if (backoff is < 0 or > 2)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKnob, location, "Backoff", backoff, "use Backoff.Constant, Backoff.Linear or Backoff.Exponential"));
                            backoff = PolicyModel.DefaultBackoff;
                        }

                        policy = policy with { Backoff = backoff };
                        break;
                    case "MaxDelay" when value.Value is int maxDelay:
                        policy = policy with { MaxDelay = NotNegative("MaxDelay", maxDelay, diagnostics, location) };
                        break;
                    case "Jitter" when value.Value is bool jitter:
                        policy = policy with { Jitter = jitter };
                        break;
                    case "FailureThreshold" when value.Value is int threshold:
                        policy = policy with { FailureThreshold = NotNegative("FailureThreshold", threshold, diagnostics, location) };
                        ownsBreaker = true;
                        break;
                    case "BreakDuration" when value.Value is int breakDuration:
                        policy = policy with { BreakDuration = NotNegative("BreakDuration", breakDuration, diagnostics, location) };
                        ownsBreaker = true;
                        break;
                    case "Timeout" when value.Value is int timeout:
                        policy = policy with { Timeout = NotNegative("Timeout", timeout, diagnostics, location) };
                        break;
                    case "RetryOn" when value.Kind == TypedConstantKind.Array && !value.IsNull:
                        policy = policy with
                        {
                            RetryOn = value.Values
                                .Select(v => v.Value as ITypeSymbol)
                                .Where(t => t is not null && t.TypeKind != TypeKind.Error)
                                .Select(t => SymbolText.Type(t!.WithNullableAnnotation(NullableAnnotation.NotAnnotated)))
                                .Distinct()
                                .ToEquatableArray(),
                        };
                        break;
                    case "Fallback" when value.Value is string fallback:
                        policy = policy with { Fallback = fallback };
                        break;
                }
            }

            return policy;
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
