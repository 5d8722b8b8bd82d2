using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Sidecar.Generators.Catalogue;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Emitting
{
    /// <summary>
    /// The effective compile-time policy of a member in words, for the <c>&lt;remarks&gt;</c> of the generated member: what
    /// a reader hovering over a call wants to know without opening the attribute (attempts, delays, breaker, timeout).
    /// </summary>
    internal static class PolicyDescription
    {
        private const int DelaysShown = 5;

        public static IEnumerable<string> Describe(PolicyModel p, MethodModel m, string serviceName)
        {
            var sentences = new List<string>();
            if (p.Retries == 0)
            {
                sentences.Add("One attempt, no retries.");
            }
            else
            {
                // Retries can be int.MaxValue: only the delays shown are computed, and the largest is the last one's.
                double[] shown = Enumerable.Range(1, Math.Min(p.Retries, DelaysShown)).Select(r => p.DelayBefore(r)).ToArray();
                bool capBites = p.MaxDelay > 0 && p.DelayBefore(p.Retries, capped: false) > p.MaxDelay;
                string waits = string.Join(", ", shown.Select(Duration)) + (p.Retries > DelaysShown ? ", …" : string.Empty);
                var shape = new List<string>
                {
                    p.Backoff switch
                    {
                        Backoff.Constant => "constant",
                        Backoff.Exponential => "exponential",
                        _ => "linear",
                    },
                };
                if (p.Values.IsOn(KnobId.Jitter))
                {
                    shape.Add(p.Backoff == Backoff.Exponential ? "decorrelated jitter: each drawn between Delay and 3 × the previous" : "±25 % jitter");
                }

                if (capBites)
                {
                    shape.Add("capped at " + Duration(p.MaxDelay));
                }

                sentences.Add(p.Delay == 0
                    ? "Up to " + Count(p.Retries + 1, "attempt") + ", retried at once."
                    : "Up to " + Count(p.Retries + 1, "attempt") + "; waits " + (p.Values.IsOn(KnobId.Jitter) ? "about " : string.Empty) + waits
                      + " before " + (p.Retries == 1 ? "the retry" : "the retries") + " (" + string.Join(", ", shape) + ").");
                if (p.NeverRetryOn.Count > 0)
                {
                    sentences.Add("Never retries " + Types(p.NeverRetryOn) + ".");
                }

                if (p.RetryOn.Count > 0)
                {
                    sentences.Add("Retries only " + Types(p.RetryOn) + ".");
                }
            }

            if (p.Timeout > 0)
            {
                sentences.Add(m.ReturnKind is ReturnKind.Void or ReturnKind.Value
                    ? "Timeout " + Duration(p.Timeout) + " is not enforced: the member is synchronous."
                    : "Each attempt is abandoned after " + Duration(p.Timeout) + ".");
            }

            if (p.TotalTimeout > 0)
            {
                sentences.Add(m.ReturnKind is ReturnKind.Void or ReturnKind.Value
                    ? "TotalTimeout " + Duration(p.TotalTimeout) + " is not enforced: the member is synchronous."
                    : "The whole call, attempts and delays, ends after " + Duration(p.TotalTimeout) + " with SidecarTimeoutException; no retry starts after that.");
            }

            if (p.Hedging > 0)
            {
                int delay = p.Values.Int32(KnobId.HedgingDelay);
                sentences.Add(m.ReturnKind is ReturnKind.Void or ReturnKind.Value
                    ? "Hedging is not done: the member is synchronous."
                    : "Hedged: " + (delay == 0 ? Count(p.Hedging, "more attempt") + " start at once beside each attempt"
                        : "an attempt that has not answered within " + Duration(delay) + " (or fails transiently) gets another beside it, up to " + p.Hedging.ToString(CultureInfo.InvariantCulture) + " more")
                        + "; the first outcome that is not Transient wins and the others are cancelled.");
            }

            if (p.HasBreaker)
            {
                var triggers = new List<string>();
                if (p.Values.IsOn(KnobId.FailureThreshold))
                {
                    int threshold = p.Values.Int32(KnobId.FailureThreshold);
                    triggers.Add(threshold == 1 ? "at the first failed attempt" : "after " + Count(threshold, "failed attempt") + " in a row");
                }

                if (p.Values.IsOn(KnobId.FailureRatio))
                {
                    triggers.Add("when " + (p.Values[KnobId.FailureRatio] * 100).ToString("0.#", CultureInfo.InvariantCulture) + " % of at least "
                        + Count(p.Values.Int32(KnobId.MinimumThroughput), "attempt") + " in " + Duration(p.Values.Int32(KnobId.SamplingDuration)) + " fail");
                }

                if (p.Values.IsOn(KnobId.SlowCallDuration))
                {
                    triggers.Add("when " + (p.Values[KnobId.SlowCallRatio] * 100).ToString("0.#", CultureInfo.InvariantCulture) + " % of at least "
                        + Count(p.Values.Int32(KnobId.MinimumThroughput), "attempt") + " in " + Duration(p.Values.Int32(KnobId.SamplingDuration)) + " take "
                        + Duration(p.Values.Int32(KnobId.SlowCallDuration)) + " or longer");
                }

                string whose = p.CircuitName == serviceName ? "The circuit, shared by every member of the service," : "The member's own circuit";
                sentences.Add(whose + " opens " + string.Join(", or ", triggers) + ", for " + Duration(p.BreakDuration)
                    + "; then " + Count(p.Values.Int32(KnobId.HalfOpenProbes), "probe call") + " " + (p.Values.Int32(KnobId.HalfOpenProbes) == 1 ? "decides" : "decide") + " whether it closes.");
            }

            string scope = p.CircuitName == serviceName ? "the service" : "this member";
            if (p.Values.IsOn(KnobId.MaxConcurrency))
            {
                sentences.Add("At most " + Count(p.Values.Int32(KnobId.MaxConcurrency), "attempt") + " of " + scope + " run at once; "
                    + (p.Values.IsOn(KnobId.MaxQueue) && m.ReturnKind is not (ReturnKind.Void or ReturnKind.Value)
                        ? "up to " + Count(p.Values.Int32(KnobId.MaxQueue), "more call") + " wait in order for a slot, one more is refused."
                        : "one more is refused."));
            }

            if (p.Values.IsOn(KnobId.RateLimit))
            {
                sentences.Add("At most " + Count(p.Values.Int32(KnobId.RateLimit), "attempt") + " of " + scope + " start in any " + Duration(p.Values.Int32(KnobId.RateLimitWindow)) + "; one more is refused.");
            }

            if (p.Values.IsOn(KnobId.RetryBudget))
            {
                // The budget's refinements (the floor of retries a second) are named by the catalogue, with their units.
                IEnumerable<string> floors = Knobs.RefinementsOf(KnobId.RetryBudget)
                    .Select(k => p.Values[k.Id].ToString("0.##", CultureInfo.InvariantCulture) + " " + k.Unit);
                sentences.Add("Retries are limited to " + (p.Values[KnobId.RetryBudget] * 100).ToString("0.#", CultureInfo.InvariantCulture)
                    + " % of the calls to " + scope + " over 10 s, plus " + string.Join(" and ", floors) + ".");
            }

            string? classifies = (m.ResultClassifier, m.ExceptionClassifier) switch
            {
                ({ } r, { }) => r.Name + " classifies its results and exceptions",
                ({ } r, null) => r.Name + " classifies its results",
                (null, { } e) => e.Name + " classifies its exceptions",
                _ => null,
            };
            if (classifies is not null)
            {
                sentences.Add(classifies + ": only a Transient outcome is retried, Transient and Failure count for the circuit.");
            }

            if (m.Fallback is not null)
            {
                sentences.Add("When the call finally fails or is refused, " + m.Fallback.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;") + " answers.");
            }

            sentences.Add("Run-time overrides (SidecarOptions.Overrides) can change these values.");
            return sentences;
        }

        private static string Count(int n, string noun) => n.ToString(CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? string.Empty : "s");

        private static string Types(EquatableArray<string> types)
            => string.Join(", ", types.Select(t => "<see cref=\"" + t.Replace('<', '{').Replace('>', '}') + "\"/>"));

        public static string Duration(double ms)
            => ms < 1000 ? ms.ToString("0.#", CultureInfo.InvariantCulture) + " ms"
                : ms < 60_000 ? (ms / 1000).ToString("0.##", CultureInfo.InvariantCulture) + " s"
                : ms < 3_600_000 ? (ms / 60_000).ToString("0.##", CultureInfo.InvariantCulture) + " min"
                : (ms / 3_600_000).ToString("0.##", CultureInfo.InvariantCulture) + " h";
    }
}
