using System;
using System.Globalization;

namespace Sidecar
{
    /// <summary>
    /// Thrown, without touching the inner instance, while a circuit is open: the dependency failed too often and
    /// is being given <see cref="RetryAfter"/> to recover.
    /// </summary>
    public sealed class BrokenCircuitException : SidecarRejectedException
    {
        /// <summary>Creates the exception.</summary>
        public BrokenCircuitException(string circuitName, DateTimeOffset retryAt, TimeSpan retryAfter)
            : base(string.Format(
                CultureInfo.InvariantCulture,
                "The circuit '{0}' is open: the call was not made. The circuit will be tried again at {1:O} (in {2:0} ms).",
                circuitName,
                retryAt,
                Math.Max(0, retryAfter.TotalMilliseconds)))
        {
            CircuitName = circuitName;
            RetryAt = retryAt;
            RetryAfter = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;
        }

        /// <summary>The circuit that refused the call.</summary>
        public string CircuitName { get; }

        /// <summary>When a probe call will be let through.</summary>
        public DateTimeOffset RetryAt { get; }

        /// <summary>How long until then, when the exception was thrown.</summary>
        public TimeSpan RetryAfter { get; }
    }
}
