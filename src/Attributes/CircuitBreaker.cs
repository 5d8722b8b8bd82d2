using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Sidecar
{
    /// <summary>
    /// A thread-safe circuit breaker. Closed → Open when <see cref="FailureThreshold"/> attempts in a row failed, or when
    /// at least <see cref="FailureRatio"/> of the attempts in the last <see cref="SamplingDuration"/> failed once
    /// <see cref="MinimumThroughput"/> were seen → HalfOpen once <see cref="BreakDuration"/> has passed, where
    /// <see cref="HalfOpenProbes"/> probe calls are let through → Closed when all of them succeed, Open again at the first
    /// that fails. Every decorator of the same service shares one instance through <see cref="CircuitBreakerRegistry"/>.
    /// </summary>
    public sealed class CircuitBreaker
    {
        private readonly object _gate = new();
        private readonly bool _countsEveryOutcome; // failure-ratio mode: successes are recorded too
        private readonly SlidingCounts? _window; // attempts, failures
        private volatile int _state; // CircuitState, read lock-free on every call
        private int _consecutiveFailures;
        private int _probesRunning;
        private int _probesSucceeded;
        private int _episode;
        private DateTimeOffset _openUntil;

        /// <summary>Creates a closed consecutive-failure breaker with one half-open probe.</summary>
        public CircuitBreaker(string name, int failureThreshold, TimeSpan breakDuration)
            : this(name, new CircuitBreakerOptions { FailureThreshold = Positive(failureThreshold, nameof(failureThreshold)), BreakDuration = breakDuration })
        {
        }

        /// <summary>Creates a closed breaker.</summary>
        public CircuitBreaker(string name, CircuitBreakerOptions options)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            if (options.FailureThreshold < 0 || options.FailureRatio < 0 || options.FailureRatio > 1 || double.IsNaN(options.FailureRatio))
            {
                throw new ArgumentOutOfRangeException(nameof(options), "FailureThreshold must be zero or positive and FailureRatio between 0 and 1.");
            }

            if (options.FailureThreshold == 0 && options.FailureRatio == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "A circuit breaker needs a FailureThreshold of at least 1 or a FailureRatio above 0.");
            }

            if (options.BreakDuration < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException("breakDuration", options.BreakDuration, "Must be zero or positive.");
            }

            FailureThreshold = options.FailureThreshold;
            BreakDuration = options.BreakDuration;
            HalfOpenProbes = Positive(options.HalfOpenProbes, nameof(options.HalfOpenProbes));
            FailureRatio = options.FailureRatio;
            SamplingDuration = options.SamplingDuration;
            MinimumThroughput = options.MinimumThroughput;
            if (FailureRatio > 0)
            {
                if (SamplingDuration <= TimeSpan.Zero)
                {
                    throw new ArgumentOutOfRangeException(nameof(options), options.SamplingDuration, "SamplingDuration must be positive.");
                }

                Positive(MinimumThroughput, nameof(options.MinimumThroughput));
                _countsEveryOutcome = true;
                _window = new SlidingCounts(SamplingDuration);
            }
        }

        /// <summary>The circuit's name (the decorated service, or service and member for a member-level breaker).</summary>
        public string Name { get; }

        /// <summary>Failed attempts in a row that open the circuit (0: this trigger is off).</summary>
        public int FailureThreshold { get; }

        /// <summary>How long the circuit stays open before probes.</summary>
        public TimeSpan BreakDuration { get; }

        /// <summary>Fraction of failed attempts within <see cref="SamplingDuration"/> that opens the circuit (0: this trigger is off).</summary>
        public double FailureRatio { get; }

        /// <summary>The sliding window <see cref="FailureRatio"/> is measured over.</summary>
        public TimeSpan SamplingDuration { get; }

        /// <summary>Attempts the window must hold before <see cref="FailureRatio"/> may open the circuit.</summary>
        public int MinimumThroughput { get; }

        /// <summary>Probe calls let through while half-open.</summary>
        public int HalfOpenProbes { get; }

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

        /// <summary>Probe calls running now (half-open).</summary>
        public int ProbesRunning
        {
            get
            {
                lock (_gate)
                {
                    return _probesRunning;
                }
            }
        }

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
        /// The attempts and failures the failure-ratio window holds at <paramref name="now"/> (zeros without a
        /// <see cref="FailureRatio"/>).
        /// </summary>
        public (int Attempts, int Failures) Sample(DateTimeOffset now)
        {
            (long attempts, long failures) = _window?.Sum(now) ?? default;
            return ((int)attempts, (int)failures);
        }

        /// <summary>
        /// Asks to start an attempt. Returns <c>true</c> with a permit when the call may go on; <c>false</c> with the
        /// time the circuit will be tried again when it must fail fast.
        /// </summary>
        /// <param name="now">The current time.</param>
        /// <param name="permit">The permit to hand back through <see cref="OnSuccess(CircuitPermit, DateTimeOffset)"/>, <see cref="OnFailure"/> or <see cref="OnIgnored"/>.</param>
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
                        _episode++;
                        _probesRunning = 1;
                        _probesSucceeded = 0;
                        permit = CircuitPermit.Probe(_episode);
                        return true;
                    case CircuitState.Open:
                        retryAt = _openUntil;
                        return false;
                    default: // HalfOpen
                        if (_probesRunning + _probesSucceeded >= HalfOpenProbes)
                        {
                            retryAt = now;
                            return false;
                        }

                        _probesRunning++;
                        permit = CircuitPermit.Probe(_episode);
                        return true;
                }
            }
        }

        /// <summary>
        /// Whether <see cref="TryEnter"/> would refuse a call now (open and still breaking, or half-open with every probe
        /// slot taken), without changing anything.
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
                    case CircuitState.HalfOpen when _probesRunning + _probesSucceeded >= HalfOpenProbes:
                        retryAt = now;
                        return true;
                    default:
                        return false;
                }
            }
        }

        /// <summary>
        /// Records a successful attempt. Returns the new state if the success closed the circuit. A failure-ratio window
        /// is fed at the system clock's time: prefer <see cref="OnSuccess(CircuitPermit, DateTimeOffset)"/>.
        /// </summary>
        public CircuitState? OnSuccess(CircuitPermit permit) => OnSuccess(permit, DateTimeOffset.UtcNow);

        /// <summary>Records a successful attempt at <paramref name="now"/> (the time matters to the failure-ratio window).</summary>
        public CircuitState? OnSuccess(CircuitPermit permit, DateTimeOffset now)
        {
            if (!permit.IsProbe && IsUndisturbed)
            {
                return null;
            }

            lock (_gate)
            {
                if (permit.IsProbe)
                {
                    if (!IsCurrentProbe(permit))
                    {
                        return null; // a probe of an earlier half-open episode: the circuit has moved on
                    }

                    _probesRunning = Math.Max(0, _probesRunning - 1);
                    if (++_probesSucceeded < HalfOpenProbes)
                    {
                        return null;
                    }

                    Close();
                    return CircuitState.Closed;
                }

                if (_state == (int)CircuitState.Closed)
                {
                    _consecutiveFailures = 0;
                    if (_window is not null)
                    {
                        Record(now, failed: false);
                    }
                }

                return null;
            }
        }

        /// <summary>Whether a success without a probe permit changes nothing: closed, no failures in a row, no window to feed.</summary>
        internal bool IsUndisturbed
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => _state == (int)CircuitState.Closed && !_countsEveryOutcome && Volatile.Read(ref _consecutiveFailures) == 0;
        }

        /// <summary>Whether successes are recorded too (the failure-ratio window), at the time they happen.</summary>
        internal bool CountsEveryOutcome => _countsEveryOutcome;

        /// <summary>Records a failed attempt. Returns <see cref="CircuitState.Open"/> if this failure opened the circuit.</summary>
        public CircuitState? OnFailure(CircuitPermit permit, DateTimeOffset now)
        {
            lock (_gate)
            {
                if (permit.IsProbe)
                {
                    if (!IsCurrentProbe(permit))
                    {
                        return null;
                    }

                    _probesRunning = Math.Max(0, _probesRunning - 1);
                    Open(now);
                    return CircuitState.Open;
                }

                if (_state != (int)CircuitState.Closed)
                {
                    // A call admitted before the circuit opened: the circuit already knows.
                    return null;
                }

                bool open = FailureThreshold > 0 && ++_consecutiveFailures >= FailureThreshold;
                if (_window is not null)
                {
                    (int attempts, int failures) = Record(now, failed: true);
                    // failures / attempts, not FailureRatio * attempts: 0.28 * 25 is 7.000000000000001 in doubles, so 7 of 25
                    // would not reach a ratio of 0.28; the quotient of two integers is rounded like the ratio itself.
                    open |= attempts >= MinimumThroughput && (double)failures / attempts >= FailureRatio;
                }

                if (open)
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
                if (IsCurrentProbe(permit))
                {
                    _probesRunning = Math.Max(0, _probesRunning - 1);
                }
            }
        }

        /// <summary>Closes the circuit and forgets past failures (for operators and tests). Probes still running count for nothing.</summary>
        public void Reset()
        {
            lock (_gate)
            {
                Close();
            }
        }

        /// <summary>
        /// Opens the circuit by hand (isolates the dependency): every call fails fast until <see cref="Reset"/>, or until
        /// <paramref name="duration"/> has passed from <paramref name="now"/> when one is given (then probes follow as usual).
        /// </summary>
        public void Isolate(DateTimeOffset now, TimeSpan? duration = null)
        {
            lock (_gate)
            {
                Open(now);
                _openUntil = duration is TimeSpan d && d >= TimeSpan.Zero && d < DateTimeOffset.MaxValue - now ? now + d : DateTimeOffset.MaxValue;
            }
        }

        private bool IsCurrentProbe(CircuitPermit permit) => _state == (int)CircuitState.HalfOpen && permit.Episode == _episode;

        private void Close()
        {
            _state = (int)CircuitState.Closed;
            _episode++;
            _consecutiveFailures = 0;
            _probesRunning = 0;
            _probesSucceeded = 0;
            ClearWindow();
        }

        private void Open(DateTimeOffset now)
        {
            _state = (int)CircuitState.Open;
            _episode++;
            _consecutiveFailures = 0;
            _probesRunning = 0;
            _probesSucceeded = 0;
            _openUntil = now + BreakDuration;
            ClearWindow();
        }

        private void ClearWindow() => _window?.Clear();

        private (int Attempts, int Failures) Record(DateTimeOffset now, bool failed)
        {
            _window!.Add(now, 1, failed ? 1 : 0);
            return Sample(now);
        }

        private static int Positive(int value, string name)
            => value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, "Must be at least 1.");
    }
}
