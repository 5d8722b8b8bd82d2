using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar
{
    // Admission: whether an attempt may start (circuit, bulkhead and its queue, rate limit) and what it holds if it does.
    public sealed partial class SidecarPipeline
    {
        /// <summary>
        /// Starts the first attempt of an asynchronous call on its fast path: the attempt's permit when the circuit is closed
        /// and the bulkhead, if any, had a free slot (the permit then holds it); a permit that <see cref="CircuitPermit.IsBlocked"/>,
        /// having taken nothing, when the call must go through <see cref="Refusal"/> and the retry loop. Returned by value, so
        /// that on the happy path it stays in a register.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CircuitPermit Start()
        {
            // The status word is decoded here rather than through CircuitBreaker.Pass: measured, the extra call and test
            // cost the completed-task paths about 1 ns (benchmarks/README.md, run 13). Only the fast gate is inlined into
            // every decorated member; a bulkhead, a budget or a ratio window take the call to StartSlow.
            CircuitBreaker? gate = _fastGate;
            if (gate is not null)
            {
                int closed = gate.Status;
                return CircuitBreaker.IsClosedStatus(closed) ? CircuitPermit.Closed(CircuitBreaker.EpisodeOf(closed)) : CircuitPermit.Blocked;
            }

            return StartSlow();
        }

        // The fast path's rate-limit refusal, for the Refusal() that generated code calls next on the same thread, so that a
        // refused call asks the limiter once (a chained limiter would otherwise spend its earlier stages' permits twice).
#pragma warning disable IDE1006
        [ThreadStatic]
        private static SidecarPipeline? t_rateRefusedBy;

        [ThreadStatic]
        private static TimeSpan? t_rateRetryAfter;
#pragma warning restore IDE1006

        [MethodImpl(MethodImplOptions.NoInlining)]
        private CircuitPermit StartSlow()
        {
            if (HasLimiter)
            {
                t_rateRefusedBy = null; // a refusal a call with a fallback never asked about is forgotten here
            }

            if (_chaosOn)
            {
                return CircuitPermit.Blocked; // chaos runs in the retry loop, where an attempt can be delayed
            }

            CircuitPermit permit = default;
            CircuitBreaker? breaker = _breaker;
            if (breaker is not null)
            {
                int status = breaker.Status;
                if (!CircuitBreaker.IsClosedStatus(status))
                {
                    return CircuitPermit.Blocked;
                }

                permit = breaker.Timed(CircuitPermit.Closed(CircuitBreaker.EpisodeOf(status)));
            }

            if (_bulkhead is not null)
            {
                if (!_bulkhead.TryEnter())
                {
                    return CircuitPermit.Blocked;
                }

                permit = permit.WithSlot();
            }

            bool threw = false;
            if (HasLimiter && (_partitionedLimiter is not null || !TryTakePermitOnFastPath(permit, out threw)))
            {
                // Refused by the rate limit: Refusal reports it. A partitioned limit needs the member: the retry loop's Enter
                // asks, with it. A limiter that threw has given the slot back already.
                if (permit.HoldsBulkheadSlot && !threw)
                {
                    _bulkhead!.Release();
                }

                t_rateRefusedBy = _partitionedLimiter is null && !threw ? this : null;
                return CircuitPermit.Blocked;
            }

            return permit;
        }

        /// <summary>Starts the first attempt of a call; see <see cref="Enter(SidecarMember, int)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CircuitPermit Enter(SidecarMember member) => Enter(member, 0);

        /// <summary>
        /// Starts an attempt: returns what it holds (the circuit episode it was admitted in, a half-open probe slot, a
        /// bulkhead slot), or throws <see cref="BrokenCircuitException"/> when the circuit is open and
        /// <see cref="BulkheadRejectedException"/> when the bulkhead is full.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="attempt">0 for the first attempt of the call (a retry budget counts calls and retries apart).</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CircuitPermit Enter(SidecarMember member, int attempt)
        {
            CircuitBreaker? gate = _fastGate;
            if (gate is not null)
            {
                int status = gate.Status;
                if (CircuitBreaker.IsClosedStatus(status))
                {
                    return CircuitPermit.Closed(CircuitBreaker.EpisodeOf(status));
                }
            }

            return EnterSlow(member, attempt);
        }

        private CircuitPermit EnterSlow(SidecarMember member, int attempt)
        {
            ReportFastPathRefusal(member, attempt);
            switch (TryAdmit(member, attempt, out CircuitPermit permit, out TimeSpan circuitRetryAfter, out TimeSpan? rateRetryAfter))
            {
                case Refuser.Circuit:
                    throw Reject(member, _breaker!, circuitRetryAfter);
                case Refuser.Bulkhead:
                    throw RejectFull(member, _bulkhead!);
                case Refuser.RateLimit:
                    throw RejectRate(member, rateRetryAfter);
                default:
                    return permit;
            }
        }

        /// <summary>Who refused an attempt its admission.</summary>
        private enum Refuser
        {
            None,
            Circuit,
            Bulkhead,
            RateLimit,
        }

        // An attempt's admission, in order: the circuit, the bulkhead, the rate limit. A refusal gives back what the earlier
        // ones granted and says who refused (reporting it is the caller's); a limiter that throws has given it back too.
        private Refuser TryAdmit(SidecarMember member, int attempt, out CircuitPermit permit, out TimeSpan circuitRetryAfter, out TimeSpan? rateRetryAfter)
        {
            permit = default;
            circuitRetryAfter = TimeSpan.Zero;
            rateRetryAfter = null;
            CircuitBreaker? breaker = _breaker;
            if (breaker is not null && !breaker.TryEnter(out permit, out circuitRetryAfter))
            {
                return Refuser.Circuit;
            }

            if (_bulkhead is not null)
            {
                if (!_bulkhead.TryEnter())
                {
                    breaker?.OnIgnored(permit);
                    permit = default;
                    return Refuser.Bulkhead;
                }

                permit = permit.WithSlot();
            }

            if (HasLimiter && !TakePermitOrGiveBack(member, permit, out rateRetryAfter))
            {
                GiveBack(permit);
                permit = default;
                return Refuser.RateLimit;
            }

            if (_chaosOn)
            {
                permit = permit.WithChaos();
            }

            if (attempt > 0 && _budget is not null)
            {
                permit = permit.AsRetry();
            }

            return Refuser.None;
        }

        // A member with a fallback goes from Start to the retry loop without Refusal: when Start has just found the rate limit
        // spent, on this thread, for this very attempt, the retry loop's admission reports that refusal without asking the
        // limiter again (a chained limiter would spend its earlier stages' permits twice).
        private void ReportFastPathRefusal(SidecarMember member, int attempt)
        {
            if (HasLimiter && ReferenceEquals(t_rateRefusedBy, this))
            {
                t_rateRefusedBy = null;
                if (attempt == 0)
                {
                    throw RejectRate(member, t_rateRetryAfter);
                }
            }
        }

        /// <summary>
        /// For asynchronous members, before the retry loop: the refusal the circuit or the bulkhead would give right now
        /// (to be returned in a faulted task, so that it is thrown once, at the caller's await), or <c>null</c> when an
        /// attempt may start. Takes no slot: <see cref="Enter(SidecarMember, int)"/> does that.
        /// </summary>
        public SidecarRejectedException? Refusal(SidecarMember member)
        {
            CircuitBreaker? breaker = _breaker;
            if (breaker is not null && !breaker.IsClosed && breaker.WouldRefuse(out TimeSpan retryAfter))
            {
                return Reject(member, breaker, retryAfter);
            }

            Bulkhead? bulkhead = _bulkhead;
            if (bulkhead is not null && bulkhead.WouldRefuse)
            {
                return RejectFull(member, bulkhead);
            }

            if (ReferenceEquals(t_rateRefusedBy, this))
            {
                // Start() just found the rate limit spent: the same refusal, without asking the limiter again.
                t_rateRefusedBy = null;
                return RejectRate(member, t_rateRetryAfter);
            }

            return null;
        }

        /// <summary>
        /// Starts an attempt of an asynchronous member whose service has a bulkhead queue: like
        /// <see cref="Enter(SidecarMember, int)"/>, but when every bulkhead slot is taken it waits, in order, for one while the
        /// queue has room (the caller's cancellation takes it out). Completes synchronously when a slot is free.
        /// </summary>
        /// <exception cref="BulkheadRejectedException">Every slot is taken and the queue is full.</exception>
        /// <exception cref="BrokenCircuitException">The circuit refused the attempt (asked once a slot is held).</exception>
        public ValueTask<CircuitPermit> EnterAsync(SidecarMember member, int attempt, CancellationToken cancellationToken)
            => EnterAsync(member, attempt, cancellationToken, default);

        /// <summary>
        /// <see cref="EnterAsync(SidecarMember, int, CancellationToken)"/> for a call with a <paramref name="deadline"/>: the
        /// wait in the bulkhead's line ends when the deadline passes, with <see cref="SidecarTimeoutException"/>
        /// (<see cref="SidecarTimeoutException.IsTotalTimeout"/>), taking nothing.
        /// </summary>
        /// <exception cref="SidecarTimeoutException">The deadline passed while the call waited in line.</exception>
        public ValueTask<CircuitPermit> EnterAsync(SidecarMember member, int attempt, CancellationToken cancellationToken, CallDeadline deadline)
        {
            ReportFastPathRefusal(member, attempt); // never left behind on this thread while the call waits in line elsewhere

            Bulkhead? bulkhead = _bulkhead;
            if (bulkhead is null || bulkhead.MaxQueue == 0 || bulkhead.TryEnter())
            {
                if (bulkhead is null || bulkhead.MaxQueue == 0)
                {
                    return new ValueTask<CircuitPermit>(Enter(member, attempt));
                }

                return new ValueTask<CircuitPermit>(AdmitWithSlot(member, attempt));
            }

            return Queue(member, attempt, bulkhead, cancellationToken, deadline);
        }

        private async ValueTask<CircuitPermit> Queue(SidecarMember member, int attempt, Bulkhead bulkhead, CancellationToken cancellationToken, CallDeadline deadline)
        {
            bool entered;
            if (!deadline.IsSet)
            {
                entered = await bulkhead.EnterAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // The line is part of the call: its deadline ends the wait too.
                TimeSpan left = deadline.Remaining(_time);
#if NET8_0_OR_GREATER
                using var expiry = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1), _time);
#else
                using CancellationTokenSource expiry = _time.CreateCancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1));
#endif
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
                try
                {
                    entered = await bulkhead.EnterAsync(either.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        throw new OperationCanceledException(ex.Message, ex, cancellationToken); // the caller's, not the linked one
                    }

                    throw SidecarTimeoutException.Total(this, Service, member.Name, deadline.Total, ex, beforeAttempt: true, " while it waited for a bulkhead slot");
                }
            }

            if (!entered)
            {
                throw RejectFull(member, bulkhead);
            }

            return AdmitWithSlot(member, attempt);
        }

        // The bulkhead slot is held: the circuit and the rate limit have their say; a refusal (or a limiter that throws)
        // gives back the slot and whatever the circuit granted.
        private CircuitPermit AdmitWithSlot(SidecarMember member, int attempt)
        {
            CircuitBreaker? breaker = _breaker;
            CircuitPermit permit = default;
            if (breaker is not null && !breaker.TryEnter(out permit, out TimeSpan retryAfter))
            {
                _bulkhead!.Release();
                throw Reject(member, breaker, retryAfter);
            }

            permit = permit.WithSlot();
            if (HasLimiter && !TakePermitOrGiveBack(member, permit, out TimeSpan? wait))
            {
                GiveBack(permit);
                throw RejectRate(member, wait);
            }

            if (_chaosOn)
            {
                permit = permit.WithChaos();
            }

            return attempt > 0 && _budget is not null ? permit.AsRetry() : permit;
        }

        // Whether the limiter would grant a permit within `delay` (asking for none takes none, and says when one frees up): a
        // refusal that does not say when is a no; a limiter that throws says yes, and the attempt's own admission reports it.
        private bool RateLimitWouldGrant(SidecarMember member, TimeSpan delay)
        {
            try
            {
                using System.Threading.RateLimiting.RateLimitLease lease = _partitionedLimiter is not null
                    ? _partitionedLimiter.AttemptAcquire(member, 0)
                    : _limiter!.AttemptAcquire(0);
                return lease.IsAcquired
                    || (lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out TimeSpan frees) && frees <= delay);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return true;
            }
        }

        // The fast path's permit: a limiter that throws gives back what the attempt holds and leaves the call to the retry
        // loop, whose Enter asks again and hands the exception on in the task (not thrown from the member itself).
        private bool TryTakePermitOnFastPath(CircuitPermit permit, out bool threw)
        {
            threw = false;
            try
            {
                return TakePermitOrGiveBack(null, permit, out t_rateRetryAfter);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                threw = true;
                t_rateRetryAfter = null;
                return false;
            }
        }

        // TryTakePermit, giving back what the attempt holds when the limiter itself throws (a partitioner's bug, a
        // disposed limiter): the exception goes on, and no slot is left taken.
        private bool TakePermitOrGiveBack(SidecarMember? member, CircuitPermit permit, out TimeSpan? retryAfter)
        {
            try
            {
                return TryTakePermit(member, out retryAfter);
            }
            catch
            {
                GiveBack(permit);
                throw;
            }
        }

        private bool HasLimiter => _limiter is not null || _partitionedLimiter is not null;

        // One permit of the rate limit for an attempt of `member` (null only without a partitioned limiter); the lease is let
        // go at once, since it admits the attempt rather than holding a slot.
        private bool TryTakePermit(SidecarMember? member, out TimeSpan? retryAfter)
        {
            using System.Threading.RateLimiting.RateLimitLease lease = _partitionedLimiter is not null && member is not null
                ? _partitionedLimiter.AttemptAcquire(member)
                : _limiter!.AttemptAcquire();
            retryAfter = !lease.IsAcquired && lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out TimeSpan wait) ? wait : null;
            return lease.IsAcquired;
        }

        private RateLimitRejectedException RejectRate(SidecarMember member, TimeSpan? retryAfter)
        {
            var rejected = new RateLimitRejectedException(_limiterName, retryAfter) { Origin = this };
            _events.Rejected(member.Name, rejected);
            return rejected;
        }

        private BulkheadRejectedException RejectFull(SidecarMember member, Bulkhead bulkhead)
        {
            var rejected = new BulkheadRejectedException(bulkhead.Name, bulkhead.MaxConcurrency) { Origin = this };
            _events.Rejected(member.Name, rejected);
            return rejected;
        }

        private BrokenCircuitException Reject(SidecarMember member, CircuitBreaker breaker, TimeSpan retryAfter)
        {
            CircuitState state = breaker.State;
            bool probing = state == CircuitState.HalfOpen;
            var rejected = new BrokenCircuitException(breaker.Name, MonotonicClock.WallClockIn(_time, retryAfter), retryAfter, probeInFlight: probing)
            {
                Origin = this,
            };
            _events.Rejected(member.Name, rejected, state);
            return rejected;
        }
    }
}
