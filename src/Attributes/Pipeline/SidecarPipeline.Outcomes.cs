using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar
{
    public sealed partial class SidecarPipeline
    {
        // t_ for thread-static, as dotnet/runtime names them (.editorconfig's naming rules cannot see the attribute).
#pragma warning disable IDE1006
        [ThreadStatic]
        private static Random? t_random;
#pragma warning restore IDE1006

        /// <summary>Records a successful attempt of <paramref name="member"/>, which ends the call (closes a half-open circuit).</summary>
        /// <param name="member">The member called.</param>
        /// <param name="permit">The permit <see cref="Enter(SidecarMember, int)"/> or <see cref="Start"/> gave the attempt.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnSuccess(SidecarMember member, CircuitPermit permit = default) => OnSuccessCore(member, permit);

        // Inlined into every decorated member: only the "nothing to record" test stays here; the breaker's state change,
        // the observer and telemetry live in a method of their own, so the happy path stays as small as hand-written code.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void OnSuccessCore(SidecarMember member, CircuitPermit permit)
        {
            CircuitBreaker? gate = _fastGate;
            if (gate is not null && permit.IsEmpty && gate.FailuresInARow == 0 && !SidecarTelemetry.IsRecordingCalls)
            {
                return;
            }

            OnSuccessSlow(member, permit);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void OnSuccessSlow(SidecarMember member, CircuitPermit permit)
        {
            if (permit.HoldsBulkheadSlot)
            {
                _bulkhead!.Release();
            }

            _breaker?.OnSuccess(permit);
            if (_budget is not null && !permit.IsRetry)
            {
                _budget.OnCall();
            }

            _events.Succeeded(member.Name);
        }

        /// <summary>
        /// Records that the fallback answers a call of <paramref name="member"/> that finally failed or was refused
        /// (telemetry only: outcome <c>fallback</c>). Call it where the fallback is invoked, after
        /// <see cref="ShouldFallBack(SidecarMember, Exception, CancellationToken)"/> said yes.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="exception">The failure the fallback answers.</param>
        public void OnFallback(SidecarMember member, Exception exception) => _events.FellBack(member.Name, exception);

        /// <summary>Whether a failure that was not retried may be answered by the fallback (not when the caller cancelled). Pure.</summary>
        public bool ShouldFallBack(Exception exception, CancellationToken cancellationToken)
            => !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

        /// <summary>
        /// Whether the failure that ended a call of <paramref name="member"/> is answered by its fallback: a refusal, or a
        /// failure classified <see cref="Outcome.Transient"/> or <see cref="Outcome.Failure"/> by <c>RetryOn</c>/<c>NeverRetryOn</c>
        /// — not an ignored one (the caller's own mistake) and not the caller's cancellation. Pure.
        /// </summary>
        public bool ShouldFallBack(SidecarMember member, Exception exception, CancellationToken cancellationToken)
        {
            if (!ShouldFallBack(exception, cancellationToken))
            {
                return false;
            }

            return exception is SidecarRejectedException or SidecarResultException || IsOwnDeadline(exception)
                || FallbackAnswers(DefaultOutcome(PolicyFor(member), exception));
        }

        /// <summary>
        /// Whether the failure that ended a call is answered by its fallback, for a member with a <c>Classify</c> method for
        /// exceptions: a refusal, or a failure whose last classification, <paramref name="lastOutcome"/>, was
        /// <see cref="Outcome.Transient"/> or <see cref="Outcome.Failure"/> (an exception thrown by <c>Classify</c> itself
        /// counts as a failure). Pure.
        /// </summary>
        public bool ShouldFallBack(Exception exception, CancellationToken cancellationToken, Outcome lastOutcome)
        {
            if (!ShouldFallBack(exception, cancellationToken))
            {
                return false;
            }

            return exception is SidecarRejectedException or SidecarResultException || IsOwnDeadline(exception)
                || FallbackAnswers(lastOutcome);
        }

        /// <summary>Records a failed attempt and decides whether to try again; see the overload with <c>previous</c>.</summary>
        public bool ShouldRetry(SidecarMember member, Exception exception, int attempt, CircuitPermit permit, CancellationToken cancellationToken, out TimeSpan delay)
            => ShouldRetry(member, exception, attempt, permit, cancellationToken, TimeSpan.Zero, out delay);

        /// <summary>
        /// Records a failed attempt and decides whether to try again. Call it from a <c>catch</c> block, never from an
        /// exception filter: it gives back slots and tells observers, which must wait until the failing attempt has
        /// unwound (its own <c>finally</c> blocks run). When it says no, rethrow with <c>throw;</c>: the caller gets the
        /// dependency's exception, with its stack trace.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="exception">What the attempt threw.</param>
        /// <param name="attempt">0 for the first attempt.</param>
        /// <param name="permit">The permit <see cref="Enter(SidecarMember, int)"/> gave the attempt.</param>
        /// <param name="cancellationToken">The caller's token.</param>
        /// <param name="previous">The previous wait of this call (<see cref="TimeSpan.Zero"/> before the first retry), which decorrelated jitter grows from.</param>
        /// <param name="delay">The wait before the next attempt.</param>
        public bool ShouldRetry(SidecarMember member, Exception exception, int attempt, CircuitPermit permit, CancellationToken cancellationToken, TimeSpan previous, out TimeSpan delay)
            => ShouldRetry<object?>(member, exception, null, null, attempt, permit, cancellationToken, previous, out delay, out _);

        /// <summary>
        /// Records a failed attempt of a member with a <c>Classify</c> method for exceptions, and decides whether to try
        /// again; see <see cref="ShouldRetry(SidecarMember, Exception, int, CircuitPermit, CancellationToken, TimeSpan, out TimeSpan)"/>.
        /// Refusals and the caller's cancellation are not shown to <paramref name="classify"/>. When it throws, what the
        /// attempt held is given back and its exception propagates.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="exception">What the attempt threw.</param>
        /// <param name="state">Passed to <paramref name="classify"/> (the sidecar), so that it need not capture it.</param>
        /// <param name="classify">The member's classification of an exception; <c>null</c> for <c>RetryOn</c>/<c>NeverRetryOn</c>.</param>
        /// <param name="attempt">0 for the first attempt.</param>
        /// <param name="permit">The permit <see cref="Enter(SidecarMember, int)"/> gave the attempt.</param>
        /// <param name="cancellationToken">The caller's token.</param>
        /// <param name="previous">The previous wait of this call, which decorrelated jitter grows from.</param>
        /// <param name="delay">The wait before the next attempt.</param>
        /// <param name="outcome">How the failure was classified, for <see cref="ShouldFallBack(Exception, CancellationToken, Outcome)"/>.</param>
        /// <param name="deadline">The call's deadline (<see cref="StartCall"/>), if it has one.</param>
        /// <exception cref="SidecarTimeoutException">The retry could not start before the call's deadline (<see cref="SidecarTimeoutException.IsTotalTimeout"/>): the call ends with it.</exception>
        public bool ShouldRetry<TState>(SidecarMember member, Exception exception, TState state, Func<TState, Exception, Outcome>? classify, int attempt, CircuitPermit permit, CancellationToken cancellationToken, TimeSpan previous, out TimeSpan delay, out Outcome outcome, CallDeadline deadline = default)
            => ShouldRetryClassified(member, exception, null, state, classify, attempt, permit, cancellationToken, previous, out delay, out outcome, deadline);

        /// <summary>
        /// <see cref="ShouldRetry{TState}(SidecarMember, Exception, TState, Func{TState, Exception, Outcome}, int, CircuitPermit, CancellationToken, TimeSpan, out TimeSpan, out Outcome, CallDeadline)"/>
        /// for a failure already classified (<paramref name="known"/>, by a hedged round): <paramref name="classify"/> is
        /// asked only when <paramref name="known"/> is <c>null</c>.
        /// </summary>
        public bool ShouldRetryClassified<TState>(SidecarMember member, Exception exception, Outcome? known, TState state, Func<TState, Exception, Outcome>? classify, int attempt, CircuitPermit permit, CancellationToken cancellationToken, TimeSpan previous, out TimeSpan delay, out Outcome outcome, CallDeadline deadline)
        {
            delay = TimeSpan.Zero;
            outcome = Outcome.Failure;

            bool ended = ReleaseSlot(permit, exception);

            if (exception is SidecarRejectedException rejected)
            {
                // Refused before the call: says nothing about the dependency.
                _breaker?.OnIgnored(permit, ended);
                if (!ReferenceEquals(rejected.Origin, this))
                {
                    // Refused by a sidecar further in, not by this one's Enter (which counted its own refusal).
                    _events.RejectedFurtherIn(member.Name, rejected);
                }

                return false;
            }

            if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                // Cancelled by the caller: says nothing about the dependency, and no fallback answers it.
                outcome = Outcome.Ignored;
                _breaker?.OnIgnored(permit, ended);
                _events.Cancelled(member.Name, attempt + 1, exception);
                return false;
            }

            SidecarPolicy policy = PolicyFor(member);
            if (exception is SidecarTimeoutException { IsTotalTimeout: true } overdue && ReferenceEquals(overdue.Origin, this))
            {
                // The call's deadline passed: final, whatever Classify or RetryOn would say.
                if (attempt == 0)
                {
                    _budget?.OnCall();
                }

                if (overdue.BeforeAttempt)
                {
                    _breaker?.OnIgnored(permit, ended); // no attempt reached the dependency
                }
                else
                {
                    _breaker?.OnFailure(permit, ended, deliver: false);
                }

                _events.AttemptFailed(member.Name, attempt + 1, exception, retry: false, TimeSpan.Zero, policy.HasFallback, Outcome.Failure, GiveUpReason.Deadline);
                _breaker?.DeliverTransitions();
                return false;
            }

            if (known is { } decided)
            {
                outcome = decided;
            }
            else if (classify is null)
            {
                outcome = DefaultOutcome(policy, exception);
            }
            else
            {
                try
                {
                    outcome = classify(state, exception);
                }
                catch (Exception classifierFailure)
                {
                    // A classifier that throws is a bug: the attempt counts for nothing and its exception is what the caller sees.
                    _breaker?.OnIgnored(permit, ended);
                    ClassifierFailed(member, policy, attempt, classifierFailure);
                    throw;
                }
            }

            return Decide(member, policy, exception, outcome, attempt, permit, ended, cancellationToken, previous, (exception as IRetryAfter)?.RetryAfter, deadline, out delay);
        }

        /// <summary>
        /// Gives back the bulkhead slot of an attempt that ended with <paramref name="failure"/> (<c>null</c>: it returned).
        /// An attempt given up on (timed out, or the caller cancelled) may still be running inside the dependency: then its
        /// slot, and its probe slot, are given back only when it really ends, and this returns <c>false</c> (the circuit's
        /// verdict must leave the probe slot alone).
        /// </summary>
        private bool ReleaseSlot(CircuitPermit permit, Exception? failure)
        {
            Task? stillRunning = failure is null || permit.IsEmpty ? null : AbandonedAttempts.StillRunning(failure);
            if (stillRunning is not null)
            {
                AbandonedAttempts.ReleaseWhenEnded(stillRunning, permit, _bulkhead, _breaker);
                return false;
            }

            if (permit.HoldsBulkheadSlot)
            {
                _bulkhead!.Release();
            }

            return true;
        }

        /// <summary>
        /// The outcome of an exception for a member without a <c>Classify</c> method: <see cref="Outcome.Transient"/> when
        /// <c>RetryOn</c>/<c>NeverRetryOn</c> allow retrying it (every exception when neither is set), else
        /// <see cref="Outcome.Failure"/> for a <see cref="SidecarTimeoutException"/> (a timeout is the dependency failing) and
        /// <see cref="Outcome.Ignored"/> for the rest. Refusals and the caller's cancellation never get this far.
        /// </summary>
        internal static Outcome DefaultOutcome(SidecarPolicy policy, Exception exception)
            => policy.IsTransient(exception) ? Outcome.Transient
                : exception is SidecarTimeoutException ? Outcome.Failure
                : Outcome.Ignored;

        // Records a classified failure of an attempt (a thrown exception, or a result standing in one) and decides whether to
        // retry. The attempt's bulkhead slot has already been dealt with.
        private bool Decide(SidecarMember member, SidecarPolicy policy, Exception failure, Outcome outcome, int attempt, CircuitPermit permit, bool ended, CancellationToken cancellationToken, TimeSpan previous, TimeSpan? retryAfter, CallDeadline deadline, out TimeSpan delay)
        {
            delay = TimeSpan.Zero;
            if (attempt == 0)
            {
                _budget?.OnCall();
            }

            if (_breaker is not null)
            {
                switch (outcome)
                {
                    case Outcome.Transient or Outcome.Failure:
                        _breaker.OnFailure(permit, ended, deliver: false); // the failure is reported first, then the change it caused
                        break;
                    case Outcome.Success when ended:
                        _breaker.OnSuccess(permit);
                        break;
                    default:
                        _breaker.OnIgnored(permit, ended);
                        break;
                }
            }

            bool circuitClosed = _breaker is null || _breaker.IsClosed;
            bool retry = RetryDecision.MayRetry(policy, outcome == Outcome.Transient, attempt, cancellationToken.IsCancellationRequested, circuitClosed);
            GiveUpReason reason = outcome switch
            {
                Outcome.Transient => attempt >= policy.Retries ? GiveUpReason.RetriesExhausted
                    : cancellationToken.IsCancellationRequested ? GiveUpReason.Cancelled
                    : GiveUpReason.CircuitOpen,
                Outcome.Failure => GiveUpReason.NotTransient,
                _ => GiveUpReason.Ignored,
            };
            if (retry)
            {
                TimeSpan? wait = RetryDecision.Delay(policy, attempt, previous, retryAfter, policy.Jitter ? NextRandom() : 0);
                retry = wait is not null;
                delay = wait ?? TimeSpan.Zero;
                reason = GiveUpReason.RetryAfterTooLong;
            }

            if (retry && deadline.IsSet && delay >= deadline.Remaining(_time))
            {
                // The next attempt could not start before the call's deadline: do not wait for nothing.
                var overdue = SidecarTimeoutException.Total(this, Service, member.Name, deadline.Total, failure, beforeAttempt: false, " before retry " + (attempt + 1) + " could start");
                _events.AttemptFailed(member.Name, attempt + 1, overdue, retry: false, TimeSpan.Zero, policy.HasFallback, Outcome.Failure, GiveUpReason.Deadline);
                _breaker?.DeliverTransitions();
                throw overdue;
            }

            if (retry && _bulkhead is not null && (_bulkhead.MaxQueue > 0 ? _bulkhead.WouldRefuse : _bulkhead.IsFull))
            {
                // The retry would be refused by the bulkhead (full, and its line too): better the dependency's own failure
                // than a rejection. With a line that has room, the retry waits in it like any call.
                retry = false;
                delay = TimeSpan.Zero;
                reason = GiveUpReason.BulkheadFull;
            }

            if (retry && HasLimiter && !RateLimitWouldGrant(member, delay))
            {
                // The retry would be refused by the rate limit (no permit frees up within its delay): the dependency's own
                // failure stands.
                retry = false;
                delay = TimeSpan.Zero;
                reason = GiveUpReason.RateLimited;
            }

            if (retry && _budget is not null && !_budget.TryRetry())
            {
                // Over budget: the dependency is failing for many callers at once; this failure is final.
                retry = false;
                delay = TimeSpan.Zero;
                reason = GiveUpReason.RetryBudgetSpent;
                _events.RetryDenied(member.Name, attempt + 1, failure, _budget.Name);
            }

            bool fallBack = !retry && policy.HasFallback && FallbackAnswers(outcome);
            _events.AttemptFailed(member.Name, attempt + 1, failure, retry, delay, fallBack, outcome, reason);
            _breaker?.DeliverTransitions();
            return retry;
        }

        // The call ends with the exception of a Classify method: counted once, like any final failure (the fallback, if any,
        // answers it).
        private void ClassifierFailed(SidecarMember member, SidecarPolicy policy, int attempt, Exception classifierFailure)
        {
            if (attempt == 0)
            {
                _budget?.OnCall();
            }

            _events.AttemptFailed(member.Name, attempt + 1, classifierFailure, retry: false, TimeSpan.Zero, policy.HasFallback, Outcome.Failure, GiveUpReason.ClassifierFailed);
        }

        // This pipeline's own deadline passed (one of a sidecar further in is an ordinary timeout here).
        private bool IsOwnDeadline(Exception exception)
            => exception is SidecarTimeoutException { IsTotalTimeout: true } overdue && ReferenceEquals(overdue.Origin, this);

        /// <summary>Whether a fallback answers a final failure classified <paramref name="outcome"/>: not one that is ignored or a success.</summary>
        private static bool FallbackAnswers(Outcome outcome) => outcome is Outcome.Transient or Outcome.Failure;

        private double NextRandom()
        {
            if (_random is not null)
            {
                return _random();
            }

            return (t_random ??= new Random(Environment.CurrentManagedThreadId ^ Environment.TickCount)).NextDouble();
        }
    }
}
