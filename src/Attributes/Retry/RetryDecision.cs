using System;

namespace Sidecar
{
    /// <summary>
    /// Whether a failed attempt is tried again and after how long: pure arithmetic over the policy and what is known of
    /// the failure. The pipeline gathers the facts (and spends the retry budget); this decides.
    /// </summary>
    internal static class RetryDecision
    {
        /// <summary>
        /// Whether the failure of attempt <paramref name="attempt"/> (0 for the first) may be retried: a transient failure,
        /// retries left, the caller still waiting, and a circuit that would let the next attempt through (better the
        /// dependency's own exception than a refusal).
        /// </summary>
        public static bool MayRetry(SidecarPolicy policy, bool transient, int attempt, bool cancelled, bool circuitClosed)
            => transient && attempt < policy.Retries && !cancelled && circuitClosed;

        /// <summary>
        /// The wait before retry number <paramref name="attempt"/> + 1, or <c>null</c> when the dependency asked for a longer
        /// wait (<paramref name="retryAfter"/>) than <see cref="SidecarPolicy.MaxDelay"/> allows: then the failure is final.
        /// </summary>
        /// <param name="policy">The member's policy.</param>
        /// <param name="attempt">The attempt that failed, 0 for the first.</param>
        /// <param name="previous">The previous wait of this call (zero before the first retry), which decorrelated jitter grows from.</param>
        /// <param name="retryAfter">The wait the dependency asked for (<see cref="IRetryAfter"/>), if any.</param>
        /// <param name="random">A number in [0, 1), used only with <see cref="SidecarPolicy.Jitter"/>.</param>
        public static TimeSpan? Delay(SidecarPolicy policy, int attempt, TimeSpan previous, TimeSpan? retryAfter, double random)
        {
            TimeSpan delay = policy.Jitter && policy.Backoff == Backoff.Exponential
                ? BackoffSchedule.DecorrelatedJitter(policy.Delay, previous, policy.MaxDelay, random)
                : BackoffSchedule.DelayFor(policy.Backoff, policy.Delay, attempt + 1, policy.MaxDelay, policy.Jitter ? random : null);
            if (retryAfter is TimeSpan asked && asked > delay)
            {
                // The dependency said when to come back: wait that long, or give up if it is more than we may wait.
                return policy.MaxDelay <= TimeSpan.Zero || asked <= policy.MaxDelay ? asked : null;
            }

            return delay;
        }
    }
}
