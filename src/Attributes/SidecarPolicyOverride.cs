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

        /// <summary>The first knob set here that belongs to the service's circuit, bulkhead or retry budget, if any.</summary>
        internal string? SharedKnob()
            => FailureThreshold is not null ? nameof(FailureThreshold)
            : BreakDuration is not null ? nameof(BreakDuration)
            : FailureRatio is not null ? nameof(FailureRatio)
            : SamplingDuration is not null ? nameof(SamplingDuration)
            : MinimumThroughput is not null ? nameof(MinimumThroughput)
            : HalfOpenProbes is not null ? nameof(HalfOpenProbes)
            : MaxConcurrency is not null ? nameof(MaxConcurrency)
            : RetryBudget is not null ? nameof(RetryBudget)
            : MinRetriesPerSecond is not null ? nameof(MinRetriesPerSecond)
            : null;

        /// <summary>A copy without the knobs named in <paramref name="knobs"/>.</summary>
        internal SidecarPolicyOverride Without(string[] knobs)
        {
            SidecarPolicyOverride copy = Copy();
            foreach (string knob in knobs)
            {
                switch (knob)
                {
                    case nameof(Retries): copy.Retries = null; break;
                    case nameof(Delay): copy.Delay = null; break;
                    case nameof(Backoff): copy.Backoff = null; break;
                    case nameof(MaxDelay): copy.MaxDelay = null; break;
                    case nameof(Jitter): copy.Jitter = null; break;
                    case nameof(Timeout): copy.Timeout = null; break;
                    case nameof(FailureThreshold): copy.FailureThreshold = null; break;
                    case nameof(BreakDuration): copy.BreakDuration = null; break;
                    case nameof(FailureRatio): copy.FailureRatio = null; break;
                    case nameof(SamplingDuration): copy.SamplingDuration = null; break;
                    case nameof(MinimumThroughput): copy.MinimumThroughput = null; break;
                    case nameof(HalfOpenProbes): copy.HalfOpenProbes = null; break;
                    case nameof(MaxConcurrency): copy.MaxConcurrency = null; break;
                    case nameof(RetryBudget): copy.RetryBudget = null; break;
                    case nameof(MinRetriesPerSecond): copy.MinRetriesPerSecond = null; break;
                }
            }

            return copy;
        }

        /// <summary>A copy without the knobs of the service's circuit, bulkhead and retry budget.</summary>
        internal SidecarPolicyOverride WithoutShared() => Without(new[]
        {
            nameof(FailureThreshold), nameof(BreakDuration), nameof(FailureRatio), nameof(SamplingDuration), nameof(MinimumThroughput),
            nameof(HalfOpenProbes), nameof(MaxConcurrency), nameof(RetryBudget), nameof(MinRetriesPerSecond),
        });

        private SidecarPolicyOverride Copy() => (SidecarPolicyOverride)MemberwiseClone();

        internal bool IsEmpty
            => Retries is null && Delay is null && Backoff is null && MaxDelay is null && Jitter is null && Timeout is null
            && FailureThreshold is null && BreakDuration is null && FailureRatio is null && SamplingDuration is null
            && MinimumThroughput is null && HalfOpenProbes is null && MaxConcurrency is null && RetryBudget is null
            && MinRetriesPerSecond is null;
    }
}
