using System;

namespace Sidecar
{
    /// <summary>
    /// The resilience settings of one decorated member (or of every member that shares them), as compiled in from
    /// <see cref="SidecarAttribute"/>. Immutable; generated code keeps one instance per distinct setting in a static field.
    /// </summary>
    public sealed class SidecarPolicy
    {
        private readonly Func<Exception, bool>? _isTransient;
        private readonly int _probeTimeout; // 0: derived from the defaults and Timeout

        /// <summary>Creates a policy. Generated code calls this; values were validated at compile time.</summary>
        /// <param name="circuitName">Name of the circuit breaker this policy uses (shared by every decorator of the same service).</param>
        /// <param name="retries">Retries after the first attempt.</param>
        /// <param name="delay">Milliseconds before the first retry.</param>
        /// <param name="backoff">Delay growth.</param>
        /// <param name="maxDelay">Cap of a single delay in milliseconds (0: none).</param>
        /// <param name="jitter">Whether delays are spread randomly.</param>
        /// <param name="failureThreshold">Failed attempts in a row that open the circuit (0: no breaker).</param>
        /// <param name="breakDuration">Milliseconds the circuit stays open.</param>
        /// <param name="timeout">Milliseconds per attempt (0: none).</param>
        /// <param name="isTransient">Which exceptions may be retried; <c>null</c> means all of them.</param>
        /// <param name="fallback">Whether the members with this policy have a fallback that answers final failures and refusals.</param>
        /// <param name="failureRatio">Fraction of failed attempts in the sampling window that opens the circuit (0: none).</param>
        /// <param name="samplingDuration">Milliseconds of the window <paramref name="failureRatio"/> is measured over.</param>
        /// <param name="minimumThroughput">Attempts the window must hold before <paramref name="failureRatio"/> may open the circuit.</param>
        /// <param name="halfOpenProbes">Probe calls a half-open circuit lets through.</param>
        /// <param name="maxConcurrency">Attempts of the service that may run at once (0: no bulkhead).</param>
        /// <param name="retryBudget">Retries allowed per call over the budget's window (0: no retry budget).</param>
        /// <param name="minRetriesPerSecond">Retries per second the budget always allows.</param>
        /// <param name="probeTimeout">Milliseconds a half-open probe may hold its slot (0: <see cref="SidecarDefaults.ProbeTimeout"/>, or <paramref name="timeout"/> when longer).</param>
        /// <param name="totalTimeout">Milliseconds a whole call may take, attempts and delays (0: no deadline).</param>
        /// <param name="rateLimit">Attempts of the service allowed in any <paramref name="rateLimitWindow"/> (0: no limit).</param>
        /// <param name="rateLimitWindow">Milliseconds of the window <paramref name="rateLimit"/> counts over.</param>
        /// <param name="maxQueue">Asynchronous calls that may wait for a bulkhead slot (0: none).</param>
        /// <param name="slowCallDuration">Milliseconds from which an attempt is slow (0: slow calls are not watched).</param>
        /// <param name="slowCallRatio">Fraction of slow attempts in the sampling window that opens the circuit.</param>
        /// <param name="hedging">Extra attempts a hedged member may start beside one that has not answered (0: no hedging).</param>
        /// <param name="hedgingDelay">Milliseconds an attempt may go unanswered before the next hedged attempt starts.</param>
        public SidecarPolicy(
            string circuitName,
            int retries = SidecarDefaults.Retries,
            int delay = SidecarDefaults.Delay,
            Backoff backoff = SidecarDefaults.Backoff,
            int maxDelay = SidecarDefaults.MaxDelay,
            bool jitter = false,
            int failureThreshold = SidecarDefaults.FailureThreshold,
            int breakDuration = SidecarDefaults.BreakDuration,
            int timeout = 0,
            Func<Exception, bool>? isTransient = null,
            bool fallback = false,
            double failureRatio = SidecarDefaults.FailureRatio,
            int samplingDuration = SidecarDefaults.SamplingDuration,
            int minimumThroughput = SidecarDefaults.MinimumThroughput,
            int halfOpenProbes = SidecarDefaults.HalfOpenProbes,
            int maxConcurrency = SidecarDefaults.MaxConcurrency,
            double retryBudget = SidecarDefaults.RetryBudget,
            int minRetriesPerSecond = SidecarDefaults.MinRetriesPerSecond,
            int probeTimeout = 0,
            int totalTimeout = 0,
            int rateLimit = 0,
            int rateLimitWindow = SidecarDefaults.RateLimitWindow,
            int maxQueue = 0,
            int slowCallDuration = 0,
            double slowCallRatio = SidecarDefaults.SlowCallRatio,
            int hedging = 0,
            int hedgingDelay = SidecarDefaults.HedgingDelay)
            : this(
                circuitName,
                FromParameters(retries, delay, backoff, maxDelay, jitter, failureThreshold, breakDuration, timeout, failureRatio, samplingDuration, minimumThroughput, halfOpenProbes, maxConcurrency, retryBudget, minRetriesPerSecond, probeTimeout, totalTimeout, rateLimit, rateLimitWindow, maxQueue, slowCallDuration, slowCallRatio, hedging, hedgingDelay),
                isTransient,
                fallback)
        {
        }

        /// <summary>A policy with these knob values, each checked against the catalogue's range.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the parameter name is the knob's.</exception>
        internal SidecarPolicy(string circuitName, KnobValues values, Func<Exception, bool>? isTransient, bool fallback)
        {
            CircuitName = circuitName ?? throw new ArgumentNullException(nameof(circuitName));
            if (values.FirstInvalid() is { } invalid)
            {
                string hint = invalid.Hint;
                throw new ArgumentOutOfRangeException(
                    invalid.ParameterName,
                    values[invalid.Id],
                    invalid.Name + " is not valid: " + hint + ".");
            }

            Values = values;
            _isTransient = isTransient;
            HasFallback = fallback;
            Retries = values.Int32(KnobId.Retries);
            Delay = Milliseconds(values, KnobId.Delay);
            Backoff = (Backoff)values.Int32(KnobId.Backoff);
            MaxDelay = Milliseconds(values, KnobId.MaxDelay);
            Jitter = values.IsOn(KnobId.Jitter);
            Timeout = Milliseconds(values, KnobId.Timeout);
            TotalTimeout = Milliseconds(values, KnobId.TotalTimeout);
            Hedging = values.Int32(KnobId.Hedging);
            HedgingDelay = Milliseconds(values, KnobId.HedgingDelay);
            FailureThreshold = values.Int32(KnobId.FailureThreshold);
            FailureRatio = values[KnobId.FailureRatio];
            SamplingDuration = Milliseconds(values, KnobId.SamplingDuration);
            MinimumThroughput = values.Int32(KnobId.MinimumThroughput);
            SlowCallDuration = Milliseconds(values, KnobId.SlowCallDuration);
            SlowCallRatio = values[KnobId.SlowCallRatio];
            ChaosFaultRate = values[KnobId.ChaosFaultRate];
            ChaosLatencyRate = values[KnobId.ChaosLatencyRate];
            ChaosLatency = Milliseconds(values, KnobId.ChaosLatency);
            ChaosResultRate = values[KnobId.ChaosResultRate];
            BreakDuration = Milliseconds(values, KnobId.BreakDuration);
            HalfOpenProbes = values.Int32(KnobId.HalfOpenProbes);
            _probeTimeout = values.Int32(KnobId.ProbeTimeout);
            MaxConcurrency = values.Int32(KnobId.MaxConcurrency);
            MaxQueue = values.Int32(KnobId.MaxQueue);
            RetryBudget = values[KnobId.RetryBudget];
            MinRetriesPerSecond = values.Int32(KnobId.MinRetriesPerSecond);
            RateLimit = values.Int32(KnobId.RateLimit);
            RateLimitWindow = Milliseconds(values, KnobId.RateLimitWindow);
        }

        /// <summary>Every knob's value, as the catalogue orders them.</summary>
        internal KnobValues Values { get; }

        /// <summary>
        /// The longest a half-open probe may hold its slot before it counts as failed: the <c>probeTimeout</c> given, else
        /// <see cref="SidecarDefaults.ProbeTimeout"/> (60 s) or <see cref="Timeout"/> when that is longer.
        /// </summary>
        public TimeSpan ProbeTimeout => _probeTimeout > 0
            ? TimeSpan.FromMilliseconds(_probeTimeout)
            : TimeSpan.FromMilliseconds(Math.Max(SidecarDefaults.ProbeTimeout, Milliseconds(Timeout)));

        /// <summary>Name of the circuit breaker this policy uses.</summary>
        public string CircuitName { get; }

        /// <summary>Retries after the first attempt.</summary>
        public int Retries { get; }

        /// <summary>Delay before the first retry.</summary>
        public TimeSpan Delay { get; }

        /// <summary>Delay growth.</summary>
        public Backoff Backoff { get; }

        /// <summary>Cap of a single delay (<see cref="TimeSpan.Zero"/>: none).</summary>
        public TimeSpan MaxDelay { get; }

        /// <summary>Whether delays are spread randomly.</summary>
        public bool Jitter { get; }

        /// <summary>Failed attempts in a row that open the circuit (0: no breaker).</summary>
        public int FailureThreshold { get; }

        /// <summary>How long the circuit stays open before a probe.</summary>
        public TimeSpan BreakDuration { get; }

        /// <summary>Time limit per attempt (<see cref="TimeSpan.Zero"/>: none).</summary>
        public TimeSpan Timeout { get; }

        /// <summary>Time limit of a whole call, attempts and delays (<see cref="TimeSpan.Zero"/>: none).</summary>
        public TimeSpan TotalTimeout { get; }

        /// <summary>Extra attempts a hedged member may start beside one that has not answered (0: no hedging).</summary>
        public int Hedging { get; }

        /// <summary>How long an attempt of a hedged member may go unanswered before the next hedged attempt starts.</summary>
        public TimeSpan HedgingDelay { get; }

        /// <summary>
        /// Whether the members with this policy have a fallback (<see cref="SidecarAttribute.Fallback"/>). Telemetry then
        /// counts a call that finally fails or is refused once, as answered by the fallback
        /// (<see cref="SidecarPipeline.OnFallback"/>), not as a failure or a rejection.
        /// </summary>
        public bool HasFallback { get; }

        /// <summary>Fraction of failed attempts in the sampling window that opens the circuit (0: no failure-ratio breaker).</summary>
        public double FailureRatio { get; }

        /// <summary>The window <see cref="FailureRatio"/> is measured over.</summary>
        public TimeSpan SamplingDuration { get; }

        /// <summary>Attempts the window must hold before <see cref="FailureRatio"/> may open the circuit.</summary>
        public int MinimumThroughput { get; }

        /// <summary>Probe calls a half-open circuit lets through; all must succeed to close it.</summary>
        public int HalfOpenProbes { get; }

        /// <summary>The duration from which an attempt is slow (<see cref="TimeSpan.Zero"/>: slow calls are not watched).</summary>
        public TimeSpan SlowCallDuration { get; }

        /// <summary>Fraction of slow attempts in the sampling window that opens the circuit.</summary>
        public double SlowCallRatio { get; }

        /// <summary>Chaos: fraction of asynchronous attempts that fail with an injected fault (run-time overrides only).</summary>
        internal double ChaosFaultRate { get; }

        /// <summary>Chaos: fraction of asynchronous attempts delayed by <see cref="ChaosLatency"/>.</summary>
        internal double ChaosLatencyRate { get; }

        /// <summary>Chaos: the latency injected.</summary>
        internal TimeSpan ChaosLatency { get; }

        /// <summary>Chaos: fraction of asynchronous attempts answered by an injected result.</summary>
        internal double ChaosResultRate { get; }

        /// <summary>Whether any chaos rate is above zero.</summary>
        internal bool InjectsChaos => ChaosFaultRate > 0 || ChaosLatencyRate > 0 || ChaosResultRate > 0;

        /// <summary>Attempts of the service that may run at once (0: no bulkhead).</summary>
        public int MaxConcurrency { get; }

        /// <summary>Asynchronous calls that may wait for a bulkhead slot (0: none wait).</summary>
        public int MaxQueue { get; }

        /// <summary>Retries allowed per call over <see cref="SidecarDefaults.RetryBudgetWindow"/> (0: no retry budget).</summary>
        public double RetryBudget { get; }

        /// <summary>Retries per second a <see cref="RetryBudget"/> always allows.</summary>
        public int MinRetriesPerSecond { get; }

        /// <summary>Attempts of the service allowed in any <see cref="RateLimitWindow"/> (0: no rate limit).</summary>
        public int RateLimit { get; }

        /// <summary>The window <see cref="RateLimit"/> counts attempts over.</summary>
        public TimeSpan RateLimitWindow { get; }

        /// <summary>Whether the policy has a circuit breaker (<see cref="FailureThreshold"/> or <see cref="FailureRatio"/> set).</summary>
        public bool HasCircuitBreaker => FailureThreshold > 0 || FailureRatio > 0 || SlowCallDuration > TimeSpan.Zero;

        /// <summary>The breaker settings of this policy, as <see cref="CircuitBreakerRegistry"/> takes them.</summary>
        public CircuitBreakerOptions CircuitBreakerOptions => new()
        {
            FailureThreshold = FailureThreshold,
            BreakDuration = BreakDuration,
            FailureRatio = FailureRatio,
            SamplingDuration = SamplingDuration,
            MinimumThroughput = MinimumThroughput,
            SlowCallDuration = SlowCallDuration,
            SlowCallRatio = SlowCallRatio,
            HalfOpenProbes = HalfOpenProbes,
            ProbeTimeout = ProbeTimeout,
        };

        /// <summary>
        /// This policy with the values <paramref name="overrides"/> sets (run-time configuration); the rest, and the
        /// compiled-in <c>RetryOn</c>/<c>NeverRetryOn</c> and fallback, unchanged. Returns this instance when nothing is set.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">An overriding value is out of range; the message names it.</exception>
        public SidecarPolicy With(SidecarPolicyOverride? overrides)
        {
            if (overrides is null || overrides.IsEmpty)
            {
                return this;
            }

            return new SidecarPolicy(CircuitName, overrides.ApplyTo(Values), _isTransient, HasFallback);
        }

        private static TimeSpan Milliseconds(KnobValues values, KnobId knob) => TimeSpan.FromMilliseconds(values[knob]);

        private static KnobValues FromParameters(int retries, int delay, Backoff backoff, int maxDelay, bool jitter, int failureThreshold, int breakDuration, int timeout, double failureRatio, int samplingDuration, int minimumThroughput, int halfOpenProbes, int maxConcurrency, double retryBudget, int minRetriesPerSecond, int probeTimeout, int totalTimeout, int rateLimit, int rateLimitWindow, int maxQueue, int slowCallDuration, double slowCallRatio, int hedging, int hedgingDelay)
        {
            double[] values = KnobValues.Defaults.ToArray();
            values[(int)KnobId.Retries] = retries;
            values[(int)KnobId.Delay] = delay;
            values[(int)KnobId.Backoff] = (int)backoff;
            values[(int)KnobId.MaxDelay] = maxDelay;
            values[(int)KnobId.Jitter] = jitter ? 1 : 0;
            values[(int)KnobId.Timeout] = timeout;
            values[(int)KnobId.FailureThreshold] = failureThreshold;
            values[(int)KnobId.FailureRatio] = failureRatio;
            values[(int)KnobId.SamplingDuration] = samplingDuration;
            values[(int)KnobId.MinimumThroughput] = minimumThroughput;
            values[(int)KnobId.BreakDuration] = breakDuration;
            values[(int)KnobId.HalfOpenProbes] = halfOpenProbes;
            values[(int)KnobId.ProbeTimeout] = probeTimeout;
            values[(int)KnobId.MaxConcurrency] = maxConcurrency;
            values[(int)KnobId.RetryBudget] = retryBudget;
            values[(int)KnobId.MinRetriesPerSecond] = minRetriesPerSecond;
            values[(int)KnobId.TotalTimeout] = totalTimeout;
            values[(int)KnobId.RateLimit] = rateLimit;
            values[(int)KnobId.RateLimitWindow] = rateLimitWindow;
            values[(int)KnobId.MaxQueue] = maxQueue;
            values[(int)KnobId.SlowCallDuration] = slowCallDuration;
            values[(int)KnobId.SlowCallRatio] = slowCallRatio;
            values[(int)KnobId.Hedging] = hedging;
            values[(int)KnobId.HedgingDelay] = hedgingDelay;
            return KnobValues.From(values);
        }

        private static int Milliseconds(TimeSpan value) => (int)Math.Min(int.MaxValue, value.TotalMilliseconds);

        /// <summary>Whether <paramref name="exception"/> is of a kind this policy retries (the <c>RetryOn</c> list).</summary>
        public bool IsTransient(Exception exception) => _isTransient is null || _isTransient(exception);
    }
}
