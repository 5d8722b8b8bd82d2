using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Sidecar
{
    /// <summary>
    /// A thread-safe circuit breaker. Closed → Open when <see cref="FailureThreshold"/> attempts in a row failed, or when
    /// at least <see cref="FailureRatio"/> of the attempts in the last <see cref="SamplingDuration"/> failed once
    /// <see cref="MinimumThroughput"/> were seen → HalfOpen once <see cref="BreakDuration"/> has passed, where
    /// <see cref="HalfOpenProbes"/> probe calls are let through → Closed when all of them succeed, Open again at the first
    /// that fails or when one is still out after <see cref="ProbeTimeout"/>. Every decorator of the same service shares
    /// one instance through <see cref="CircuitBreakerRegistry"/>.
    /// </summary>
    /// <remarks>
    /// Durations are measured on the monotonic clock of the <see cref="System.TimeProvider"/> it was created with, so a
    /// wall-clock step changes nothing it decides. Each state entered starts a new episode: the outcome of an attempt
    /// admitted in an earlier episode (a slow call that outlived an outage) moves nothing. A probe keeps its slot until
    /// its attempt really ends — cancelled or timed out, it may still be running inside the dependency — or until
    /// <see cref="ProbeTimeout"/>. Every state change, automatic or by hand, is reported once, in order, to the observers
    /// of the sidecars that use the circuit and to telemetry.
    /// </remarks>
    public sealed partial class CircuitBreaker
    {
        private const int StateBits = 2;
        private const int StateMask = (1 << StateBits) - 1;

        private readonly object _gate = new();
        private readonly MonotonicClock _clock;
        private readonly bool _countsEveryOutcome; // failure-ratio mode: successes are recorded too
        private readonly SlidingCounts? _window; // attempts, failures
        private readonly CircuitTransitions _transitions;

        // (episode << 2) | state, written under the lock and read without it: one read tells the state and the episode.
        private volatile int _status;
        private int _consecutiveFailures;
        private int _probesSucceeded; // in the current half-open episode
        private int _slotsHeld; // probe slots whose attempt has not ended yet, whatever episode admitted them
        private int _episodeSlots; // of those, the ones the current half-open episode admitted
        private int _slotEpoch; // moves on when held slots are forfeited (probe timeout, Reset)
        private MonotonicInstant _slotsSince; // when the oldest slot still held was taken (conservatively)
        private MonotonicInstant _openedAt;
        private TimeSpan _openFor;

        /// <summary>Creates a closed breaker.</summary>
        /// <param name="name">The circuit's name.</param>
        /// <param name="options">How it opens and closes.</param>
        /// <param name="timeProvider">The clock it measures durations on; <see cref="TimeProvider.System"/> when <c>null</c>.</param>
        /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
        public CircuitBreaker(string name, CircuitBreakerOptions options, TimeProvider? timeProvider = null)
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

            if (options.FailureThreshold == 0 && options.FailureRatio == 0 && options.SlowCallDuration <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "A circuit breaker needs a FailureThreshold of at least 1, a FailureRatio above 0 or a SlowCallDuration.");
            }

            if (options.SlowCallDuration > TimeSpan.Zero && !(options.SlowCallRatio > 0 && options.SlowCallRatio <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(options), "SlowCallRatio must be above 0 and at most 1.");
            }

            FailureThreshold = options.FailureThreshold;
            BreakDuration = NotNegative(options.BreakDuration, nameof(options.BreakDuration));
            ProbeTimeout = Positive(options.ProbeTimeout, nameof(options.ProbeTimeout));
            HalfOpenProbes = Positive(options.HalfOpenProbes, nameof(options.HalfOpenProbes));
            FailureRatio = options.FailureRatio;
            SamplingDuration = options.SamplingDuration;
            MinimumThroughput = options.MinimumThroughput;
            SlowCallDuration = options.SlowCallDuration > TimeSpan.Zero ? options.SlowCallDuration : TimeSpan.Zero;
            SlowCallRatio = options.SlowCallRatio;
            if (FailureRatio > 0 || SlowCallDuration > TimeSpan.Zero)
            {
                Positive(SamplingDuration, nameof(options.SamplingDuration));
                Positive(MinimumThroughput, nameof(options.MinimumThroughput));
                _countsEveryOutcome = true;
                _window = new SlidingCounts(SamplingDuration);
            }

            _clock = new MonotonicClock(timeProvider);
            _transitions = new CircuitTransitions(name);
        }

        /// <summary>
        /// A breaker that no verdict ever reaches, so it stays closed with no failures: the fast gate of a pipeline that has no
        /// breaker of its own (<see cref="SidecarPipeline"/>), so that one code path serves both.
        /// </summary>
        internal static CircuitBreaker AlwaysClosed { get; } = new("(none)", new CircuitBreakerOptions { FailureThreshold = int.MaxValue }, TimeProvider.System);

        /// <summary>The duration from which an attempt is slow (<see cref="TimeSpan.Zero"/>: slow calls are not watched).</summary>
        public TimeSpan SlowCallDuration { get; }

        /// <summary>Fraction of slow attempts in the sampling window that opens the circuit.</summary>
        public double SlowCallRatio { get; }

        /// <summary>Whether attempts are timed, so that their permits must say when they started.</summary>
        internal bool WatchesSlowCalls => SlowCallDuration > TimeSpan.Zero;

        /// <summary>The permit of an attempt starting now, timed when slow calls are watched (a probe's is not: see <see cref="CircuitPermit.StartedAt"/>).</summary>
        internal CircuitPermit Timed(CircuitPermit permit) => WatchesSlowCalls ? permit.StartedAt(NowMs()) : permit;

        // The breaker's monotonic clock in milliseconds, modulo 2^28 (a permit's field).
        private int NowMs() => (int)((_clock.Now().Ticks / TimeSpan.TicksPerMillisecond) & CircuitPermit.EpochMask);

        /// <summary>Whether the timed attempt of <paramref name="permit"/>, ending at <paramref name="now"/>, was slow.</summary>
        private bool WasSlow(CircuitPermit permit, MonotonicInstant now)
        {
            if (!WatchesSlowCalls || !permit.IsTimed)
            {
                return false;
            }

            long nowMs = now.Ticks / TimeSpan.TicksPerMillisecond;
            long elapsed = (nowMs - permit.StartedMs) & CircuitPermit.EpochMask; // wraps round like the field
            return elapsed >= SlowCallDuration.TotalMilliseconds;
        }

        /// <summary>Whether successes are recorded too (failure-ratio mode), so none can skip the breaker.</summary>
        internal bool CountsEveryOutcome => _countsEveryOutcome;

        /// <summary>
        /// The failed attempts in a row, read without a lock: while it is 0, a success of an attempt that holds no probe slot
        /// changes nothing (closed, it would set 0 to 0; not closed, the attempt is from an earlier episode).
        /// </summary>
        internal int FailuresInARow
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Volatile.Read(ref _consecutiveFailures);
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

        /// <summary>The longest a probe holds its slot: a probe still out after this counts as failed and the circuit opens again.</summary>
        public TimeSpan ProbeTimeout { get; }

        /// <summary>The current state. An open circuit whose break is over reports <see cref="CircuitState.Open"/> until the next call probes it.</summary>
        public CircuitState State => (CircuitState)(_status & StateMask);

        /// <summary>Whether calls flow freely; the only check on the happy path.</summary>
        public bool IsClosed
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (_status & StateMask) == (int)CircuitState.Closed;
        }

        /// <summary>Failed attempts in a row so far.</summary>
        public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

        /// <summary>Probe slots held now: probes whose attempt has not ended, including cancelled ones still running in the dependency.</summary>
        public int ProbesRunning
        {
            get
            {
                lock (_gate)
                {
                    return _slotsHeld;
                }
            }
        }

        /// <summary>
        /// When an open circuit lets the next probe through, on the wall clock (<see cref="DateTimeOffset.MaxValue"/> when it
        /// was isolated until reset); <c>null</c> unless open.
        /// </summary>
        public DateTimeOffset? OpenUntil
        {
            get
            {
                lock (_gate)
                {
                    return State == CircuitState.Open ? _clock.WallClockIn(Remaining(_clock.Now())) : null;
                }
            }
        }

        /// <summary>The clock the circuit measures durations on.</summary>
        internal TimeProvider TimeProvider => _clock.TimeProvider;

        /// <summary>The attempts, failures and slow attempts the sampling window holds now (zeros without a window).</summary>
        public (int Attempts, int Failures, int Slow) SampleWithSlowCalls()
        {
            (long attempts, long failures, long slow) = _window?.Sum3(_clock.Now()) ?? default;
            return ((int)attempts, (int)failures, (int)slow);
        }

        /// <summary>The attempts and failures the failure-ratio window holds now (zeros without a <see cref="FailureRatio"/>).</summary>
        public (int Attempts, int Failures) Sample()
        {
            (long attempts, long failures) = _window?.Sum(_clock.Now()) ?? default;
            return ((int)attempts, (int)failures);
        }

        /// <summary>Whether a success without a probe permit changes nothing: closed, no failures in a row, no window to feed.</summary>
        internal bool IsUndisturbed
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => IsClosed && !_countsEveryOutcome && Volatile.Read(ref _consecutiveFailures) == 0;
        }

        /// <summary>
        /// The permit of an attempt that starts while the circuit is closed, read without a lock; <c>false</c> when it is
        /// not closed (then <see cref="TryEnter(out CircuitPermit, out TimeSpan)"/> decides).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal CircuitPermit Pass()
        {
            int status = _status;
            return IsClosedStatus(status) ? CircuitPermit.Closed(EpisodeOf(status)) : CircuitPermit.Blocked;
        }

        /// <summary>The state and episode in one word, read without a lock (the pipeline's fast path decodes it itself).</summary>
        internal int Status
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => _status;
        }

        /// <summary>Whether a status word says closed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static bool IsClosedStatus(int status) => (status & StateMask) == (int)CircuitState.Closed;

        /// <summary>Lets <paramref name="observer"/> hear this circuit's state changes while it is alive (once, however often asked).</summary>
        public void Watch(SidecarObserver? observer) => _transitions.Watch(observer);

        /// <summary>
        /// Asks to start an attempt. Returns <c>true</c> with a permit when the call may go on; <c>false</c> with how long
        /// until the circuit will be tried again when it must fail fast (<see cref="TimeSpan.Zero"/>: half-open, every probe
        /// slot taken; <see cref="TimeSpan.MaxValue"/>: isolated until reset).
        /// </summary>
        /// <param name="permit">The permit to hand back through <see cref="OnSuccess"/>, <see cref="OnFailure(CircuitPermit, bool)"/> or <see cref="OnIgnored"/>.</param>
        /// <param name="retryAfter">When refused: how long until a probe will be let through.</param>
        [EditorBrowsable(EditorBrowsableState.Never)]
        public bool TryEnter(out CircuitPermit permit, out TimeSpan retryAfter) => TryEnter(out permit, out retryAfter, out _);

        /// <summary><see cref="TryEnter(out CircuitPermit, out TimeSpan)"/>, telling the state this call moved the circuit to, if it moved it.</summary>
        internal bool TryEnter(out CircuitPermit permit, out TimeSpan retryAfter, out CircuitState? transition)
        {
            retryAfter = TimeSpan.Zero;
            transition = null;
            permit = Pass();
            if (!permit.IsBlocked)
            {
                permit = Timed(permit);
                return true;
            }

            bool entered;
            lock (_gate)
            {
                int before = _status;
                entered = Admit(_clock.Now(), take: true, out permit, out retryAfter);
                if (_status != before)
                {
                    transition = State;
                }
            }

            _transitions.Deliver();
            return entered;
        }

        /// <summary>
        /// Whether <see cref="TryEnter(out CircuitPermit, out TimeSpan)"/> would refuse a call now (open and still breaking, or half-open with every probe
        /// slot taken), and how long until it would not. Takes nothing, though an overdue probe timeout is applied.
        /// </summary>
        [EditorBrowsable(EditorBrowsableState.Never)]
        public bool WouldRefuse(out TimeSpan retryAfter)
        {
            retryAfter = TimeSpan.Zero;
            if (IsClosed)
            {
                return false;
            }

            bool refused;
            lock (_gate)
            {
                refused = !Admit(_clock.Now(), take: false, out _, out retryAfter);
            }

            _transitions.Deliver();
            return refused;
        }

        // Under the lock. With take: false nothing is admitted, but the state still moves as time says it must.
        private bool Admit(MonotonicInstant now, bool take, out CircuitPermit permit, out TimeSpan retryAfter)
        {
            permit = default;
            retryAfter = TimeSpan.Zero;
            ForfeitOverdueSlots(now);
            int status = _status;
            switch ((CircuitState)(status & StateMask))
            {
                case CircuitState.Closed:
                    permit = Timed(CircuitPermit.Closed(EpisodeOf(status)));
                    return true;
                case CircuitState.Open:
                    TimeSpan remaining = Remaining(now);
                    if (remaining > TimeSpan.Zero)
                    {
                        retryAfter = remaining;
                        return false;
                    }

                    if (_slotsHeld >= HalfOpenProbes)
                    {
                        // Every probe slot is still held by probes of earlier episodes that have not ended: half-opening now
                        // would admit nobody. Stay open until they end or their probe timeout forfeits them.
                        retryAfter = ProbeTimeout - now.Since(_slotsSince);
                        return false;
                    }

                    if (!take)
                    {
                        return true; // the next call will half-open the circuit
                    }

                    Enter(CircuitState.HalfOpen);
                    _probesSucceeded = 0;
                    goto default;
                default: // HalfOpen
                    if (_slotsHeld + _probesSucceeded >= HalfOpenProbes)
                    {
                        return false;
                    }

                    if (take)
                    {
                        if (_slotsHeld++ == 0)
                        {
                            _slotsSince = now;
                        }

                        _episodeSlots++;

                        permit = CircuitPermit.Probe(EpisodeOf(_status), _slotEpoch);
                    }

                    return true;
            }
        }
    }
}
