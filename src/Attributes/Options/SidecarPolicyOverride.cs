using System;

namespace Sidecar
{
    /// <summary>
    /// Run-time values that replace a sidecar's compiled-in <see cref="SidecarAttribute"/> knobs, without rebuilding.
    /// Every property is optional: <c>null</c> keeps the attribute's value. Put instances in
    /// <see cref="SidecarOptions.Overrides"/> under the service's name (every member) or the service's name, a dot and the
    /// member's name (that member). A plain settable class, so <c>IConfiguration.Bind</c> fills it from JSON or
    /// environment variables.
    /// </summary>
    /// <example>
    /// <code>
    /// // appsettings.json: { "Sidecar": { "Overrides": { "Shop.IOrderService": { "Retries": 5 }, "Shop.IOrderService.GetAsync": { "Timeout": 2000 } } } }
    /// var options = new SidecarOptions();
    /// configuration.GetSection("Sidecar").Bind(options);
    /// </code>
    /// </example>
    public sealed class SidecarPolicyOverride
    {
        // One slot per knob of the catalogue; null: not set.
        private double?[] _values = new double?[Knobs.All.Length];

        /// <summary>Replaces <see cref="SidecarAttribute.Retries"/>.</summary>
        public int? Retries { get => Int32(KnobId.Retries); set => Set(KnobId.Retries, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.Delay"/> (ms).</summary>
        public int? Delay { get => Int32(KnobId.Delay); set => Set(KnobId.Delay, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.Backoff"/>.</summary>
        public Backoff? Backoff { get => (Backoff?)Int32(KnobId.Backoff); set => Set(KnobId.Backoff, (int?)value); }

        /// <summary>Replaces <see cref="SidecarAttribute.MaxDelay"/> (ms).</summary>
        public int? MaxDelay { get => Int32(KnobId.MaxDelay); set => Set(KnobId.MaxDelay, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.Jitter"/>.</summary>
        public bool? Jitter { get => _values[(int)KnobId.Jitter] is double on ? on != 0 : null; set => Set(KnobId.Jitter, value is bool on ? (on ? 1 : 0) : null); }

        /// <summary>
        /// Replaces <see cref="SidecarAttribute.Timeout"/> (ms). Changes or removes a compiled-in timeout; a member compiled
        /// without one keeps running without one (the attribute decides whether attempts are timed at all).
        /// </summary>
        public int? Timeout { get => Int32(KnobId.Timeout); set => Set(KnobId.Timeout, value); }

        /// <summary>
        /// Replaces <see cref="SidecarAttribute.TotalTimeout"/> (ms). Changes or removes a compiled-in deadline; a member
        /// compiled with neither a <c>Timeout</c> nor a <c>TotalTimeout</c> keeps running without one.
        /// </summary>
        public int? TotalTimeout { get => Int32(KnobId.TotalTimeout); set => Set(KnobId.TotalTimeout, value); }

        /// <summary>
        /// Replaces <see cref="SidecarAttribute.Hedging"/> (0–10). Changes or turns off a compiled-in hedging; a member compiled
        /// without hedging is not hedged (the attribute decides whether its attempts can run side by side).
        /// </summary>
        public int? Hedging { get => Int32(KnobId.Hedging); set => Set(KnobId.Hedging, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.HedgingDelay"/> (ms).</summary>
        public int? HedgingDelay { get => Int32(KnobId.HedgingDelay); set => Set(KnobId.HedgingDelay, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.FailureThreshold"/> (service level: the circuit is shared).</summary>
        public int? FailureThreshold { get => Int32(KnobId.FailureThreshold); set => Set(KnobId.FailureThreshold, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.BreakDuration"/> (ms, service level).</summary>
        public int? BreakDuration { get => Int32(KnobId.BreakDuration); set => Set(KnobId.BreakDuration, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.FailureRatio"/> (service level).</summary>
        public double? FailureRatio { get => _values[(int)KnobId.FailureRatio]; set => Set(KnobId.FailureRatio, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.SamplingDuration"/> (ms, service level).</summary>
        public int? SamplingDuration { get => Int32(KnobId.SamplingDuration); set => Set(KnobId.SamplingDuration, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.SlowCallDuration"/> (ms, service level).</summary>
        public int? SlowCallDuration { get => Int32(KnobId.SlowCallDuration); set => Set(KnobId.SlowCallDuration, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.SlowCallRatio"/> (service level).</summary>
        public double? SlowCallRatio { get => _values[(int)KnobId.SlowCallRatio]; set => Set(KnobId.SlowCallRatio, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.MinimumThroughput"/> (service level).</summary>
        public int? MinimumThroughput { get => Int32(KnobId.MinimumThroughput); set => Set(KnobId.MinimumThroughput, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.HalfOpenProbes"/> (service level).</summary>
        public int? HalfOpenProbes { get => Int32(KnobId.HalfOpenProbes); set => Set(KnobId.HalfOpenProbes, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.ProbeTimeout"/> (ms, service level).</summary>
        public int? ProbeTimeout { get => Int32(KnobId.ProbeTimeout); set => Set(KnobId.ProbeTimeout, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.MaxConcurrency"/> (service level: the bulkhead is shared).</summary>
        public int? MaxConcurrency { get => Int32(KnobId.MaxConcurrency); set => Set(KnobId.MaxConcurrency, value); }

        /// <summary>
        /// Replaces <see cref="SidecarAttribute.MaxQueue"/> (service level). Changes a compiled-in queue; a service compiled
        /// without one refuses at once whatever this says (its members do not wait).
        /// </summary>
        public int? MaxQueue { get => Int32(KnobId.MaxQueue); set => Set(KnobId.MaxQueue, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.RetryBudget"/> (service level: the budget is shared).</summary>
        public double? RetryBudget { get => _values[(int)KnobId.RetryBudget]; set => Set(KnobId.RetryBudget, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.MinRetriesPerSecond"/> (service level).</summary>
        public int? MinRetriesPerSecond { get => Int32(KnobId.MinRetriesPerSecond); set => Set(KnobId.MinRetriesPerSecond, value); }

        /// <summary>
        /// Chaos: the fraction (0–1) of asynchronous attempts that fail with an injected fault — <see cref="SidecarChaos.Fault"/>,
        /// or a <see cref="SidecarInjectedFaultException"/> — instead of calling the inner instance. Only here: no attribute sets it.
        /// </summary>
        public double? ChaosFaultRate { get => _values[(int)KnobId.ChaosFaultRate]; set => Set(KnobId.ChaosFaultRate, value); }

        /// <summary>Chaos: the fraction (0–1) of asynchronous attempts delayed by <see cref="ChaosLatency"/> before they call.</summary>
        public double? ChaosLatencyRate { get => _values[(int)KnobId.ChaosLatencyRate]; set => Set(KnobId.ChaosLatencyRate, value); }

        /// <summary>Chaos: the latency injected (ms, default 1000); the attempt's <c>Timeout</c> and the call's deadline cut it short.</summary>
        public int? ChaosLatency { get => Int32(KnobId.ChaosLatency); set => Set(KnobId.ChaosLatency, value); }

        /// <summary>Chaos: the fraction (0–1) of asynchronous attempts answered by <see cref="SidecarChaos.Result"/> instead of calling.</summary>
        public double? ChaosResultRate { get => _values[(int)KnobId.ChaosResultRate]; set => Set(KnobId.ChaosResultRate, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.RateLimit"/> (service level).</summary>
        public int? RateLimit { get => Int32(KnobId.RateLimit); set => Set(KnobId.RateLimit, value); }

        /// <summary>Replaces <see cref="SidecarAttribute.RateLimitWindow"/> (ms, service level).</summary>
        public int? RateLimitWindow { get => Int32(KnobId.RateLimitWindow); set => Set(KnobId.RateLimitWindow, value); }

        /// <summary>Whether no knob is set.</summary>
        internal bool IsEmpty => Array.TrueForAll(_values, v => v is null);

        /// <summary>The first knob set here that belongs to the service's circuit, bulkhead or retry budget, if any.</summary>
        internal string? SharedKnob() => Array.Find(Knobs.All, k => k.Scope == KnobScope.Service && _values[(int)k.Id] is not null)?.Name;

        /// <summary>A copy without the knobs named in <paramref name="knobs"/>.</summary>
        internal SidecarPolicyOverride Without(string[] knobs) => Without(k => Array.IndexOf(knobs, k.Name) >= 0);

        /// <summary>A copy without the knobs of the service's circuit, bulkhead and retry budget.</summary>
        internal SidecarPolicyOverride WithoutShared() => Without(k => k.Scope == KnobScope.Service);

        /// <summary><paramref name="values"/> with the knobs set here replaced.</summary>
        internal KnobValues ApplyTo(KnobValues values)
        {
            double[] applied = values.ToArray();
            for (int i = 0; i < _values.Length; i++)
            {
                if (_values[i] is double value)
                {
                    applied[i] = value;
                }
            }

            return KnobValues.From(applied);
        }

        private int? Int32(KnobId knob) => _values[(int)knob] is double value ? (int)value : null;

        internal void Set(KnobId knob, double? value) => _values[(int)knob] = value;

        /// <summary>The value this override sets for <paramref name="knob"/>, or <c>null</c>.</summary>
        internal double? Value(KnobId knob) => _values[(int)knob];

        private SidecarPolicyOverride Without(Predicate<Knob> which)
        {
            var copy = (SidecarPolicyOverride)MemberwiseClone();
            copy._values = (double?[])_values.Clone();
            foreach (Knob knob in Knobs.All)
            {
                if (which(knob))
                {
                    copy._values[(int)knob.Id] = null;
                }
            }

            return copy;
        }
    }
}
