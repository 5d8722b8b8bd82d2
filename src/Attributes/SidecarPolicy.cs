using System;

namespace Sidecar
{
    /// <summary>
    /// The resilience settings of one decorated member (or of every member that shares them), as compiled in from
    /// <see cref="SidecarAttribute"/>. Immutable; generated code keeps one instance per distinct setting in a static field.
    /// </summary>
    public sealed class SidecarPolicy
    {
        private readonly Func<Exception, bool>? _isTransient;

        /// <summary>Creates a policy. Generated code calls this; values were validated at compile time.</summary>
        /// <param name="circuitName">Name of the circuit breaker this policy uses (shared by every decorator of the same service).</param>
        /// <param name="retries">Retries after the first attempt.</param>
        /// <param name="delay">Milliseconds before the first retry.</param>
        /// <param name="backoff">Delay growth.</param>
        /// <param name="maxDelay">Cap of a single delay in milliseconds (0: none).</param>
        /// <param name="jitter">Whether delays are spread randomly.</param>
        /// <param name="failureThreshold">Failed attempts in a row that open the circuit (0: no breaker).</param>
        /// <param name="breakDuration">Milliseconds the circuit stays open.</param>
        /// <param name="timeout">Milliseconds per attempt (0: none).</param>
        /// <param name="isTransient">Which exceptions may be retried; <c>null</c> means all of them.</param>
        /// <param name="fallback">Whether the members with this policy have a fallback that answers final failures and refusals.</param>
        public SidecarPolicy(
            string circuitName,
            int retries = SidecarDefaults.Retries,
            int delay = SidecarDefaults.Delay,
            Backoff backoff = SidecarDefaults.Backoff,
            int maxDelay = SidecarDefaults.MaxDelay,
            bool jitter = false,
            int failureThreshold = SidecarDefaults.FailureThreshold,
            int breakDuration = SidecarDefaults.BreakDuration,
            int timeout = 0,
            Func<Exception, bool>? isTransient = null,
            bool fallback = false)
        {
            CircuitName = circuitName ?? throw new ArgumentNullException(nameof(circuitName));
            Retries = NotNegative(retries, nameof(retries));
            Delay = TimeSpan.FromMilliseconds(NotNegative(delay, nameof(delay)));
            Backoff = backoff;
            MaxDelay = TimeSpan.FromMilliseconds(NotNegative(maxDelay, nameof(maxDelay)));
            Jitter = jitter;
            FailureThreshold = NotNegative(failureThreshold, nameof(failureThreshold));
            BreakDuration = TimeSpan.FromMilliseconds(NotNegative(breakDuration, nameof(breakDuration)));
            Timeout = TimeSpan.FromMilliseconds(NotNegative(timeout, nameof(timeout)));
            _isTransient = isTransient;
            HasFallback = fallback;
        }

        /// <summary>Name of the circuit breaker this policy uses.</summary>
        public string CircuitName { get; }

        /// <summary>Retries after the first attempt.</summary>
        public int Retries { get; }

        /// <summary>Delay before the first retry.</summary>
        public TimeSpan Delay { get; }

        /// <summary>Delay growth.</summary>
        public Backoff Backoff { get; }

        /// <summary>Cap of a single delay (<see cref="TimeSpan.Zero"/>: none).</summary>
        public TimeSpan MaxDelay { get; }

        /// <summary>Whether delays are spread randomly.</summary>
        public bool Jitter { get; }

        /// <summary>Failed attempts in a row that open the circuit (0: no breaker).</summary>
        public int FailureThreshold { get; }

        /// <summary>How long the circuit stays open before a probe.</summary>
        public TimeSpan BreakDuration { get; }

        /// <summary>Time limit per attempt (<see cref="TimeSpan.Zero"/>: none).</summary>
        public TimeSpan Timeout { get; }

        /// <summary>
        /// Whether the members with this policy have a fallback (<see cref="SidecarAttribute.Fallback"/>). Telemetry then
        /// counts a call that finally fails or is refused once, as answered by the fallback
        /// (<see cref="SidecarPipeline.OnFallback"/>), not as a failure or a rejection.
        /// </summary>
        public bool HasFallback { get; }

        /// <summary>Whether <paramref name="exception"/> is of a kind this policy retries (the <c>RetryOn</c> list).</summary>
        public bool IsTransient(Exception exception) => _isTransient is null || _isTransient(exception);

        private static int NotNegative(int value, string name)
            => value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, "Must be zero or positive.");
    }
}
