using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;

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
        private readonly CircuitBreaker? _fastGate;
        private readonly Bulkhead? _bulkhead;
        private readonly RetryBudget? _budget;
        private readonly System.Threading.RateLimiting.RateLimiter? _limiter;
        private readonly System.Threading.RateLimiting.PartitionedRateLimiter<SidecarMember>? _partitionedLimiter;
        private readonly string _limiterName;
        private readonly SidecarChaos? _chaos;
        private readonly bool _chaosOn; // some policy of this pipeline injects chaos: every attempt's permit says so
        private readonly TimeProvider _time;
        private readonly SidecarEvents _events;
        private readonly Func<double>? _random;
        private readonly Dictionary<string, SidecarPolicy>? _memberPolicies;
        private readonly SidecarService _service;
        private readonly SidecarPolicy?[]? _policyAt; // _memberPolicies by the service's member index

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
            Policy = policy = OverrideResolver.Resolve(service, policy, options, members, ownKnobs, out _memberPolicies);
            if (_memberPolicies is not null && !service.AllMembers)
            {
                _policyAt = new SidecarPolicy?[service.MemberNames.Length];
                for (int i = 0; i < _policyAt.Length; i++)
                {
                    _policyAt[i] = _memberPolicies.TryGetValue(service.MemberNames[i], out SidecarPolicy? own) ? own : null;
                }
            }

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
            _chaosOn = policy.InjectsChaos || (_memberPolicies is not null && System.Linq.Enumerable.Any(_memberPolicies.Values, p => p.InjectsChaos));
            _partitionedLimiter = options.PartitionedRateLimiter;
            _limiter = _partitionedLimiter is null ? options.RateLimiter : null;
            _limiterName = policy.CircuitName;
            if (_limiter is null && _partitionedLimiter is null && policy.RateLimit > 0)
            {
                _limiter = registry.GetOrAddRateLimiter(policy.CircuitName, policy.RateLimit, policy.RateLimitWindow, _time);
            }

            if (_bulkhead is null && _budget is null && _limiter is null && _partitionedLimiter is null && !_chaosOn && _breaker?.CountsEveryOutcome != true)
            {
                _fastGate = _breaker ?? CircuitBreaker.AlwaysClosed;
            }
        }

        /// <summary>The decorated service's name.</summary>
        public string Service { get; }

        /// <summary>The settings in force: the compiled-in ones with the service's <see cref="SidecarOptions.Overrides"/> applied.</summary>
        public SidecarPolicy Policy { get; }

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
            if (_memberPolicies is null)
            {
                return Policy;
            }

            // A handle of this service finds its policy by position; one made from a name, by name.
            if (member.Index >= 0 && ReferenceEquals(member.Service, _service) && _policyAt is not null)
            {
                return _policyAt[member.Index] ?? Policy;
            }

            return _memberPolicies.TryGetValue(member.Name, out SidecarPolicy? own) ? own : Policy;
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
