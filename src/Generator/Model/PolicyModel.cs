namespace Sidecar.Generators.Model
{
    /// <summary>The resilience knobs of one member (after a method's attribute was merged over its type's).</summary>
    internal sealed record PolicyModel(
        int Retries,
        int Delay,
        int Backoff,
        int MaxDelay,
        bool Jitter,
        int FailureThreshold,
        int BreakDuration,
        int Timeout,
        EquatableArray<string> RetryOn,
        EquatableArray<string> NeverRetryOn,
        string? Fallback,
        string CircuitName,
        double FailureRatio = 0,
        int SamplingDuration = PolicyModel.DefaultSamplingDuration,
        int MinimumThroughput = PolicyModel.DefaultMinimumThroughput,
        int HalfOpenProbes = PolicyModel.DefaultHalfOpenProbes,
        int MaxConcurrency = 0,
        double RetryBudget = 0,
        int MinRetriesPerSecond = PolicyModel.DefaultMinRetriesPerSecond,
        EquatableArray<string> OwnKnobs = default)
    {
        // Keep in step with Sidecar.SidecarDefaults (a test checks it).
        public const int DefaultRetries = 3;
        public const int DefaultDelay = 100;
        public const int DefaultBackoff = 1; // Linear
        public const int DefaultMaxDelay = 30_000;
        public const int DefaultFailureThreshold = 0;
        public const int DefaultBreakDuration = 5_000;
        public const int DefaultSamplingDuration = 30_000;
        public const int DefaultMinimumThroughput = 100;
        public const int DefaultHalfOpenProbes = 1;
        public const int DefaultMinRetriesPerSecond = 10;

        /// <summary>Whether the policy has a circuit breaker.</summary>
        public bool HasBreaker => FailureThreshold > 0 || FailureRatio > 0;
    }
}
