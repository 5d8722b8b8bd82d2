using System;

namespace Sidecar
{
    /// <summary>
    /// The monitor of the sidecar pattern: override what you want to watch. Callbacks run on the calling thread,
    /// inside the call; keep them short and do not throw.
    /// </summary>
    public abstract class SidecarObserver
    {
        /// <summary>An attempt failed. <paramref name="willRetry"/> says whether another attempt follows after <paramref name="delay"/>.</summary>
        /// <param name="service">The decorated service.</param>
        /// <param name="member">The member called.</param>
        /// <param name="attempt">1 for the first attempt.</param>
        /// <param name="exception">What the attempt threw.</param>
        /// <param name="willRetry">Whether the sidecar tries again.</param>
        /// <param name="delay">The wait before the next attempt (zero when none follows).</param>
        public virtual void OnAttemptFailed(string service, string member, int attempt, Exception exception, bool willRetry, TimeSpan delay)
        {
        }

        /// <summary>
        /// A failed attempt was not tried again, and why: the call ends with <paramref name="exception"/> (or the fallback
        /// answers it). Follows <see cref="OnAttemptFailed"/> with <c>willRetry: false</c>; also heard when the caller cancelled.
        /// </summary>
        /// <param name="service">The decorated service.</param>
        /// <param name="member">The member called.</param>
        /// <param name="attempt">1 for the first attempt.</param>
        /// <param name="exception">What the last attempt threw (for a result that was not a success, a <see cref="SidecarResultException"/>).</param>
        /// <param name="reason">Why no further attempt was made.</param>
        public virtual void OnGaveUp(string service, string member, int attempt, Exception exception, GiveUpReason reason)
        {
        }

        /// <summary>A circuit changed state.</summary>
        public virtual void OnCircuitStateChanged(string circuitName, CircuitState state)
        {
        }

        /// <summary>
        /// A failed attempt would have been retried, but the service's retry budget (<see cref="SidecarAttribute.RetryBudget"/>)
        /// is spent: the failure is final. <see cref="OnAttemptFailed"/> follows, with <c>willRetry: false</c>.
        /// </summary>
        /// <param name="service">The decorated service.</param>
        /// <param name="member">The member called.</param>
        /// <param name="attempt">1 for the first attempt.</param>
        /// <param name="exception">What the attempt threw.</param>
        public virtual void OnRetryDenied(string service, string member, int attempt, Exception exception)
        {
        }

        /// <summary>
        /// A hedged attempt started beside attempt <paramref name="attempt"/>, which had not answered within
        /// <see cref="SidecarAttribute.HedgingDelay"/> or had failed transiently (<see cref="SidecarAttribute.Hedging"/>).
        /// </summary>
        /// <param name="service">The decorated service.</param>
        /// <param name="member">The member called.</param>
        /// <param name="attempt">1 for the first attempt (a retry is hedged again).</param>
        /// <param name="hedge">1 for the first extra attempt of <paramref name="attempt"/>.</param>
        public virtual void OnHedged(string service, string member, int attempt, int hedge)
        {
        }

        /// <summary>A call was refused because the circuit is open or the bulkhead is full.</summary>
        public virtual void OnRejected(string service, string member, SidecarRejectedException exception)
        {
        }
    }
}
