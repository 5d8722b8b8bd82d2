using System;

namespace Sidecar
{
    /// <summary>What a sidecar takes from its host besides the inner instance. Every property is optional.</summary>
    public sealed class SidecarOptions
    {
        /// <summary>The options used when none are passed.</summary>
        public static SidecarOptions Default { get; } = new();

        /// <summary>The clock for delays and the circuit breaker. Default <see cref="TimeProvider.System"/>.</summary>
        public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

        /// <summary>Where circuit breakers live. Default <see cref="CircuitBreakerRegistry.Shared"/>; pass a new one to isolate.</summary>
        public CircuitBreakerRegistry CircuitBreakers { get; set; } = CircuitBreakerRegistry.Shared;

        /// <summary>Callbacks for retries, give-ups and circuit transitions. Default none.</summary>
        public SidecarObserver? Observer { get; set; }

        /// <summary>Source of the numbers in [0, 1) used by <see cref="SidecarAttribute.Jitter"/>. Default a thread-safe shared random.</summary>
        public Func<double>? Random { get; set; }
    }
}
