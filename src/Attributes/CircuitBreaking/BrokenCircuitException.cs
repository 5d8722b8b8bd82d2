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
            : this(circuitName, retryAt, retryAfter, probeInFlight: false)
        {
        }

        /// <summary>Creates the exception; <paramref name="probeInFlight"/> when a half-open probe is still running.</summary>
        public BrokenCircuitException(string circuitName, DateTimeOffset retryAt, TimeSpan retryAfter, bool probeInFlight)
        {
            ProbeInFlight = probeInFlight;
            CircuitName = circuitName;
            RetryAt = retryAt;
            RetryAfter = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;
        }

        /// <inheritdoc/>
        /// <remarks>Written when read: failing fast should not pay for formatting a message nobody looks at.</remarks>
        public override string Message => RetryAt == DateTimeOffset.MaxValue
            ? string.Format(
                CultureInfo.InvariantCulture,
                "The circuit '{0}' was isolated by hand: the call was not made. It stays open until it is reset.",
                CircuitName)
            : ProbeInFlight
            ? string.Format(
                CultureInfo.InvariantCulture,
                "The circuit '{0}' is half-open and its probe calls are still running: the call was not made. Try again once they have finished.",
                CircuitName)
            : string.Format(
                CultureInfo.InvariantCulture,
                "The circuit '{0}' is open: the call was not made. The circuit will be tried again at {1:O} (in {2:0} ms).",
                CircuitName,
                RetryAt,
                RetryAfter.TotalMilliseconds);

        /// <summary>Whether the circuit is half-open with its probe call still running (rather than open).</summary>
        public bool ProbeInFlight { get; }

        /// <summary>The circuit that refused the call.</summary>
        public string CircuitName { get; }

        /// <summary>When a probe call will be let through.</summary>
        public DateTimeOffset RetryAt { get; }

        /// <summary>How long until then, when the exception was thrown.</summary>
        public TimeSpan RetryAfter { get; }
    }
}
