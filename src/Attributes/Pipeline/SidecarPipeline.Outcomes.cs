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
        /// <see cref="ShouldFallBack"/> said yes.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="exception">The failure the fallback answers.</param>
        public void OnFallback(SidecarMember member, Exception exception) => _events.FellBack(member.Name, exception);

        /// <summary>Whether a failure that was not retried may be answered by the fallback (not when the caller cancelled). Pure.</summary>
        public bool ShouldFallBack(Exception exception, CancellationToken cancellationToken)
            => !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

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
        {
            delay = TimeSpan.Zero;

            // An attempt given up on (timed out, or the caller cancelled) may still be running inside the dependency: what
            // it holds is given back only when it really ends.
            Task? stillRunning = permit.IsEmpty ? null : AbandonedAttempts.StillRunning(exception);
            bool ended = stillRunning is null;
            if (permit.HoldsBulkheadSlot && ended)
            {
                _bulkhead!.Release();
            }
            else if (!ended)
            {
                AbandonedAttempts.ReleaseWhenEnded(stillRunning!, permit, _bulkhead, _breaker);
            }

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
                _breaker?.OnIgnored(permit, ended);
                _events.Cancelled(member.Name);
                return false;
            }

            SidecarPolicy policy = PolicyFor(member);
            bool transient = policy.IsTransient(exception);
            if (attempt == 0)
            {
                _budget?.OnCall();
            }

            if (_breaker is not null)
            {
                // A timeout is the dependency failing, whatever RetryOn says about retrying it.
                if (transient || exception is SidecarTimeoutException)
                {
                    _breaker.OnFailure(permit, ended, deliver: false); // the failure is reported first, then the change it caused
                }
                else
                {
                    _breaker.OnIgnored(permit, ended);
                }
            }

            bool retry = RetryDecision.MayRetry(policy, transient, attempt, cancellationToken.IsCancellationRequested, _breaker is null || _breaker.IsClosed);
            if (retry)
            {
                TimeSpan? wait = RetryDecision.Delay(policy, attempt, previous, (exception as IRetryAfter)?.RetryAfter, policy.Jitter ? NextRandom() : 0);
                retry = wait is not null;
                delay = wait ?? TimeSpan.Zero;
            }

            if (retry && _bulkhead is not null && _bulkhead.IsFull)
            {
                // The retry would be refused by the bulkhead: better the dependency's own failure than a rejection.
                retry = false;
                delay = TimeSpan.Zero;
            }

            if (retry && _budget is not null && !_budget.TryRetry())
            {
                // Over budget: the dependency is failing for many callers at once; this failure is final.
                retry = false;
                delay = TimeSpan.Zero;
                _events.RetryDenied(member.Name, attempt + 1, exception, _budget.Name);
            }

            _events.AttemptFailed(member.Name, attempt + 1, exception, retry, delay);
            _breaker?.DeliverTransitions();
            return retry;
        }

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
