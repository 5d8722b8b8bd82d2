using System;

namespace Sidecar
{
    /// <summary>How a <see cref="CircuitBreaker"/> decides to open and to close again.</summary>
    public sealed class CircuitBreakerOptions
    {
        /// <summary>Failed attempts in a row that open the circuit (0: this trigger is off).</summary>
        public int FailureThreshold { get; set; }

        /// <summary>How long the circuit stays open before half-open probes are let through.</summary>
        public TimeSpan BreakDuration { get; set; } = TimeSpan.FromMilliseconds(SidecarDefaults.BreakDuration);

        /// <summary>Fraction of failed attempts within <see cref="SamplingDuration"/> that opens the circuit (0: this trigger is off).</summary>
        public double FailureRatio { get; set; }

        /// <summary>The sliding window <see cref="FailureRatio"/> is measured over.</summary>
        public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromMilliseconds(SidecarDefaults.SamplingDuration);

        /// <summary>Attempts the window must hold before <see cref="FailureRatio"/> or <see cref="SlowCallRatio"/> may open the circuit.</summary>
        public int MinimumThroughput { get; set; } = SidecarDefaults.MinimumThroughput;

        /// <summary>
        /// An attempt that takes at least this long is slow, whatever its outcome (<see cref="TimeSpan.Zero"/>: slow calls
        /// are not watched). Resilience4j's slow-call duration threshold.
        /// </summary>
        public TimeSpan SlowCallDuration { get; set; }

        /// <summary>
        /// Fraction (0 &lt; ratio ≤ 1) of slow attempts within <see cref="SamplingDuration"/> that opens the circuit, once
        /// <see cref="MinimumThroughput"/> attempts were seen, even if they all succeeded. Default 1.
        /// </summary>
        public double SlowCallRatio { get; set; } = SidecarDefaults.SlowCallRatio;

        /// <summary>Probe calls a half-open circuit lets through; all must succeed to close it, the first failure opens it.</summary>
        public int HalfOpenProbes { get; set; } = SidecarDefaults.HalfOpenProbes;

        /// <summary>
        /// The longest a half-open probe may hold its slot. A probe whose attempt has not ended by then (the dependency
        /// hangs, or it was cancelled or timed out but is still running) counts as failed: the circuit opens again for
        /// another <see cref="BreakDuration"/>, then lets new probes through. Default 60 s, so that a hung probe can never
        /// keep a circuit half-open for good; <see cref="TimeSpan.MaxValue"/> waits for probes however long they take.
        /// </summary>
        public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(SidecarDefaults.ProbeTimeout);
    }
}
