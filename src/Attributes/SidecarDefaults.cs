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

        /// <summary>Fraction by which <see cref="SidecarAttribute.Jitter"/> may move a delay either way.</summary>
        public const double JitterSpread = 0.25;
    }
}
