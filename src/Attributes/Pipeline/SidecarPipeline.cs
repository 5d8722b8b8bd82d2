using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Sidecar
{
    /// <summary>
    /// What generated code calls: the resilience one decorator applies to the members that share a
    /// <see cref="SidecarPolicy"/>. It admits attempts (circuit breaker, bulkhead), records their outcomes, decides whether a
    /// failure is retried and after how long, and waits. Generated code drives it from a plain loop, so the happy path costs
    /// a couple of field reads and no allocation. Not meant to be called by hand.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed partial class SidecarPipeline
    {
        private readonly CircuitBreaker? _breaker;

        // The happy path's one field: the breaker (or CircuitBreaker.AlwaysClosed without one) when nothing else is in play
        // (no bulkhead, no retry budget, no failure-ratio window); null when every attempt must take the full path.
        private CircuitBreaker? _fastGate; // recomputed when a reload switches chaos on or off
        private readonly Bulkhead? _bulkhead;
        private readonly RetryBudget? _budget;
        private readonly System.Threading.RateLimiting.RateLimiter? _limiter;
        private readonly System.Threading.RateLimiting.PartitionedRateLimiter<SidecarMember>? _partitionedLimiter;
        private readonly string _limiterName;
        private readonly SidecarChaos? _chaos;
        private bool _chaosOn; // some policy of this pipeline injects chaos: every attempt's permit says so
        private readonly TimeProvider _time;
        private readonly SidecarEvents _events;
        private readonly Func<double>? _random;
        private Dictionary<string, SidecarPolicy>? _memberPolicies;
        private readonly SidecarService _service;
        private SidecarPolicy?[]? _policyAt; // _memberPolicies by the service's member index
        private readonly SidecarPolicy _compiled;
        private readonly string[]? _members;
        private readonly string[]? _ownKnobs;
        private readonly SidecarOptions _options;

        /// <summary>Creates the pipeline of one decorator instance.</summary>
        /// <param name="service">The decorated service's name, used in telemetry and to find <see cref="SidecarOptions.Overrides"/>.</param>
        /// <param name="policy">The compiled-in settings.</param>
        /// <param name="options">Clock, breaker registry, observer and overrides; <c>null</c> for the defaults.</param>
        /// <exception cref="ArgumentException">An override is out of range, or sets a service-level knob for one member.</exception>
        public SidecarPipeline(string service, SidecarPolicy policy, SidecarOptions? options)
            : this(service, policy, options, null, null)
        {
        }

        /// <summary>Creates the pipeline of one decorator instance for <paramref name="members"/>. Generated code calls this.</summary>
        /// <param name="service">The decorated service's name, used in telemetry and to find <see cref="SidecarOptions.Overrides"/>.</param>
        /// <param name="policy">The compiled-in settings.</param>
        /// <param name="options">Clock, breaker registry, observer and overrides; <c>null</c> for the defaults.</param>
        /// <param name="members">The members that use this pipeline (as passed to its methods); <c>null</c> looks for overrides of any member.</param>
        /// <param name="ownKnobs">
        /// For the members of a method's own <c>[Sidecar]</c>: the knobs (property names of <see cref="SidecarAttribute"/>) it
        /// set, which a service-wide override leaves alone; <c>null</c> for the type's settings.
        /// </param>
        /// <exception cref="ArgumentException">An override is out of range, or sets a knob shared by the service for one member.</exception>
        public SidecarPipeline(string service, SidecarPolicy policy, SidecarOptions? options, string[]? members, string[]? ownKnobs)
            : this(SidecarService.Named(service ?? throw new ArgumentNullException(nameof(service))), policy, options, members, ownKnobs)
        {
        }

        /// <summary>Creates the pipeline of one decorator instance for every member of <paramref name="service"/>. Generated code calls this.</summary>
        /// <param name="service">The decorated service: its names (used in telemetry and to find <see cref="SidecarOptions.Overrides"/>) and members.</param>
        /// <param name="policy">The compiled-in settings.</param>
        /// <param name="options">Clock, breaker registry, observer and overrides; <c>null</c> for the defaults.</param>
        /// <exception cref="ArgumentException">An override is out of range, or sets a knob shared by the service for one member.</exception>
        public SidecarPipeline(SidecarService service, SidecarPolicy policy, SidecarOptions? options)
            : this(service, policy, options, null, null)
        {
        }

        /// <summary>Creates the pipeline of one decorator instance for <paramref name="members"/> of <paramref name="service"/>. Generated code calls this.</summary>
        /// <param name="service">The decorated service: its names (used in telemetry and to find <see cref="SidecarOptions.Overrides"/>) and members.</param>
        /// <param name="policy">The compiled-in settings.</param>
        /// <param name="options">Clock, breaker registry, observer and overrides; <c>null</c> for the defaults.</param>
        /// <param name="members">The members that use this pipeline (as passed to its methods); <c>null</c> for all of the service's.</param>
        /// <param name="ownKnobs">
        /// For the members of a method's own <c>[Sidecar]</c>: the knobs (property names of <see cref="SidecarAttribute"/>) it
        /// set, which a service-wide override leaves alone; <c>null</c> for the type's settings.
        /// </param>
        /// <exception cref="ArgumentException">An override is out of range, or sets a knob shared by the service for one member.</exception>
        public SidecarPipeline(SidecarService service, SidecarPolicy policy, SidecarOptions? options, string[]? members, string[]? ownKnobs)
        {
            if (service is null)
            {
                throw new ArgumentNullException(nameof(service));
            }

            Service = service.Name;
            _service = service;
            if (policy is null)
            {
                throw new ArgumentNullException(nameof(policy));
            }

            members ??= service.AllMembers ? null : service.MemberNames;
            options ??= SidecarOptions.Default;
            _time = options.TimeProvider ?? TimeProvider.System;
            _random = options.Random;
            _compiled = policy;
            _members = members;
            _ownKnobs = ownKnobs;
            _options = options;
            IDictionary<string, SidecarPolicyOverride> overridesRead = options.Overrides;
            _policy = policy = OverrideResolver.Resolve(service, policy, options, members, ownKnobs, out _memberPolicies);
            _policyAt = ByIndex(service, _memberPolicies);

            _events = new SidecarEvents(service.Name, options.Observer, policy.HasFallback);
            CircuitBreakerRegistry registry = options.CircuitBreakers ?? CircuitBreakerRegistry.Shared;
            if (policy.HasCircuitBreaker)
            {
                _breaker = registry.GetOrAdd(policy.CircuitName, policy.CircuitBreakerOptions, _time);
                _breaker.Watch(options.Observer);
            }

            if (policy.MaxConcurrency > 0)
            {
                _bulkhead = registry.GetOrAddBulkhead(policy.CircuitName, policy.MaxConcurrency, policy.MaxQueue);
            }

            if (policy.RetryBudget > 0)
            {
                _budget = RetryBudget.For(policy, registry, _time);
            }

            _chaos = options.Chaos;
            _partitionedLimiter = options.PartitionedRateLimiter;
            _limiter = _partitionedLimiter is null ? options.RateLimiter : null;
            _limiterName = policy.CircuitName;
            if (_limiter is null && _partitionedLimiter is null && policy.RateLimit > 0)
            {
                _limiter = registry.GetOrAddRateLimiter(policy.CircuitName, policy.RateLimit, policy.RateLimitWindow, _time);
            }

            SetChaosAndFastGate();
            if (!ReferenceEquals(options, SidecarOptions.Default))
            {
                options.Listen(this, overridesRead); // SidecarOptions.ReloadOverrides reaches this pipeline
            }
        }

        /// <summary>The decorated service's name.</summary>
        public string Service { get; }

        /// <summary>The decorated service: its names and members, as overrides are checked against them.</summary>
        internal SidecarService Description => _service;

        private volatile SidecarPolicy _policy;

        /// <summary>
        /// The settings in force: the compiled-in ones with the service's <see cref="SidecarOptions.Overrides"/> applied (as
        /// of the last <see cref="SidecarOptions.ReloadOverrides(System.Collections.Generic.IEnumerable{KeyValuePair{string, SidecarPolicyOverride}})"/>).
        /// </summary>
        public SidecarPolicy Policy => _policy;

        /// <summary>The circuit breaker, or <c>null</c> when the policy has none.</summary>
        public CircuitBreaker? CircuitBreaker => _breaker;

        /// <summary>The bulkhead, or <c>null</c> when the policy has none.</summary>
        public Bulkhead? Bulkhead => _bulkhead;

        /// <summary>The retry budget, or <c>null</c> when the policy has none.</summary>
        public RetryBudget? RetryBudget => _budget;

        /// <summary>The rate limiter every attempt takes a permit from (<see cref="SidecarOptions.RateLimiter"/> or the <c>RateLimit</c> knob's), or <c>null</c>.</summary>
        public System.Threading.RateLimiting.RateLimiter? RateLimiter => _limiter;

        /// <summary>
        /// Whether an attempt may start without asking the pipeline: no breaker or a closed one, and no bulkhead.
        /// </summary>
        public bool IsClosed
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => _bulkhead is null && (_breaker is null || _breaker.IsClosed);
        }

        /// <summary>The settings <paramref name="member"/> runs with (its own overrides, if it has any).</summary>
        public SidecarPolicy PolicyFor(SidecarMember member)
        {
            // One read of each: a reload replaces the member policies and their index together, then the policy.
            Dictionary<string, SidecarPolicy>? memberPolicies = Volatile.Read(ref _memberPolicies);
            SidecarPolicy policy = _policy;
            if (memberPolicies is null)
            {
                return policy;
            }

            // A handle of this service finds its policy by position; one made from a name, by name.
            SidecarPolicy?[]? policyAt = Volatile.Read(ref _policyAt);
            if (member.Index >= 0 && ReferenceEquals(member.Service, _service) && policyAt is not null && member.Index < policyAt.Length)
            {
                return policyAt[member.Index] ?? policy;
            }

            return memberPolicies.TryGetValue(member.Name, out SidecarPolicy? own) ? own : policy;
        }

        /// <summary>
        /// The policies <see cref="SidecarOptions.Overrides"/> would give this pipeline now, without applying them; throws
        /// as the constructor would for an override that does not fit.
        /// </summary>
        internal (SidecarPolicy Policy, Dictionary<string, SidecarPolicy>? Members) Resolve(SidecarOptions options)
        {
            SidecarPolicy policy = OverrideResolver.Resolve(_service, _compiled, options, _members, _ownKnobs, out Dictionary<string, SidecarPolicy>? members);
            return (policy, members);
        }

        /// <summary>
        /// Applies reloaded policies: the knobs of each call (retries, delays, backoff, jitter, timeouts, the deadline, chaos)
        /// take effect from the next attempt; the circuit, bulkhead, rate limit and retry budget that exist keep the values
        /// they were created with.
        /// </summary>
        internal void Apply((SidecarPolicy Policy, Dictionary<string, SidecarPolicy>? Members) resolved)
        {
            Volatile.Write(ref _policyAt, ByIndex(_service, resolved.Members));
            Volatile.Write(ref _memberPolicies, resolved.Members);
            _policy = resolved.Policy;
            SetChaosAndFastGate();
        }

        // The member policies by the service's member index (a handle finds its own by position).
        private static SidecarPolicy?[]? ByIndex(SidecarService service, Dictionary<string, SidecarPolicy>? memberPolicies)
        {
            if (memberPolicies is null || service.AllMembers)
            {
                return null;
            }

            var byIndex = new SidecarPolicy?[service.MemberNames.Length];
            for (int i = 0; i < byIndex.Length; i++)
            {
                byIndex[i] = memberPolicies.TryGetValue(service.MemberNames[i], out SidecarPolicy? own) ? own : null;
            }

            return byIndex;
        }

        // Chaos takes every attempt off the fast path; without it (and without a bulkhead, budget, limiter or ratio window)
        // the fast gate is the breaker alone.
        private void SetChaosAndFastGate()
        {
            SidecarPolicy policy = _policy;
            Dictionary<string, SidecarPolicy>? members = Volatile.Read(ref _memberPolicies);
            bool chaos = policy.InjectsChaos || (members is not null && System.Linq.Enumerable.Any(members.Values, p => p.InjectsChaos));
            _chaosOn = chaos;
            bool fast = _bulkhead is null && _budget is null && _limiter is null && _partitionedLimiter is null && !chaos && _breaker?.CountsEveryOutcome != true;
            Volatile.Write(ref _fastGate, fast ? _breaker ?? CircuitBreaker.AlwaysClosed : null);
        }

        /// <summary>
        /// Checks the entries of <see cref="SidecarOptions.Overrides"/> that name a member of <paramref name="service"/>;
        /// see <see cref="OverrideResolver.Check"/>. Generated constructors call this once.
        /// </summary>
        /// <exception cref="ArgumentException">An entry names a member the service does not have, or sets a shared knob for a member that shares its circuit.</exception>
        public static void CheckOverrides(string service, SidecarOptions? options, string[] members, string[]? ownCircuits)
            => OverrideResolver.Check(new SidecarService(service, members, ownCircuits), options);

        /// <summary>
        /// Checks the entries of <see cref="SidecarOptions.Overrides"/> that name a member of <paramref name="service"/> by one of
        /// its full names. Generated constructors call this once.
        /// </summary>
        /// <exception cref="ArgumentException">An entry names a member the service does not have, or sets a shared knob for a member that shares its circuit.</exception>
        public static void CheckOverrides(SidecarService service, SidecarOptions? options)
            => OverrideResolver.Check(service ?? throw new ArgumentNullException(nameof(service)), options);
    }
}
