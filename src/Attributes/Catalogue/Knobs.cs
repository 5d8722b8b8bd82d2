// The knob catalogue: the one table that describes every [Sidecar] knob. This file is compiled into the runtime
// (Sidecar.dll, namespace Sidecar) and, linked, into the generator and the code fixes (namespace
// Sidecar.Generators.Catalogue, every type internal), so that the attribute's defaults, the compile-time checks, the
// emitted policy and the run-time override validation can never disagree. A new knob is one row here, one attribute
// property, one override property (when it can be overridden) and the strategy that uses it.
using System;
using System.Collections.Generic;
using System.Globalization;

#if SIDECAR_ANALYZER
namespace Sidecar.Generators.Catalogue
#else
namespace Sidecar
#endif
{
    /// <summary>The values a <see cref="SidecarAttribute"/> knob has when it is not set.</summary>
#if SIDECAR_ANALYZER
    internal
#else
    public
#endif
    static class SidecarDefaults
    {
        /// <summary>Retries after the first attempt.</summary>
        public const int Retries = 3;

        /// <summary>Milliseconds before the first retry.</summary>
        public const int Delay = 100;

        /// <summary>Delay growth.</summary>
        public const Backoff Backoff = Backoff.Linear;

        /// <summary>Cap of a single delay in milliseconds.</summary>
        public const int MaxDelay = 30_000;

        /// <summary>Failed attempts in a row that open the circuit (0: no breaker).</summary>
        public const int FailureThreshold = 0;

        /// <summary>Milliseconds the circuit stays open.</summary>
        public const int BreakDuration = 5_000;

        /// <summary>Fraction of failed attempts in the sampling window that opens the circuit (0: no failure-ratio breaker).</summary>
        public const double FailureRatio = 0;

        /// <summary>Milliseconds of the window over which <c>FailureRatio</c> is measured.</summary>
        public const int SamplingDuration = 30_000;

        /// <summary>Attempts the sampling window must hold before <c>FailureRatio</c> may open the circuit.</summary>
        public const int MinimumThroughput = 100;

        /// <summary>Probe calls a half-open circuit lets through; all must succeed to close it.</summary>
        public const int HalfOpenProbes = 1;

        /// <summary>
        /// Milliseconds a half-open probe may hold its slot before it counts as failed, when the <c>ProbeTimeout</c> knob is
        /// not set (60 s; the attempt <c>Timeout</c> instead when that is longer).
        /// </summary>
        public const int ProbeTimeout = 60_000;

        /// <summary>Calls running at once per service (0: no bulkhead).</summary>
        public const int MaxConcurrency = 0;

        /// <summary>Retries allowed per call made, over <see cref="RetryBudgetWindow"/> (0: no retry budget).</summary>
        public const double RetryBudget = 0;

        /// <summary>Retries per second always allowed by a retry budget, however few calls were made.</summary>
        public const int MinRetriesPerSecond = 10;

        /// <summary>Milliseconds over which a retry budget counts calls and retries.</summary>
        public const int RetryBudgetWindow = 10_000;

        /// <summary>Fraction of slow attempts in the sampling window that opens the circuit, when <c>SlowCallDuration</c> is set.</summary>
        public const double SlowCallRatio = 1;

        /// <summary>Milliseconds of the window <c>RateLimit</c> counts attempts over.</summary>
        public const int RateLimitWindow = 1_000;

        /// <summary>Milliseconds an attempt of a hedged member may go unanswered before the next hedged attempt starts beside it.</summary>
        public const int HedgingDelay = 2_000;

        /// <summary>The most hedged attempts <c>Hedging</c> may add to an attempt.</summary>
        public const int MaxHedging = 10;

        /// <summary>Fraction by which <c>Jitter</c> may move a delay either way.</summary>
        public const double JitterSpread = 0.25;
    }

    /// <summary>Every knob, in the order of the catalogue (and of <see cref="KnobValues"/>).</summary>
    internal enum KnobId
    {
        Retries,
        Delay,
        Backoff,
        MaxDelay,
        Jitter,
        Timeout,
        TotalTimeout,
        Hedging,
        HedgingDelay,
        FailureThreshold,
        FailureRatio,
        SlowCallDuration,
        SlowCallRatio,
        SamplingDuration,
        MinimumThroughput,
        BreakDuration,
        HalfOpenProbes,
        ProbeTimeout,
        MaxConcurrency,
        MaxQueue,
        RetryBudget,
        MinRetriesPerSecond,
        RateLimit,
        RateLimitWindow,
        ChaosFaultRate,
        ChaosLatencyRate,
        ChaosLatency,
        ChaosResultRate,
        RetryOn,
        NeverRetryOn,
        Fallback,
        Classify,
    }

    /// <summary>What a knob's value is.</summary>
    internal enum KnobType
    {
        /// <summary>An <see cref="int"/>: a count or a number of milliseconds.</summary>
        Int32,

        /// <summary>A <see cref="double"/>: a fraction or a ratio.</summary>
        Double,

        /// <summary>A <see cref="bool"/>.</summary>
        Boolean,

        /// <summary>A <c>Backoff</c> value.</summary>
        Backoff,

        /// <summary>A list of exception types (compiled in; not overridable).</summary>
        ExceptionTypes,

        /// <summary>The name of a method of the sidecar class (compiled in; not overridable).</summary>
        MethodName,
    }

    /// <summary>Whose state a knob configures.</summary>
    internal enum KnobScope
    {
        /// <summary>Each decorated member's own calls: retries, delays, timeouts, fallbacks.</summary>
        Member,

        /// <summary>
        /// The state a service shares between its members and decorators (its circuit, bulkhead and retry budget): a method
        /// that sets one gets a circuit of its own, and a run-time override of one applies where that state is owned.
        /// </summary>
        Service,
    }

    /// <summary>One row of the catalogue.</summary>
    internal sealed class Knob
    {
        private readonly string? _hint;

        public Knob(KnobId id, KnobType type, string unit, double defaultValue, double minimum, double maximum, KnobScope scope, bool overridable, KnobId[] refines, string summary, string? hint = null, string? defaultText = null, bool runTimeOnly = false)
        {
            RunTimeOnly = runTimeOnly;
            Id = id;
            Name = id.ToString();
            ParameterName = char.ToLowerInvariant(Name[0]) + Name.Substring(1);
            Type = type;
            Unit = unit;
            Default = defaultValue;
            Minimum = minimum;
            Maximum = maximum;
            Scope = scope;
            Overridable = overridable;
            Refines = refines;
            Summary = summary;
            _hint = hint;
            DefaultText = defaultText ?? FormatDefault();
        }

        public KnobId Id { get; }

        /// <summary>The name of the attribute and override property.</summary>
        public string Name { get; }

        /// <summary>The name of the <c>SidecarPolicy</c> constructor parameter.</summary>
        public string ParameterName { get; }

        public KnobType Type { get; }

        /// <summary>"ms", "per second" or empty.</summary>
        public string Unit { get; }

        /// <summary>The value when the knob is not set (a bool as 0 or 1, a <c>Backoff</c> as its number).</summary>
        public double Default { get; }

        /// <summary>The smallest valid value.</summary>
        public double Minimum { get; }

        /// <summary>The largest valid value.</summary>
        public double Maximum { get; }

        public KnobScope Scope { get; }

        /// <summary>Whether a <c>SidecarPolicyOverride</c> can replace the value at run time.</summary>
        public bool Overridable { get; }

        /// <summary>
        /// The knobs this one refines: it has an effect only when one of them is on (a value above zero). Empty for a knob that
        /// works alone. SIDECAR018 reports a refining knob set while all of these are off.
        /// </summary>
        public KnobId[] Refines { get; }

        /// <summary>
        /// Whether the knob is set only at run time, through <c>SidecarPolicyOverride</c> (fault injection: a game day needs
        /// no rebuild), and so is no property of the attribute nor a parameter of the policy's constructor.
        /// </summary>
        public bool RunTimeOnly { get; }

        /// <summary>What the knob does, in a few words (README, diagnostics).</summary>
        public string Summary { get; }

        /// <summary>The default as the README shows it.</summary>
        public string DefaultText { get; }

        /// <summary>Whether the value is a number, a flag or a <c>Backoff</c> (one slot of <see cref="KnobValues"/>).</summary>
        public bool IsScalar => Type is KnobType.Int32 or KnobType.Double or KnobType.Boolean or KnobType.Backoff;

        /// <summary>Whether <paramref name="value"/> is valid for this knob.</summary>
        public bool IsValid(double value)
            => !double.IsNaN(value) && !double.IsInfinity(value) && value >= Minimum && value <= Maximum
               && (Type is not (KnobType.Int32 or KnobType.Backoff or KnobType.Boolean) || Math.Floor(value) == value);

        /// <summary>What a valid value is, as a diagnostic's or an exception's explanation ends: "it must be at least 1".</summary>
        public string Hint => _hint ?? (Minimum >= 1 ? "it must be at least 1" : "it must be zero or positive");

        /// <summary>The valid value closest to <paramref name="value"/>.</summary>
        public double Clamp(double value) => double.IsNaN(value) ? Default : Math.Max(Minimum, Math.Min(Maximum, value));

        /// <summary>A value as C# writes it (invariant culture).</summary>
        public string Format(double value) => Type switch
        {
            KnobType.Boolean => value != 0 ? "true" : "false",
            KnobType.Backoff => ((Backoff)(int)value).ToString(),
            _ => value.ToString("R", CultureInfo.InvariantCulture),
        };

        private string FormatDefault() => Type switch
        {
            KnobType.ExceptionTypes or KnobType.MethodName => "none",
            KnobType.Backoff => "`" + Format(Default) + "`",
            _ => Format(Default),
        };
    }

    /// <summary>The catalogue itself.</summary>
    internal static class Knobs
    {
        private static readonly KnobId[] s_none = new KnobId[0];

        /// <summary>The knobs of which any one, when on, gives a service a circuit breaker.</summary>
        public static readonly KnobId[] CircuitBreaker = { KnobId.FailureThreshold, KnobId.FailureRatio, KnobId.SlowCallDuration };

        /// <summary>The knobs of which any one, when on, gives a circuit a sliding window of attempts.</summary>
        public static readonly KnobId[] SamplingWindow = { KnobId.FailureRatio, KnobId.SlowCallDuration };

        /// <summary>Every knob, in <see cref="KnobId"/> order (so <c>All[(int)id]</c> is <c>id</c>'s row).</summary>
        public static readonly Knob[] All =
        {
            new(KnobId.Retries, KnobType.Int32, "", SidecarDefaults.Retries, 0, int.MaxValue, KnobScope.Member, true, s_none,
                "retries after the first attempt; 0 turns retrying off"),
            new(KnobId.Delay, KnobType.Int32, "ms", SidecarDefaults.Delay, 0, int.MaxValue, KnobScope.Member, true, s_none,
                "before the first retry; the backoff shapes the ones after"),
            new(KnobId.Backoff, KnobType.Backoff, "", (int)SidecarDefaults.Backoff, 0, 2, KnobScope.Member, true, s_none,
                "how the delay grows: Constant (Delay), Linear (Delay × n), Exponential (Delay × 2ⁿ⁻¹)",
                hint: "use Backoff.Constant, Backoff.Linear or Backoff.Exponential"),
            new(KnobId.MaxDelay, KnobType.Int32, "ms", SidecarDefaults.MaxDelay, 0, int.MaxValue, KnobScope.Member, true, s_none,
                "cap of any single delay; 0 = no cap"),
            new(KnobId.Jitter, KnobType.Boolean, "", 0, 0, 1, KnobScope.Member, true, s_none,
                "spread delays randomly: decorrelated jitter for Exponential, ±25 % for the others"),
            new(KnobId.Timeout, KnobType.Int32, "ms", 0, 0, int.MaxValue, KnobScope.Member, true, s_none,
                "per attempt of an asynchronous method; 0 = none"),
            new(KnobId.TotalTimeout, KnobType.Int32, "ms", 0, 0, int.MaxValue, KnobScope.Member, true, s_none,
                "deadline over a whole call of an asynchronous method, every attempt and every delay; 0 = none"),
            new(KnobId.Hedging, KnobType.Int32, "", 0, 0, SidecarDefaults.MaxHedging, KnobScope.Member, true, s_none,
                "asynchronous methods: extra attempts started beside one that has not answered within HedgingDelay (or failed transiently); the first outcome that is not Transient wins, the others are cancelled; 0 = off",
                hint: "it is the number of extra attempts: between 0 (off) and 10"),
            new(KnobId.HedgingDelay, KnobType.Int32, "ms", SidecarDefaults.HedgingDelay, 0, int.MaxValue, KnobScope.Member, true, new[] { KnobId.Hedging },
                "how long an attempt may go unanswered before the next hedged attempt starts; 0 = all at once"),
            new(KnobId.FailureThreshold, KnobType.Int32, "", SidecarDefaults.FailureThreshold, 0, int.MaxValue, KnobScope.Service, true, s_none,
                "failed attempts in a row that open the circuit; 0 = this trigger is off"),
            new(KnobId.FailureRatio, KnobType.Double, "", SidecarDefaults.FailureRatio, 0, 1, KnobScope.Service, true, s_none,
                "fraction of failed attempts within SamplingDuration that opens the circuit; 0 = off",
                hint: "it is a fraction of failed attempts: between 0 (off) and 1, e.g. 0.5"),
            new(KnobId.SlowCallDuration, KnobType.Int32, "ms", 0, 0, (1 << 28) - 1, KnobScope.Service, true, s_none,
                "an attempt that takes at least this long is slow, whatever its outcome; 0 = slow calls are not watched",
                hint: "it must be zero or positive and at most 268435455 (about 74 hours: an attempt is timed to the millisecond in 28 bits)"),
            new(KnobId.SlowCallRatio, KnobType.Double, "", SidecarDefaults.SlowCallRatio, 1e-9, 1, KnobScope.Service, true, new[] { KnobId.SlowCallDuration },
                "fraction of slow attempts within SamplingDuration that opens the circuit, even if they succeeded",
                hint: "it is a fraction of slow attempts: above 0 and at most 1, e.g. 0.8"),
            new(KnobId.SamplingDuration, KnobType.Int32, "ms", SidecarDefaults.SamplingDuration, 1, int.MaxValue, KnobScope.Service, true, SamplingWindow,
                "the sliding window FailureRatio and SlowCallRatio are measured over"),
            new(KnobId.MinimumThroughput, KnobType.Int32, "", SidecarDefaults.MinimumThroughput, 1, int.MaxValue, KnobScope.Service, true, SamplingWindow,
                "attempts the window must hold before FailureRatio or SlowCallRatio may open the circuit"),
            new(KnobId.BreakDuration, KnobType.Int32, "ms", SidecarDefaults.BreakDuration, 0, int.MaxValue, KnobScope.Service, true, CircuitBreaker,
                "the circuit stays open before probe calls are let through (half-open)"),
            new(KnobId.HalfOpenProbes, KnobType.Int32, "", SidecarDefaults.HalfOpenProbes, 1, int.MaxValue, KnobScope.Service, true, CircuitBreaker,
                "probe calls a half-open circuit lets through; all must succeed to close it"),
            new(KnobId.ProbeTimeout, KnobType.Int32, "ms", 0, 0, int.MaxValue, KnobScope.Service, true, CircuitBreaker,
                "a half-open probe may hold its slot before it counts as failed; 0 = 60 s, or Timeout when that is longer",
                defaultText: "0 (60 s)"),
            new(KnobId.MaxConcurrency, KnobType.Int32, "", SidecarDefaults.MaxConcurrency, 0, int.MaxValue, KnobScope.Service, true, s_none,
                "bulkhead: attempts of the service that may run at once; 0 = no limit"),
            new(KnobId.MaxQueue, KnobType.Int32, "", 0, 0, int.MaxValue, KnobScope.Service, true, new[] { KnobId.MaxConcurrency },
                "asynchronous calls that may wait, in order, for a bulkhead slot; one more is refused; 0 = none wait"),
            new(KnobId.RetryBudget, KnobType.Double, "", SidecarDefaults.RetryBudget, 0, double.MaxValue, KnobScope.Service, true, s_none,
                "retries over the last 10 s may not exceed this fraction of the calls plus MinRetriesPerSecond × 10; 0 = no budget",
                hint: "it is the retries allowed per call: 0 (off) or a positive fraction, e.g. 0.2"),
            new(KnobId.MinRetriesPerSecond, KnobType.Int32, "per second", SidecarDefaults.MinRetriesPerSecond, 0, int.MaxValue, KnobScope.Service, true, new[] { KnobId.RetryBudget },
                "retries a RetryBudget always allows, however few calls were made"),
            new(KnobId.RateLimit, KnobType.Int32, "", 0, 0, int.MaxValue, KnobScope.Service, true, s_none,
                "attempts of the service allowed in any RateLimitWindow; one more fails at once with RateLimitRejectedException; 0 = no limit"),
            new(KnobId.RateLimitWindow, KnobType.Int32, "ms", SidecarDefaults.RateLimitWindow, 1, int.MaxValue, KnobScope.Service, true, new[] { KnobId.RateLimit },
                "the sliding window RateLimit counts attempts over"),
            new(KnobId.ChaosFaultRate, KnobType.Double, "", 0, 0, 1, KnobScope.Member, true, s_none,
                "chaos: fraction of asynchronous attempts that fail with an injected fault (SidecarOptions.Chaos.Fault) instead of calling; run-time overrides only",
                hint: "it is a fraction of attempts: between 0 (off) and 1", runTimeOnly: true),
            new(KnobId.ChaosLatencyRate, KnobType.Double, "", 0, 0, 1, KnobScope.Member, true, s_none,
                "chaos: fraction of asynchronous attempts delayed by ChaosLatency before they call; run-time overrides only",
                hint: "it is a fraction of attempts: between 0 (off) and 1", runTimeOnly: true),
            new(KnobId.ChaosLatency, KnobType.Int32, "ms", 1_000, 0, int.MaxValue, KnobScope.Member, true, new[] { KnobId.ChaosLatencyRate },
                "chaos: the latency injected; run-time overrides only", runTimeOnly: true),
            new(KnobId.ChaosResultRate, KnobType.Double, "", 0, 0, 1, KnobScope.Member, true, s_none,
                "chaos: fraction of asynchronous attempts answered by SidecarOptions.Chaos.Result instead of calling; run-time overrides only",
                hint: "it is a fraction of attempts: between 0 (off) and 1", runTimeOnly: true),
            new(KnobId.RetryOn, KnobType.ExceptionTypes, "", 0, 0, 0, KnobScope.Member, false, s_none,
                "exception types treated as transient, subclasses included", defaultText: "all"),
            new(KnobId.NeverRetryOn, KnobType.ExceptionTypes, "", 0, 0, 0, KnobScope.Member, false, s_none,
                "exception types never retried, subclasses included (wins over RetryOn)"),
            new(KnobId.Fallback, KnobType.MethodName, "", 0, 0, 0, KnobScope.Member, false, s_none,
                "name of a method that answers when the call finally fails (Transient or Failure), the circuit is open or the bulkhead is full"),
            new(KnobId.Classify, KnobType.MethodName, "", 0, 0, 0, KnobScope.Member, false, s_none,
                "name of a method that classifies a result (Outcome Name(T result)) or an exception (Outcome Name(Exception exception)) as Success, Transient, Failure or Ignored"),
        };

        private static readonly Dictionary<string, Knob> s_byName = ByName();

        /// <summary>The row of <paramref name="id"/>.</summary>
        public static Knob Of(KnobId id) => All[(int)id];

        /// <summary>The knobs that refine <paramref name="id"/> (<see cref="Knob.Refines"/>), in catalogue order.</summary>
        public static IEnumerable<Knob> RefinementsOf(KnobId id)
        {
            foreach (Knob knob in All)
            {
                if (Array.IndexOf(knob.Refines, id) >= 0)
                {
                    yield return knob;
                }
            }
        }

        /// <summary>The knob whose property is called <paramref name="name"/> (ordinal), or <c>null</c>.</summary>
        public static Knob? Find(string name) => s_byName.TryGetValue(name, out Knob? knob) ? knob : null;

        private static Dictionary<string, Knob> ByName()
        {
            var byName = new Dictionary<string, Knob>(StringComparer.Ordinal);
            for (int i = 0; i < All.Length; i++)
            {
                if ((int)All[i].Id != i)
                {
                    throw new InvalidOperationException("The knob catalogue is out of KnobId order at " + All[i].Name + ".");
                }

                byName.Add(All[i].Name, All[i]);
            }

            return byName;
        }
    }
}
