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
        /// <summary>Replaces <see cref="SidecarAttribute.Retries"/>.</summary>
        public int? Retries { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.Delay"/> (ms).</summary>
        public int? Delay { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.Backoff"/>.</summary>
        public Backoff? Backoff { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.MaxDelay"/> (ms).</summary>
        public int? MaxDelay { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.Jitter"/>.</summary>
        public bool? Jitter { get; set; }

        /// <summary>
        /// Replaces <see cref="SidecarAttribute.Timeout"/> (ms). Changes or removes a compiled-in timeout; a member compiled
        /// without one keeps running without one (the attribute decides whether attempts are timed at all).
        /// </summary>
        public int? Timeout { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.FailureThreshold"/> (service level: the circuit is shared).</summary>
        public int? FailureThreshold { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.BreakDuration"/> (ms, service level).</summary>
        public int? BreakDuration { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.FailureRatio"/> (service level).</summary>
        public double? FailureRatio { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.SamplingDuration"/> (ms, service level).</summary>
        public int? SamplingDuration { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.MinimumThroughput"/> (service level).</summary>
        public int? MinimumThroughput { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.HalfOpenProbes"/> (service level).</summary>
        public int? HalfOpenProbes { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.MaxConcurrency"/> (service level: the bulkhead is shared).</summary>
        public int? MaxConcurrency { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.RetryBudget"/> (service level: the budget is shared).</summary>
        public double? RetryBudget { get; set; }

        /// <summary>Replaces <see cref="SidecarAttribute.MinRetriesPerSecond"/> (service level).</summary>
        public int? MinRetriesPerSecond { get; set; }

        /// <summary>Replaces the milliseconds a half-open probe may hold its slot before it counts as failed (shared by the service's circuit).</summary>
        public int? ProbeTimeout { get; set; }

        // Every knob once: its name, whether it is set, how to unset it, and whether it belongs to the state a service
        // shares (its circuit, bulkhead and retry budget). The helpers below are derived from this table.
        private static readonly (string Name, bool Shared, Func<SidecarPolicyOverride, bool> IsSet, Action<SidecarPolicyOverride> Unset)[] s_knobs =
        {
            (nameof(Retries), false, o => o.Retries is not null, o => o.Retries = null),
            (nameof(Delay), false, o => o.Delay is not null, o => o.Delay = null),
            (nameof(Backoff), false, o => o.Backoff is not null, o => o.Backoff = null),
            (nameof(MaxDelay), false, o => o.MaxDelay is not null, o => o.MaxDelay = null),
            (nameof(Jitter), false, o => o.Jitter is not null, o => o.Jitter = null),
            (nameof(Timeout), false, o => o.Timeout is not null, o => o.Timeout = null),
            (nameof(FailureThreshold), true, o => o.FailureThreshold is not null, o => o.FailureThreshold = null),
            (nameof(BreakDuration), true, o => o.BreakDuration is not null, o => o.BreakDuration = null),
            (nameof(FailureRatio), true, o => o.FailureRatio is not null, o => o.FailureRatio = null),
            (nameof(SamplingDuration), true, o => o.SamplingDuration is not null, o => o.SamplingDuration = null),
            (nameof(MinimumThroughput), true, o => o.MinimumThroughput is not null, o => o.MinimumThroughput = null),
            (nameof(HalfOpenProbes), true, o => o.HalfOpenProbes is not null, o => o.HalfOpenProbes = null),
            (nameof(MaxConcurrency), true, o => o.MaxConcurrency is not null, o => o.MaxConcurrency = null),
            (nameof(RetryBudget), true, o => o.RetryBudget is not null, o => o.RetryBudget = null),
            (nameof(MinRetriesPerSecond), true, o => o.MinRetriesPerSecond is not null, o => o.MinRetriesPerSecond = null),
            (nameof(ProbeTimeout), true, o => o.ProbeTimeout is not null, o => o.ProbeTimeout = null),
        };

        /// <summary>Whether no knob is set.</summary>
        internal bool IsEmpty => Array.TrueForAll(s_knobs, k => !k.IsSet(this));

        /// <summary>The first knob set here that belongs to the service's circuit, bulkhead or retry budget, if any.</summary>
        internal string? SharedKnob() => Array.Find(s_knobs, k => k.Shared && k.IsSet(this)).Name;

        /// <summary>A copy without the knobs named in <paramref name="knobs"/>.</summary>
        internal SidecarPolicyOverride Without(string[] knobs) => Without(k => Array.IndexOf(knobs, k.Name) >= 0);

        /// <summary>A copy without the knobs of the service's circuit, bulkhead and retry budget.</summary>
        internal SidecarPolicyOverride WithoutShared() => Without(k => k.Shared);

        private SidecarPolicyOverride Without(Predicate<(string Name, bool Shared, Func<SidecarPolicyOverride, bool> IsSet, Action<SidecarPolicyOverride> Unset)> which)
        {
            var copy = (SidecarPolicyOverride)MemberwiseClone();
            foreach (var knob in s_knobs)
            {
                if (which(knob))
                {
                    knob.Unset(copy);
                }
            }

            return copy;
        }
    }
}
