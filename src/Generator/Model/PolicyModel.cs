using Sidecar.Generators.Catalogue;

namespace Sidecar.Generators.Model
{
    /// <summary>
    /// The resilience knobs of one member (after a method's attribute was merged over its type's): every scalar knob of
    /// the catalogue in <see cref="Values"/>, and the compiled-in lists and names beside them.
    /// </summary>
    internal sealed record PolicyModel(
        KnobValues Values,
        EquatableArray<string> RetryOn,
        EquatableArray<string> NeverRetryOn,
        string? Fallback,
        string CircuitName,
        EquatableArray<string> OwnKnobs = default,
        string? Classify = null)
    {
        /// <summary>Every knob at its default, for the circuit <paramref name="circuitName"/>.</summary>
        public static PolicyModel Defaults(string circuitName)
            => new(KnobValues.Defaults, EquatableArray<string>.Empty, EquatableArray<string>.Empty, null, circuitName);

        public int Retries => Values.Int32(KnobId.Retries);

        /// <summary>Milliseconds before the first retry.</summary>
        public int Delay => Values.Int32(KnobId.Delay);

        public Backoff Backoff => (Backoff)Values.Int32(KnobId.Backoff);

        /// <summary>Cap of a single delay in milliseconds (0: none).</summary>
        public int MaxDelay => Values.Int32(KnobId.MaxDelay);

        /// <summary>Milliseconds per attempt (0: none).</summary>
        public int Timeout => Values.Int32(KnobId.Timeout);

        /// <summary>Milliseconds a whole call may take (0: no deadline).</summary>
        public int TotalTimeout => Values.Int32(KnobId.TotalTimeout);

        /// <summary>Extra attempts started beside one that has not answered (0: no hedging).</summary>
        public int Hedging => Values.Int32(KnobId.Hedging);

        /// <summary>Milliseconds the circuit stays open.</summary>
        public int BreakDuration => Values.Int32(KnobId.BreakDuration);

        /// <summary>
        /// Milliseconds before retry <paramref name="retry"/> (1 for the first), as the schedule computes it without jitter;
        /// <paramref name="capped"/> applies MaxDelay. Never decreases with <paramref name="retry"/>.
        /// </summary>
        public double DelayBefore(int retry, bool capped = true)
        {
            double delay = Backoff switch
            {
                Backoff.Constant => Delay,
                Backoff.Exponential => Delay * System.Math.Pow(2, System.Math.Min(retry - 1, 1023)),
                _ => (double)Delay * retry,
            };
            return capped && MaxDelay > 0 ? System.Math.Min(delay, MaxDelay) : delay;
        }

        /// <summary>Whether the policy has a circuit breaker.</summary>
        public bool HasBreaker => Values.AnyOn(Catalogue.Knobs.CircuitBreaker);
    }
}
