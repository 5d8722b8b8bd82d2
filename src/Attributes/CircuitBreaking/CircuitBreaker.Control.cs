using System;

namespace Sidecar
{
    // Changes of state — by hand (Reset, Isolate) and the ones the state machine makes — and the probe slots.
    public sealed partial class CircuitBreaker
    {
        /// <summary>
        /// Closes the circuit and forgets past failures (for operators and tests). Probes still running count for nothing
        /// and give up their slots. Observers and telemetry hear the change.
        /// </summary>
        public void Reset()
        {
            lock (_gate)
            {
                ForfeitSlots();
                if (!IsClosed)
                {
                    Close();
                }
                else
                {
                    _consecutiveFailures = 0;
                    _window?.Clear();
                }
            }

            _transitions.Deliver();
        }

        /// <summary>
        /// Opens the circuit by hand (isolates the dependency): every call fails fast until <see cref="Reset"/>, or until
        /// <paramref name="duration"/> has passed when one is given (then probes follow as usual). Observers and telemetry
        /// hear the change.
        /// </summary>
        public void Isolate(TimeSpan? duration = null)
        {
            TimeSpan openFor = duration is TimeSpan d ? NotNegative(d, nameof(duration)) : TimeSpan.MaxValue;
            lock (_gate)
            {
                Open(_clock.Now(), openFor);
            }

            _transitions.Deliver();
        }

        /// <summary>Observers watching this circuit now.</summary>
        internal int WatcherCount => _transitions.WatcherCount;

        private bool IsCurrent(CircuitPermit permit)
        {
            int status = _status;
            if (permit.IsProbe)
            {
                return (status & StateMask) == (int)CircuitState.HalfOpen && permit.Episode == EpisodeOf(status);
            }

            // A permit nobody admitted (the policy had no breaker when the attempt started) counts as current.
            return !permit.IsAdmitted || permit.Episode == EpisodeOf(status);
        }

        // The episode in a status word, in the bits a permit keeps of it, compared for equality only.
        internal static int EpisodeOf(int status) => (int)((uint)status >> StateBits) & CircuitPermit.EpochMask;

        private void FreeSlot(CircuitPermit probe)
        {
            if (probe.SlotEpoch == (_slotEpoch & CircuitPermit.EpochMask) && _slotsHeld > 0)
            {
                _slotsHeld--;
                if (_episodeSlots > 0 && IsCurrent(probe))
                {
                    _episodeSlots--;
                }
            }
        }

        // A probe out for longer than ProbeTimeout counts as failed: the circuit opens again (if it is still half-open) and
        // the slots held are given up, so a dependency that hangs cannot keep the circuit half-open for good.
        private void ForfeitOverdueSlots(MonotonicInstant now)
        {
            if (_slotsHeld == 0 || now.Since(_slotsSince) < ProbeTimeout)
            {
                return;
            }

            // Only this episode's own probes can fail it: slots left over from earlier episodes are simply given up.
            bool ownProbesOut = State == CircuitState.HalfOpen && _episodeSlots > 0;
            ForfeitSlots();
            if (ownProbesOut)
            {
                Open(now, BreakDuration);
            }
        }

        private void ForfeitSlots()
        {
            _slotsHeld = 0;
            _episodeSlots = 0;
            _slotEpoch++;
        }

        private TimeSpan Remaining(MonotonicInstant now)
        {
            TimeSpan elapsed = now.Since(_openedAt);
            return elapsed >= _openFor ? TimeSpan.Zero : _openFor - elapsed;
        }

        private void Close()
        {
            Enter(CircuitState.Closed);
            _consecutiveFailures = 0;
            _probesSucceeded = 0;
            _window?.Clear();
        }

        private void Open(MonotonicInstant now, TimeSpan openFor)
        {
            bool wasOpen = State == CircuitState.Open;
            _episodeSlots = 0;
            _status = ((_status >> StateBits) + 1) << StateBits | (int)CircuitState.Open;
            if (!wasOpen)
            {
                _transitions.Enqueue(CircuitState.Open);
            }

            _consecutiveFailures = 0;
            _probesSucceeded = 0;
            _openedAt = now;
            _openFor = openFor;
            _window?.Clear();
        }

        // A new episode in the given state, reported once the lock is released.
        private void Enter(CircuitState state)
        {
            _episodeSlots = 0;
            _status = ((_status >> StateBits) + 1) << StateBits | (int)state;
            _transitions.Enqueue(state);
        }

        private static int Positive(int value, string name)
            => value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, "Must be at least 1.");

        private static TimeSpan Positive(TimeSpan value, string name)
            => value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, "Must be positive.");

        private static TimeSpan NotNegative(TimeSpan value, string name)
            => value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, "Must be zero or positive.");
    }
}
