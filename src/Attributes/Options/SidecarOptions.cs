using System;
using System.Collections.Generic;
using System.Threading;

namespace Sidecar
{
    /// <summary>What a sidecar takes from its host besides the inner instance. Every property is optional.</summary>
    public sealed class SidecarOptions
    {
        /// <summary>The options used when none are passed.</summary>
        public static SidecarOptions Default { get; } = new();

        /// <summary>The clock for delays and the circuit breaker. Default <see cref="TimeProvider.System"/>.</summary>
        public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

        /// <summary>Where circuit breakers live. Default <see cref="CircuitBreakerRegistry.Shared"/>; pass a new one to isolate.</summary>
        public CircuitBreakerRegistry CircuitBreakers { get; set; } = CircuitBreakerRegistry.Shared;

        /// <summary>Callbacks for retries, give-ups and circuit transitions. Default none.</summary>
        public SidecarObserver? Observer { get; set; }

        /// <summary>
        /// Fault injection: what an injected fault or result is, and the seed. How often is set per service or member in
        /// <see cref="Overrides"/> (<c>ChaosFaultRate</c>, <c>ChaosLatencyRate</c>, <c>ChaosLatency</c>, <c>ChaosResultRate</c>).
        /// Default none: injected faults are <see cref="SidecarInjectedFaultException"/>s, and no result is injected.
        /// </summary>
        public SidecarChaos? Chaos { get; set; }

        /// <summary>
        /// A limiter of your own that every attempt of the sidecars built with these options takes a permit from, in place
        /// of the <c>RateLimit</c> knob's: a chain (<c>PartitionedRateLimiter.CreateChained</c>), a
        /// token bucket, one shared with other clients of the same quota. A lease is released as soon as it is granted: it
        /// admits the attempt, it does not hold a slot while it runs (use <c>MaxConcurrency</c> for that). Queued limiters
        /// are not waited for. Default none.
        /// </summary>
        public System.Threading.RateLimiting.RateLimiter? RateLimiter { get; set; }

        /// <summary>
        /// Like <see cref="RateLimiter"/>, partitioned by member (<see cref="SidecarMember.ServiceName"/> and
        /// <see cref="SidecarMember.Name"/>), e.g. from <c>PartitionedRateLimiter.Create</c>. Used before <see cref="RateLimiter"/>
        /// when both are set. Default none.
        /// </summary>
        public System.Threading.RateLimiting.PartitionedRateLimiter<SidecarMember>? PartitionedRateLimiter { get; set; }

        /// <summary>
        /// Run-time values that replace the compiled-in knobs, keyed (case-insensitively) by the decorated service's name —
        /// full (<c>Shop.IOrderService</c>) or simple (<c>IOrderService</c>) — for every member, or by that name, a dot and
        /// a member's name (<c>IOrderService.GetAsync</c>) for one member. A member's entry wins over its service's, a full
        /// name over a simple one. Circuit, bulkhead and retry-budget knobs are shared by the whole service and may only
        /// be set at service level. Read when a sidecar is constructed; <see cref="ReloadOverrides(IEnumerable{KeyValuePair{string, SidecarPolicyOverride}})"/> replaces the dictionary (and applies it to the sidecars built so far).
        /// </summary>
        public IDictionary<string, SidecarPolicyOverride> Overrides => Volatile.Read(ref _overrides);

        // Replaced whole by ReloadOverrides, so that a sidecar being built meanwhile reads either the old entries or the new.
        private IDictionary<string, SidecarPolicyOverride> _overrides = new Dictionary<string, SidecarPolicyOverride>(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// Adds <see cref="Overrides"/> from flat configuration settings, keyed <c>entry:knob</c> — e.g.
        /// <c>configuration.GetSection("Sidecar:Overrides").AsEnumerable(makePathsRelative: true)</c>, which gives
        /// <c>IOrderService:Retries</c> = <c>5</c> and <c>IOrderService.GetAsync:Timeout</c> = <c>2000</c>. Unlike
        /// <c>IConfiguration.Bind</c>, which drops an entry whose value does not convert and ignores a misspelt knob without
        /// a word, every mistake is an error here: a name that is no knob (with the nearest one suggested), a knob that
        /// cannot be overridden, a value of the wrong type (<c>"Exponentail"</c>) or out of range. All are reported together
        /// and nothing is added when one is found. Knob names and <c>Backoff</c> values ignore case, as configuration keys do.
        /// </summary>
        /// <param name="settings">Keys <c>entry:knob</c>, values as text; keys without a knob (sections) and a null value for them are skipped.</param>
        /// <returns>These options.</returns>
        /// <exception cref="ArgumentException">A setting is not understood; the message lists every one.</exception>
        public SidecarOptions AddOverrides(IEnumerable<KeyValuePair<string, string?>> settings)
            => AddOverridesCore(settings);

        /// <summary>
        /// Replaces <see cref="Overrides"/> with <paramref name="overrides"/> and applies them to the sidecars already built
        /// with these options, without recreating them: from their next attempt, the knobs of each call — retries, delays,
        /// backoff, jitter, <c>Timeout</c>, <c>TotalTimeout</c>, chaos — are the new ones. The circuit, bulkhead, rate limit and
        /// retry budget a service already has keep the values they were created with (circuit breakers are shared and
        /// outlive a reload); <c>RetryOn</c>, <c>Classify</c> and <c>Fallback</c> are compiled in. A member compiled without
        /// a timeout or a queue does not gain one. Call it from a configuration change callback (<c>IOptionsMonitor.OnChange</c>,
        /// <c>ChangeToken.OnChange</c>).
        /// </summary>
        /// <param name="overrides">The new entries, keyed as <see cref="Overrides"/> is.</param>
        /// <exception cref="ArgumentException">An entry does not fit a sidecar built with these options (out of range, a shared knob for one member); then nothing changes.</exception>
        public void ReloadOverrides(IEnumerable<KeyValuePair<string, SidecarPolicyOverride>> overrides)
        {
            if (overrides is null)
            {
                throw new ArgumentNullException(nameof(overrides));
            }

            if (ReferenceEquals(this, Default))
            {
                throw new InvalidOperationException("SidecarOptions.Default is shared by every sidecar built without options and is not reloaded; build the sidecars with options of your own.");
            }

            var next = new SidecarOptions { TimeProvider = TimeProvider, CircuitBreakers = CircuitBreakers };
            foreach (KeyValuePair<string, SidecarPolicyOverride> entry in overrides)
            {
                next.Overrides[entry.Key] = entry.Value;
            }

            lock (_listeners)
            {
                // Every sidecar first, then the change: one that does not fit changes nothing anywhere.
                var resolved = new List<(SidecarPipeline Pipeline, (SidecarPolicy, Dictionary<string, SidecarPolicy>?) Policies)>();
                var errors = new List<string>(SharedKnobChanges(Overrides, next.Overrides));
                _listeners.RemoveAll(l => !l.TryGetTarget(out _));
                foreach (WeakReference<SidecarPipeline> listener in _listeners)
                {
                    if (!listener.TryGetTarget(out SidecarPipeline? pipeline))
                    {
                        continue;
                    }

                    try
                    {
                        // As strict as building the sidecar: a key naming no member of it, a shared knob for one member.
                        OverrideResolver.Check(pipeline.Description, next);
                        resolved.Add((pipeline, pipeline.Resolve(next)));
                    }
                    catch (ArgumentException ex)
                    {
                        errors.Add(pipeline.Service + ": " + ex.Message);
                    }
                }

                if (errors.Count > 0)
                {
                    throw new ArgumentException("The reloaded overrides do not fit; nothing was changed. " + string.Join(" ", errors), nameof(overrides));
                }

                Volatile.Write(ref _overrides, next.Overrides);

                foreach ((SidecarPipeline pipeline, (SidecarPolicy, Dictionary<string, SidecarPolicy>?) policies) in resolved)
                {
                    pipeline.Apply(policies);
                }
            }
        }

        /// <summary>
        /// <see cref="ReloadOverrides(IEnumerable{KeyValuePair{string, SidecarPolicyOverride}})"/> from flat configuration
        /// settings, read as <see cref="AddOverrides"/> reads them (every mistake an error, reported together).
        /// </summary>
        /// <exception cref="ArgumentException">A setting is not understood, or an entry does not fit; then nothing changes.</exception>
        public void ReloadOverrides(IEnumerable<KeyValuePair<string, string?>> settings)
        {
            var read = new SidecarOptions();
            read.AddOverridesCore(settings);
            ReloadOverrides(read.Overrides);
        }

        // A reload may not change a knob of the state a service shares (circuit, bulkhead, rate limit, budget): that state
        // exists already and keeps its values, while sidecars built after the reload would join it with others.
        private static IEnumerable<string> SharedKnobChanges(IDictionary<string, SidecarPolicyOverride> before, IDictionary<string, SidecarPolicyOverride> after)
        {
            var keys = new HashSet<string>(before.Keys, StringComparer.OrdinalIgnoreCase);
            keys.UnionWith(after.Keys);
            foreach (string key in keys)
            {
                before.TryGetValue(key, out SidecarPolicyOverride? old);
                after.TryGetValue(key, out SidecarPolicyOverride? now);
                foreach (Knob knob in Knobs.All)
                {
                    if (knob.Scope == KnobScope.Service && old?.Value(knob.Id) != now?.Value(knob.Id))
                    {
                        yield return "'" + key + "': " + knob.Name + " cannot change in a reload (the circuit, bulkhead, rate limit and retry budget keep the values they were created with); set it before the sidecars are built.";
                    }
                }
            }
        }

        // The pipelines built with these options, for ReloadOverrides (weakly held: a sidecar nobody uses is collected).
        private readonly List<WeakReference<SidecarPipeline>> _listeners = new();

        /// <summary>
        /// Registers <paramref name="pipeline"/> for reloads; <paramref name="resolvedFrom"/> is the overrides dictionary it
        /// was built from, so that a reload that ran meanwhile is applied now rather than lost.
        /// </summary>
        internal void Listen(SidecarPipeline pipeline, IDictionary<string, SidecarPolicyOverride> resolvedFrom)
        {
            lock (_listeners)
            {
                if (!ReferenceEquals(resolvedFrom, Overrides))
                {
                    pipeline.Apply(pipeline.Resolve(this));
                }

                if (_listeners.Count > 64 && _listeners.Count % 64 == 0)
                {
                    _listeners.RemoveAll(l => !l.TryGetTarget(out _));
                }

                _listeners.Add(new WeakReference<SidecarPipeline>(pipeline));
            }
        }

        private SidecarOptions AddOverridesCore(IEnumerable<KeyValuePair<string, string?>> settings)
        {
            OverrideSettings.Read(Overrides, settings ?? throw new ArgumentNullException(nameof(settings)));
            return this;
        }

        /// <summary>
        /// Checks every entry of <see cref="Overrides"/> against the sidecars that exist, so that a mistake stops the program at
        /// start-up instead of being ignored (a misspelt service name) or failing the first call (a misspelt member): each
        /// entry must name one of <paramref name="services"/> (by any name it answers to, e.g. <c>IOrderService</c> or
        /// <c>Shop.IOrderService</c>), or one of its members, and may set a circuit, bulkhead or retry-budget knob for a member
        /// only if that member has a circuit of its own. Every generated sidecar class has its description in a static
        /// <c>Service</c> field: <c>options.ValidateOverrides(OrderServiceSidecar.Service, PaymentsSidecar.Service)</c>. With
        /// dependency injection, <c>ValidateSidecarOverrides()</c> on the service provider does this for every registered sidecar.
        /// </summary>
        /// <param name="services">Every sidecar these options are meant for.</param>
        /// <returns>These options.</returns>
        /// <exception cref="ArgumentException">An entry is wrong; the message lists every one, with the nearest valid name.</exception>
        public SidecarOptions ValidateOverrides(params SidecarService[] services)
        {
            List<string> problems = OverrideResolver.Validate(Overrides, services ?? throw new ArgumentNullException(nameof(services)));
            if (problems.Count > 0)
            {
                throw new ArgumentException(OverrideResolver.Describe(problems), nameof(services));
            }

            return this;
        }

        /// <summary>Source of the numbers in [0, 1) used by <see cref="SidecarAttribute.Jitter"/>. Default a thread-safe shared random.</summary>
        public Func<double>? Random { get; set; }
    }
}
