using System;

namespace Sidecar
{
    /// <summary>
    /// Asks the Sidecar generator to write a resilient decorator.
    /// <list type="bullet">
    /// <item>On an <b>interface</b>: generates <c>public sealed partial class XxxSidecar : IXxx</c> beside it.</item>
    /// <item>On a <b>partial class</b> that lists interfaces: completes the class with every member of those
    /// interfaces that was not written by hand (decorate interfaces you do not own).</item>
    /// <item>On an <b>interface method</b>: the named properties set here override the type's for that method.
    /// If the interface itself has no <c>[Sidecar]</c>, only the annotated methods are decorated.</item>
    /// </list>
    /// </summary>
    /// <example>
    /// <code>
    /// [Sidecar(Retries = 5, Delay = 50)]
    /// public interface IOrderService { Task&lt;Order&gt; GetAsync(int id, CancellationToken ct = default); }
    /// IOrderService orders = new OrderServiceSidecar(new OrderService());
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Interface | AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    [System.Diagnostics.Conditional("SIDECAR_KEEP_ATTRIBUTES")]
    public sealed class SidecarAttribute : Attribute
    {
        /// <summary>Retries after the first attempt; 0 turns retrying off. Default <see cref="SidecarDefaults.Retries"/>.</summary>
        public int Retries { get; set; } = SidecarDefaults.Retries;

        /// <summary>Milliseconds before the first retry; the <see cref="Backoff"/> shapes the ones after. Default <see cref="SidecarDefaults.Delay"/>.</summary>
        public int Delay { get; set; } = SidecarDefaults.Delay;

        /// <summary>How the delay grows from one retry to the next. Default <see cref="Sidecar.Backoff.Linear"/> (Delay × attempt).</summary>
        public Backoff Backoff { get; set; } = SidecarDefaults.Backoff;

        /// <summary>Upper bound of any single delay, in milliseconds; 0 means no cap. Default <see cref="SidecarDefaults.MaxDelay"/>.</summary>
        public int MaxDelay { get; set; } = SidecarDefaults.MaxDelay;

        /// <summary>
        /// Spreads delays randomly so that many clients do not retry in lock step: decorrelated jitter for
        /// <see cref="Sidecar.Backoff.Exponential"/> (each delay drawn between <see cref="Delay"/> and three times the
        /// previous one), ±25 % for the others. Default <c>false</c>.
        /// </summary>
        public bool Jitter { get; set; }

        /// <summary>Failed attempts in a row that open the circuit; 0 means no circuit breaker. Default <see cref="SidecarDefaults.FailureThreshold"/>.</summary>
        public int FailureThreshold { get; set; } = SidecarDefaults.FailureThreshold;

        /// <summary>Milliseconds the circuit stays open before one probe call is let through (half-open). Default <see cref="SidecarDefaults.BreakDuration"/>.</summary>
        public int BreakDuration { get; set; } = SidecarDefaults.BreakDuration;

        /// <summary>
        /// Opens the circuit when at least this fraction (0 &lt; ratio ≤ 1) of the attempts made in the last
        /// <see cref="SamplingDuration"/> failed, once <see cref="MinimumThroughput"/> attempts were seen (Polly's model).
        /// 0 means no failure-ratio breaker. Works alone or beside <see cref="FailureThreshold"/>: either opens the circuit.
        /// Default 0.
        /// </summary>
        public double FailureRatio { get; set; }

        /// <summary>
        /// Slow calls (Resilience4j's slow-call rate): an attempt that takes at least this many milliseconds is slow, whatever
        /// its outcome, and once <see cref="MinimumThroughput"/> attempts were seen in the last <see cref="SamplingDuration"/>,
        /// a share of slow ones of at least <see cref="SlowCallRatio"/> opens the circuit, even if they all succeeded. Works
        /// alone or beside the other triggers. 0 means slow calls are not watched. Default 0.
        /// </summary>
        public int SlowCallDuration { get; set; }

        /// <summary>Fraction (0 &lt; ratio ≤ 1) of slow attempts in the window that opens the circuit. Default <see cref="SidecarDefaults.SlowCallRatio"/>.</summary>
        public double SlowCallRatio { get; set; } = SidecarDefaults.SlowCallRatio;

        /// <summary>Milliseconds of the sliding window <see cref="FailureRatio"/> is measured over. Default <see cref="SidecarDefaults.SamplingDuration"/>.</summary>
        public int SamplingDuration { get; set; } = SidecarDefaults.SamplingDuration;

        /// <summary>Attempts the window must hold before <see cref="FailureRatio"/> may open the circuit. Default <see cref="SidecarDefaults.MinimumThroughput"/>.</summary>
        public int MinimumThroughput { get; set; } = SidecarDefaults.MinimumThroughput;

        /// <summary>
        /// Probe calls a half-open circuit lets through (Resilience4j's permitted calls in half-open state). The circuit
        /// closes when all of them succeed and opens again at the first that fails. Default <see cref="SidecarDefaults.HalfOpenProbes"/>.
        /// </summary>
        public int HalfOpenProbes { get; set; } = SidecarDefaults.HalfOpenProbes;

        /// <summary>
        /// Milliseconds a half-open probe may hold its slot before it counts as failed and the circuit opens again (a probe
        /// the dependency never answers cannot keep the circuit half-open). 0 means <see cref="SidecarDefaults.ProbeTimeout"/>
        /// (60 s), or <see cref="Timeout"/> when that is longer. Default 0.
        /// </summary>
        public int ProbeTimeout { get; set; }

        /// <summary>
        /// Bulkhead: attempts of this service that may run at once (shared by every decorator of the service). One more
        /// is refused at once with <see cref="BulkheadRejectedException"/>. 0 means no limit. Default 0.
        /// </summary>
        public int MaxConcurrency { get; set; }

        /// <summary>
        /// Bulkhead queue: with <see cref="MaxConcurrency"/>, asynchronous calls that find every slot taken wait, in order,
        /// for one, up to this many at once; one more is refused with <see cref="BulkheadRejectedException"/>. A caller's
        /// cancellation takes it out of the queue. Synchronous members never wait. 0 means no queue. Default 0.
        /// </summary>
        public int MaxQueue { get; set; }

        /// <summary>
        /// Retry budget (Finagle/Envoy style): the retries of this service over the last
        /// <see cref="SidecarDefaults.RetryBudgetWindow"/> ms may not exceed this fraction of its calls, plus
        /// <see cref="MinRetriesPerSecond"/>. A retry over budget is not made: the failure is final. 0 means no budget. Default 0.
        /// </summary>
        public double RetryBudget { get; set; }

        /// <summary>Retries per second a <see cref="RetryBudget"/> always allows, however few calls were made. Default <see cref="SidecarDefaults.MinRetriesPerSecond"/>.</summary>
        public int MinRetriesPerSecond { get; set; } = SidecarDefaults.MinRetriesPerSecond;

        /// <summary>
        /// Rate limit: attempts of this service (shared by every decorator of the service, retries included) allowed in any
        /// <see cref="RateLimitWindow"/>, to stay within the dependency's quota. One more fails at once, without calling the
        /// inner instance, with <see cref="RateLimitRejectedException"/> (never retried; a fallback answers it), which says when
        /// a permit frees up. Counted on a sliding log, so no span of the window ever holds more. 0 means no limit. Default 0.
        /// </summary>
        public int RateLimit { get; set; }

        /// <summary>Milliseconds of the sliding window <see cref="RateLimit"/> counts attempts over. Default <see cref="SidecarDefaults.RateLimitWindow"/>.</summary>
        public int RateLimitWindow { get; set; } = SidecarDefaults.RateLimitWindow;

        /// <summary>Milliseconds each attempt of an asynchronous method may take; 0 means no timeout. Default 0.</summary>
        public int Timeout { get; set; }

        /// <summary>
        /// Milliseconds a whole call of an asynchronous method may take — every attempt and every delay between them; 0 means
        /// no deadline. When it passes during an attempt, the attempt is abandoned like a <see cref="Timeout"/>; a retry whose
        /// delay would end after it is not waited for. Either way no further attempt starts and the call ends with
        /// <see cref="SidecarTimeoutException"/> (<see cref="SidecarTimeoutException.IsTotalTimeout"/>), or the
        /// <see cref="Fallback"/>. Default 0.
        /// </summary>
        public int TotalTimeout { get; set; }

        /// <summary>
        /// Hedging, for asynchronous methods: how many extra attempts (up to 10) may start beside an attempt that has not
        /// answered within <see cref="HedgingDelay"/>, or that failed with an outcome that is <see cref="Outcome.Transient"/>.
        /// The first outcome that is not <c>Transient</c> wins; the other attempts are cancelled through their
        /// <see cref="System.Threading.CancellationToken"/> and observed. Every hedged attempt takes its own circuit permit,
        /// bulkhead slot and rate-limit permit (a hedge that would be refused is not started), and is timed by
        /// <see cref="Timeout"/>. With <see cref="Retries"/>, each retry is hedged again. Hedge only idempotent operations.
        /// 0 means no hedging. Default 0.
        /// </summary>
        public int Hedging { get; set; }

        /// <summary>
        /// Milliseconds an attempt of a hedged method (<see cref="Hedging"/>) may go unanswered before the next hedged attempt
        /// starts; 0 starts them all at once. Default <see cref="SidecarDefaults.HedgingDelay"/>.
        /// </summary>
        public int HedgingDelay { get; set; } = SidecarDefaults.HedgingDelay;

        /// <summary>
        /// Exception types treated as transient (subclasses included). When empty, every exception is retried except
        /// cancellation by the caller and <see cref="SidecarRejectedException"/>s.
        /// </summary>
        public Type[]? RetryOn { get; set; }

        /// <summary>
        /// Exception types that are never retried (subclasses included), even when <see cref="RetryOn"/> would match:
        /// e.g. <c>typeof(ArgumentException)</c> — a bad request stays bad however often it is sent.
        /// </summary>
        public Type[]? NeverRetryOn { get; set; }

        /// <summary>
        /// Name of a method that answers when the call finally fails (a failure classified <see cref="Outcome.Transient"/> or
        /// <see cref="Outcome.Failure"/>), the circuit is open or the bulkhead is full; not when the failure is
        /// <see cref="Outcome.Ignored"/> or the caller cancelled.
        /// </summary>
        public string? Fallback { get; set; }

        /// <summary>
        /// Name of a method of the sidecar class (class form: your class; interface form: a <c>partial class XxxSidecar</c>
        /// part you write), static or instance, that says what an attempt's ending means: <c>Outcome Name(T result)</c> for
        /// the members whose result is a <c>T</c> (of <c>Task&lt;T&gt;</c>, <c>ValueTask&lt;T&gt;</c> or a synchronous return),
        /// and/or <c>Outcome Name(Exception exception)</c> for every member. Without one, exceptions are classified by
        /// <see cref="RetryOn"/>/<see cref="NeverRetryOn"/> and every result is a success. <see cref="SidecarHttp"/> has the
        /// usual HTTP rules.
        /// </summary>
        public string? Classify { get; set; }
    }
}
