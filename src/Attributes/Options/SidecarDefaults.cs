namespace Sidecar
{
    /// <summary>The values a <see cref="SidecarAttribute"/> knob has when it is not set.</summary>
    public static class SidecarDefaults
    {
        /// <summary>Retries after the first attempt.</summary>
        public const int Retries = 3;

        /// <summary>Milliseconds before the first retry.</summary>
        public const int Delay = 100;

        /// <summary>Delay growth.</summary>
        public const Backoff Backoff = Sidecar.Backoff.Linear;

        /// <summary>Cap of a single delay in milliseconds.</summary>
        public const int MaxDelay = 30_000;

        /// <summary>Failed attempts in a row that open the circuit (0: no breaker).</summary>
        public const int FailureThreshold = 0;

        /// <summary>Milliseconds the circuit stays open.</summary>
        public const int BreakDuration = 5_000;

        /// <summary>Fraction of failed attempts in the sampling window that opens the circuit (0: no failure-ratio breaker).</summary>
        public const double FailureRatio = 0;

        /// <summary>Milliseconds of the window over which <see cref="SidecarAttribute.FailureRatio"/> is measured.</summary>
        public const int SamplingDuration = 30_000;

        /// <summary>Attempts the sampling window must hold before <see cref="SidecarAttribute.FailureRatio"/> may open the circuit.</summary>
        public const int MinimumThroughput = 100;

        /// <summary>Probe calls a half-open circuit lets through; all must succeed to close it.</summary>
        public const int HalfOpenProbes = 1;

        /// <summary>
        /// Milliseconds a half-open probe may hold its slot before it counts as failed (60 s; the attempt
        /// <c>Timeout</c> instead when that is longer).
        /// </summary>
        public const int ProbeTimeout = 60_000;

        /// <summary>Calls running at once per service (0: no bulkhead).</summary>
        public const int MaxConcurrency = 0;

        /// <summary>Retries allowed per call made, over <see cref="RetryBudgetWindow"/> (0: no retry budget).</summary>
        public const double RetryBudget = 0;

        /// <summary>Retries per second always allowed by a retry budget, however few calls were made.</summary>
        public const int MinRetriesPerSecond = 10;

        /// <summary>Milliseconds over which a retry budget counts calls and retries.</summary>
        public const int RetryBudgetWindow = 10_000;

        /// <summary>Fraction by which <see cref="SidecarAttribute.Jitter"/> may move a delay either way.</summary>
        public const double JitterSpread = 0.25;
    }
}
