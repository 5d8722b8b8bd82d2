using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Sidecar
{
    /// <summary>
    /// A thread-safe consecutive-failure circuit breaker:
    /// Closed → Open after <see cref="FailureThreshold"/> failed attempts in a row → HalfOpen once
    /// <see cref="BreakDuration"/> has passed (one probe is let through) → Closed when the probe succeeds,
    /// Open again when it fails. Every decorator of the same service shares one instance through
    /// <see cref="CircuitBreakerRegistry"/>.
    /// </summary>
    public sealed class CircuitBreaker
    {
        private readonly object _gate = new();
        private volatile int _state; // CircuitState, read lock-free on every call
        private int _consecutiveFailures;
        private bool _probeInFlight;
        private DateTimeOffset _openUntil;

        /// <summary>Creates a closed breaker.</summary>
        public CircuitBreaker(string name, int failureThreshold, TimeSpan breakDuration)
        {
            if (failureThreshold < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(failureThreshold), failureThreshold, "A circuit breaker needs a threshold of at least 1.");
            }

            if (breakDuration < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(breakDuration), breakDuration, "Must be zero or positive.");
            }

            Name = name ?? throw new ArgumentNullException(nameof(name));
            FailureThreshold = failureThreshold;
            BreakDuration = breakDuration;
        }

        /// <summary>The circuit's name (the decorated service, or service and member for a member-level breaker).</summary>
        public string Name { get; }

        /// <summary>Failed attempts in a row that open the circuit.</summary>
        public int FailureThreshold { get; }

        /// <summary>How long the circuit stays open before a probe.</summary>
        public TimeSpan BreakDuration { get; }

        /// <summary>The current state. An open circuit whose break is over reports <see cref="CircuitState.Open"/> until the next call probes it.</summary>
        public CircuitState State => (CircuitState)_state;

        /// <summary>Whether calls flow freely; the only check on the happy path.</summary>
        public bool IsClosed
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => _state == (int)CircuitState.Closed;
        }

        /// <summary>Failed attempts in a row so far.</summary>
        public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

        /// <summary>When an open circuit lets the next probe through.</summary>
        public DateTimeOffset? OpenUntil
        {
            get
            {
                lock (_gate)
                {
                    return _state == (int)CircuitState.Open ? _openUntil : null;
                }
            }
        }

        /// <summary>
        /// Asks to start an attempt. Returns <c>true</c> with a permit when the call may go on; <c>false</c> with the
        /// time the circuit will be tried again when it must fail fast.
        /// </summary>
        /// <param name="now">The current time.</param>
        /// <param name="permit">The permit to hand back through <see cref="OnSuccess"/>, <see cref="OnFailure"/> or <see cref="OnIgnored"/>.</param>
        /// <param name="retryAt">When the call is refused: the earliest time a probe will be let through.</param>
        /// <param name="transition">The state this call moved the circuit to, if it moved it.</param>
        public bool TryEnter(DateTimeOffset now, out CircuitPermit permit, out DateTimeOffset retryAt, out CircuitState? transition)
        {
            permit = default;
            retryAt = default;
            transition = null;
            if (IsClosed)
            {
                return true;
            }

            lock (_gate)
            {
                switch ((CircuitState)_state)
                {
                    case CircuitState.Closed:
                        return true;
                    case CircuitState.Open when now >= _openUntil:
                        _state = (int)CircuitState.HalfOpen;
                        transition = CircuitState.HalfOpen;
                        _probeInFlight = true;
                        permit = CircuitPermit.Probe;
                        return true;
                    case CircuitState.Open:
                        retryAt = _openUntil;
                        return false;
                    default: // HalfOpen
                        if (_probeInFlight)
                        {
                            retryAt = now;
                            return false;
                        }

                        _probeInFlight = true;
                        permit = CircuitPermit.Probe;
                        return true;
                }
            }
        }

        /// <summary>
        /// Whether <see cref="TryEnter"/> would refuse a call now (open and still breaking, or half-open with its probe
        /// running), without changing anything.
        /// </summary>
        public bool WouldRefuse(DateTimeOffset now, out DateTimeOffset retryAt)
        {
            retryAt = default;
            if (IsClosed)
            {
                return false;
            }

            lock (_gate)
            {
                switch ((CircuitState)_state)
                {
                    case CircuitState.Open when now < _openUntil:
                        retryAt = _openUntil;
                        return true;
                    case CircuitState.HalfOpen when _probeInFlight:
                        retryAt = now;
                        return true;
                    default:
                        return false;
                }
            }
        }

        /// <summary>Records a successful attempt. Returns the new state if the success closed the circuit.</summary>
        public CircuitState? OnSuccess(CircuitPermit permit)
        {
            if (IsUndisturbedBy(permit))
            {
                return null;
            }

            return OnSuccessSlow(permit);
        }

        /// <summary>Whether a success with <paramref name="permit"/> changes nothing: closed, no failures counted, not a probe.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal bool IsUndisturbedBy(CircuitPermit permit)
            => !permit.IsProbe && _state == (int)CircuitState.Closed && Volatile.Read(ref _consecutiveFailures) == 0;

        private CircuitState? OnSuccessSlow(CircuitPermit permit)
        {
            lock (_gate)
            {
                _consecutiveFailures = 0;
                if (permit.IsProbe)
                {
                    _probeInFlight = false;
                }

                if (_state == (int)CircuitState.HalfOpen && permit.IsProbe)
                {
                    _state = (int)CircuitState.Closed;
                    return CircuitState.Closed;
                }

                return null;
            }
        }

        /// <summary>Records a failed attempt. Returns <see cref="CircuitState.Open"/> if this failure opened the circuit.</summary>
        public CircuitState? OnFailure(CircuitPermit permit, DateTimeOffset now)
        {
            lock (_gate)
            {
                if (permit.IsProbe)
                {
                    _probeInFlight = false;
                    if (_state == (int)CircuitState.HalfOpen)
                    {
                        Open(now);
                        return CircuitState.Open;
                    }
                }

                if (_state != (int)CircuitState.Closed)
                {
                    // A call admitted before the circuit opened: the circuit already knows.
                    return null;
                }

                if (++_consecutiveFailures >= FailureThreshold)
                {
                    Open(now);
                    return CircuitState.Open;
                }

                return null;
            }
        }

        /// <summary>
        /// Records an attempt whose outcome says nothing about the dependency's health (cancelled by the caller, or an
        /// exception that is not transient). Gives the probe slot back so the circuit cannot stay stuck half-open.
        /// </summary>
        public void OnIgnored(CircuitPermit permit)
        {
            if (!permit.IsProbe)
            {
                return;
            }

            lock (_gate)
            {
                _probeInFlight = false;
            }
        }

        /// <summary>Closes the circuit and forgets past failures (for operators and tests).</summary>
        public void Reset()
        {
            lock (_gate)
            {
                _state = (int)CircuitState.Closed;
                _consecutiveFailures = 0;
                _probeInFlight = false;
            }
        }

        private void Open(DateTimeOffset now)
        {
            _state = (int)CircuitState.Open;
            _consecutiveFailures = 0;
            _openUntil = now + BreakDuration;
        }
    }
}
