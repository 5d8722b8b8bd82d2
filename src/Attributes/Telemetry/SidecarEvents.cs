using System;

namespace Sidecar
{
    /// <summary>
    /// The one sink of what a sidecar's calls do — retries, give-ups, denied retries, refusals, fallbacks, ends of calls:
    /// each event reaches the observer (and through it the logs) and the metrics and activity events once. Circuit state
    /// changes come through the circuit's own <see cref="CircuitTransitions"/>, which report to the same places.
    /// Nothing here may change what the call does: an observer that throws is ignored for that event.
    /// </summary>
    internal sealed class SidecarEvents
    {
        private readonly SidecarObserver? _observer;
        private readonly bool _hasFallback;

        public SidecarEvents(string service, SidecarObserver? observer, bool hasFallback)
        {
            Service = service;
            _observer = observer;
            _hasFallback = hasFallback;
        }

        public string Service { get; }

        public SidecarObserver? Observer => _observer;

        /// <summary>A call that succeeded.</summary>
        public void Succeeded(string member) => SidecarTelemetry.CallSucceeded(Service, member);

        /// <summary>A call refused by this sidecar's circuit.</summary>
        public void Rejected(string member, BrokenCircuitException rejected, CircuitState state)
        {
            Tell(static (o, s, a) => o.OnRejected(s, a.member, a.rejected), (member, rejected));

            // With a fallback the call is not over: it ends as "fallback".
            SidecarTelemetry.CallRejected(Service, member, rejected.CircuitName, state, countCall: !_hasFallback);
        }

        /// <summary>A call refused by this sidecar's bulkhead.</summary>
        public void Rejected(string member, BulkheadRejectedException rejected)
        {
            Tell(static (o, s, a) => o.OnRejected(s, a.member, a.rejected), (member, rejected));
            if (!_hasFallback)
            {
                SidecarTelemetry.CallEnded(Service, member, SidecarTelemetry.Rejected, rejected);
            }
        }

        /// <summary>An attempt refused by this sidecar's rate limit.</summary>
        public void Rejected(string member, RateLimitRejectedException rejected)
        {
            Tell(static (o, s, a) => o.OnRejected(s, a.member, a.rejected), (member, rejected));
            if (!_hasFallback)
            {
                SidecarTelemetry.CallEnded(Service, member, SidecarTelemetry.Rejected, rejected);
            }
        }

        /// <summary>A call refused further in (by the sidecar of a dependency this one calls): it ends here as a failure.</summary>
        public void RejectedFurtherIn(string member, SidecarRejectedException rejected)
        {
            if (!_hasFallback)
            {
                SidecarTelemetry.CallEnded(Service, member, SidecarTelemetry.Failure, rejected);
            }
        }

        /// <summary>The caller cancelled attempt <paramref name="attempt"/> (1 for the first): the call ends, and no fallback answers it.</summary>
        public void Cancelled(string member, int attempt, Exception exception)
        {
            Tell(static (o, s, a) => o.OnGaveUp(s, a.member, a.attempt, a.exception, GiveUpReason.Cancelled), (member, attempt, exception));
            SidecarTelemetry.CallEnded(Service, member, SidecarTelemetry.Canceled, null);
        }

        /// <summary>A retry the retry budget did not allow; <paramref name="attempt"/> is 1 for the first attempt.</summary>
        public void RetryDenied(string member, int attempt, Exception exception, string budget)
        {
            SidecarTelemetry.RetryDenied(Service, member, budget);
            Tell(static (o, s, a) => o.OnRetryDenied(s, a.member, a.attempt, a.exception), (member, attempt, exception));
        }

        /// <summary>
        /// A failed attempt (1 for the first), retried after <paramref name="delay"/> or, when not, the end of the call, for
        /// <paramref name="reason"/>: answered by the fallback when <paramref name="fallBack"/>, else ending as a failure, or
        /// as ignored when <paramref name="outcome"/> says the failure is nothing to do with the dependency.
        /// </summary>
        public void AttemptFailed(string member, int attempt, Exception exception, bool retry, TimeSpan delay, bool fallBack, Outcome outcome, GiveUpReason reason)
        {
            Tell(static (o, s, a) => o.OnAttemptFailed(s, a.member, a.attempt, a.exception, a.retry, a.delay), (member, attempt, exception, retry, delay));
            if (!retry)
            {
                Tell(static (o, s, a) => o.OnGaveUp(s, a.member, a.attempt, a.exception, a.reason), (member, attempt, exception, reason));
            }

            if (retry)
            {
                SidecarTelemetry.Retrying(Service, member, attempt, exception, delay);
            }
            else if (!fallBack)
            {
                // The last attempt: the call ends with this exception (or this result). With a fallback it ends as "fallback".
                string ending = outcome is Outcome.Ignored or Outcome.Success ? SidecarTelemetry.Ignored : SidecarTelemetry.Failure;
                SidecarTelemetry.CallEnded(Service, member, ending, exception);
            }
        }

        /// <summary>A hedged attempt started (<paramref name="attempt"/> and <paramref name="hedge"/> count from 1).</summary>
        public void Hedged(string member, int attempt, int hedge, bool afterFailure)
        {
            Tell(static (o, s, a) => o.OnHedged(s, a.member, a.attempt, a.hedge), (member, attempt, hedge));
            SidecarTelemetry.Hedged(Service, member, attempt, hedge, afterFailure);
        }

        /// <summary>The fallback answers a call that finally failed or was refused.</summary>
        public void FellBack(string member, Exception exception) => SidecarTelemetry.FellBack(Service, member, exception);

        private void Tell<TState>(Action<SidecarObserver, string, TState> callback, TState state)
        {
            if (_observer is null)
            {
                return;
            }

            try
            {
                callback(_observer, Service, state);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // An observer that throws must not change what the sidecar does.
            }
        }
    }
}
