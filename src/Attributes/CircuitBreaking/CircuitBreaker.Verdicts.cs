using System.ComponentModel;

namespace Sidecar
{
    // The outcomes of attempts: what a success, a failure or a verdict that says nothing does to the circuit.
    public sealed partial class CircuitBreaker
    {
        /// <summary>
        /// Records a successful attempt. Returns the new state if the success closed the circuit. A probe gives its slot
        /// back unless <paramref name="attemptEnded"/> is <c>false</c> (then <see cref="ReleaseProbeSlot"/> does, later).
        /// </summary>
        [EditorBrowsable(EditorBrowsableState.Never)]
        public CircuitState? OnSuccess(CircuitPermit permit, bool attemptEnded = true)
        {
            if (!permit.IsProbe && IsUndisturbed)
            {
                return null;
            }

            CircuitState? changed = null;
            lock (_gate)
            {
                MonotonicInstant now = _clock.Now();
                HandBack(permit, attemptEnded, now);

                if (IsCurrent(permit))
                {
                    if (permit.IsProbe)
                    {
                        if (++_probesSucceeded >= HalfOpenProbes)
                        {
                            Close();
                            changed = CircuitState.Closed;
                        }
                    }
                    else if (IsClosed)
                    {
                        _consecutiveFailures = 0;
                        if (_window is not null)
                        {
                            bool slow = WasSlow(permit, now);
                            _window.Add(now, 1, 0, slow ? 1 : 0);
                            if (slow && TooManySlow(now))
                            {
                                // Every call succeeds, slowly: the dependency is drowning; give it the break a failure would.
                                Open(now, BreakDuration);
                                changed = CircuitState.Open;
                            }
                        }
                    }
                }
            }

            _transitions.Deliver();
            return changed;
        }

        /// <summary>
        /// Records a failed attempt (one that says the dependency is unwell). Returns <see cref="CircuitState.Open"/> if this
        /// failure opened the circuit. A failure from an earlier episode moves nothing.
        /// </summary>
        [EditorBrowsable(EditorBrowsableState.Never)]
        public CircuitState? OnFailure(CircuitPermit permit, bool attemptEnded = true) => OnFailure(permit, attemptEnded, deliver: true);

        /// <summary>
        /// <see cref="OnFailure(CircuitPermit, bool)"/> (the public overload), reporting the state change it caused only when <paramref name="deliver"/>
        /// is <c>true</c>; otherwise <see cref="DeliverTransitions"/> does, once the failure itself has been reported.
        /// </summary>
        internal CircuitState? OnFailure(CircuitPermit permit, bool attemptEnded, bool deliver)
        {
            CircuitState? changed = null;
            lock (_gate)
            {
                MonotonicInstant now = _clock.Now();
                HandBack(permit, attemptEnded, now);

                if (IsCurrent(permit))
                {
                    bool open = permit.IsProbe;
                    if (!permit.IsProbe && IsClosed)
                    {
                        open = FailureThreshold > 0 && ++_consecutiveFailures >= FailureThreshold;
                        if (_window is not null)
                        {
                            bool slow = WasSlow(permit, now);
                            _window.Add(now, 1, 1, slow ? 1 : 0);
                            (long attempts, long failures, _) = _window.Sum3(now);

                            // failures / attempts, not FailureRatio * attempts: 0.28 * 25 is 7.000000000000001 in doubles, so 7
                            // of 25 would not reach a ratio of 0.28; the quotient of two integers is rounded like the ratio.
                            open |= FailureRatio > 0 && attempts >= MinimumThroughput && (double)failures / attempts >= FailureRatio;
                            open |= slow && TooManySlow(now);
                        }
                    }

                    if (open)
                    {
                        Open(now, BreakDuration);
                        changed = CircuitState.Open;
                    }
                }
            }

            if (deliver)
            {
                _transitions.Deliver();
            }

            return changed;
        }

        // Under the lock: whether the window holds enough attempts, and a share of slow ones of at least SlowCallRatio.
        private bool TooManySlow(MonotonicInstant now)
        {
            if (!WatchesSlowCalls)
            {
                return false;
            }

            (long attempts, _, long slow) = _window!.Sum3(now);
            return attempts >= MinimumThroughput && (double)slow / attempts >= SlowCallRatio;
        }

        /// <summary>Reports the state changes not reported yet.</summary>
        internal void DeliverTransitions() => _transitions.Deliver();

        /// <summary>
        /// Records an attempt whose outcome says nothing about the dependency's health (cancelled by the caller, refused
        /// further in, an exception that is not the dependency's). A probe gives its slot back unless
        /// <paramref name="attemptEnded"/> is <c>false</c>.
        /// </summary>
        [EditorBrowsable(EditorBrowsableState.Never)]
        public void OnIgnored(CircuitPermit permit, bool attemptEnded = true)
        {
            if (!permit.IsProbe)
            {
                return;
            }

            lock (_gate)
            {
                HandBack(permit, attemptEnded, _clock.Now());
            }

            _transitions.Deliver();
        }

        /// <summary>Gives back the slot of a probe whose attempt was abandoned (timed out, cancelled) and has now really ended.</summary>
        [EditorBrowsable(EditorBrowsableState.Never)]
        public void ReleaseProbeSlot(CircuitPermit permit) => OnIgnored(permit, attemptEnded: true);

        // Under the lock. Any word from a probe first applies an overdue probe timeout (a probe that answers after it was
        // already due to count as failed), then gives its slot back if its attempt has ended.
        private void HandBack(CircuitPermit permit, bool attemptEnded, MonotonicInstant now)
        {
            if (!permit.IsProbe)
            {
                return;
            }

            ForfeitOverdueSlots(now);
            if (attemptEnded)
            {
                FreeSlot(permit);
            }
        }
    }
}
