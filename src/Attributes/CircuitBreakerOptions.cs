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

        /// <summary>Attempts the window must hold before <see cref="FailureRatio"/> may open the circuit.</summary>
        public int MinimumThroughput { get; set; } = SidecarDefaults.MinimumThroughput;

        /// <summary>Probe calls a half-open circuit lets through; all must succeed to close it, the first failure opens it.</summary>
        public int HalfOpenProbes { get; set; } = SidecarDefaults.HalfOpenProbes;
    }
}
