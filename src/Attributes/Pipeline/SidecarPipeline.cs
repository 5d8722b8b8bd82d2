using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

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

        /// <summary>
        /// Starts the first attempt of an asynchronous call on its fast path: the attempt's permit when the circuit is closed
        /// and the bulkhead, if any, had a free slot (the permit then holds it); a permit that <see cref="CircuitPermit.IsBlocked"/>,
        /// having taken nothing, when the call must go through <see cref="Refusal"/> and the retry loop. Returned by value, so
        /// that on the happy path it stays in a register.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CircuitPermit Start()
        {
            // The status word is decoded here rather than through CircuitBreaker.Pass: measured, the extra call and test
            // cost the completed-task paths about 1 ns (benchmarks/README.md, run 13). Only the fast gate is inlined into
            // every decorated member; a bulkhead, a budget or a ratio window take the call to StartSlow.
            CircuitBreaker? gate = _fastGate;
            if (gate is not null)
            {
                int closed = gate.Status;
                return CircuitBreaker.IsClosedStatus(closed) ? CircuitPermit.Closed(CircuitBreaker.EpisodeOf(closed)) : CircuitPermit.Blocked;
            }

            return StartSlow();
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private CircuitPermit StartSlow()
        {
            if (_chaosOn)
            {
                return CircuitPermit.Blocked; // chaos runs in the retry loop, where an attempt can be delayed
            }

            CircuitPermit permit = default;
            CircuitBreaker? breaker = _breaker;
            if (breaker is not null)
            {
                int status = breaker.Status;
                if (!CircuitBreaker.IsClosedStatus(status))
                {
                    return CircuitPermit.Blocked;
                }

                permit = breaker.Timed(CircuitPermit.Closed(CircuitBreaker.EpisodeOf(status)));
            }

            if (_bulkhead is not null)
            {
                if (!_bulkhead.TryEnter())
                {
                    return CircuitPermit.Blocked;
                }

                permit = permit.WithSlot();
            }

            if (HasLimiter && (_partitionedLimiter is not null || !TryTakePermit(null, out _)))
            {
                // Refused by the rate limit (or a partitioned limit, which needs the member): the retry loop's Enter asks
                // again, with the member, and reports a refusal.
                if (permit.HoldsBulkheadSlot)
                {
                    _bulkhead!.Release();
                }

                return CircuitPermit.Blocked;
            }

            return permit;
        }

        /// <summary>Starts the first attempt of a call; see <see cref="Enter(SidecarMember, int)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CircuitPermit Enter(SidecarMember member) => Enter(member, 0);

        /// <summary>
        /// Starts an attempt: returns what it holds (the circuit episode it was admitted in, a half-open probe slot, a
        /// bulkhead slot), or throws <see cref="BrokenCircuitException"/> when the circuit is open and
        /// <see cref="BulkheadRejectedException"/> when the bulkhead is full.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="attempt">0 for the first attempt of the call (a retry budget counts calls and retries apart).</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CircuitPermit Enter(SidecarMember member, int attempt)
        {
            CircuitBreaker? gate = _fastGate;
            if (gate is not null)
            {
                int status = gate.Status;
                if (CircuitBreaker.IsClosedStatus(status))
                {
                    return CircuitPermit.Closed(CircuitBreaker.EpisodeOf(status));
                }
            }

            return EnterSlow(member, attempt);
        }

        private CircuitPermit EnterSlow(SidecarMember member, int attempt)
        {
            CircuitPermit permit = default;
            CircuitBreaker? breaker = _breaker;
            if (breaker is not null && !breaker.TryEnter(out permit, out TimeSpan retryAfter))
            {
                throw Reject(member, breaker, retryAfter);
            }

            if (_bulkhead is not null)
            {
                if (!_bulkhead.TryEnter())
                {
                    breaker?.OnIgnored(permit);
                    throw RejectFull(member, _bulkhead);
                }

                permit = permit.WithSlot();
            }

            if (HasLimiter && !TryTakePermit(member, out TimeSpan? wait))
            {
                if (permit.HoldsBulkheadSlot)
                {
                    _bulkhead!.Release();
                }

                breaker?.OnIgnored(permit);
                throw RejectRate(member, wait);
            }

            if (_chaosOn)
            {
                permit = permit.WithChaos();
            }

            return attempt > 0 && _budget is not null ? permit.AsRetry() : permit;
        }

        /// <summary>
        /// For asynchronous members, before the retry loop: the refusal the circuit or the bulkhead would give right now
        /// (to be returned in a faulted task, so that it is thrown once, at the caller's await), or <c>null</c> when an
        /// attempt may start. Takes no slot: <see cref="Enter(SidecarMember, int)"/> does that.
        /// </summary>
        public SidecarRejectedException? Refusal(SidecarMember member)
        {
            CircuitBreaker? breaker = _breaker;
            if (breaker is not null && !breaker.IsClosed && breaker.WouldRefuse(out TimeSpan retryAfter))
            {
                return Reject(member, breaker, retryAfter);
            }

            Bulkhead? bulkhead = _bulkhead;
            return bulkhead is not null && bulkhead.WouldRefuse ? RejectFull(member, bulkhead) : null;
        }

        /// <summary>
        /// Starts an attempt of an asynchronous member whose service has a bulkhead queue: like
        /// <see cref="Enter(SidecarMember, int)"/>, but when every bulkhead slot is taken it waits, in order, for one while the
        /// queue has room (the caller's cancellation takes it out). Completes synchronously when a slot is free.
        /// </summary>
        /// <exception cref="BulkheadRejectedException">Every slot is taken and the queue is full.</exception>
        /// <exception cref="BrokenCircuitException">The circuit refused the attempt (asked once a slot is held).</exception>
        public ValueTask<CircuitPermit> EnterAsync(SidecarMember member, int attempt, CancellationToken cancellationToken)
        {
            Bulkhead? bulkhead = _bulkhead;
            if (bulkhead is null || bulkhead.MaxQueue == 0 || bulkhead.TryEnter())
            {
                if (bulkhead is null || bulkhead.MaxQueue == 0)
                {
                    return new ValueTask<CircuitPermit>(Enter(member, attempt));
                }

                return new ValueTask<CircuitPermit>(AdmitWithSlot(member, attempt));
            }

            return Queue(member, attempt, bulkhead, cancellationToken);
        }

        private async ValueTask<CircuitPermit> Queue(SidecarMember member, int attempt, Bulkhead bulkhead, CancellationToken cancellationToken)
        {
            if (!await bulkhead.EnterAsync(cancellationToken).ConfigureAwait(false))
            {
                throw RejectFull(member, bulkhead);
            }

            return AdmitWithSlot(member, attempt);
        }

        // The bulkhead slot is held: the circuit and the rate limit have their say; a refusal gives the slot back.
        private CircuitPermit AdmitWithSlot(SidecarMember member, int attempt)
        {
            CircuitPermit permit = default;
            CircuitBreaker? breaker = _breaker;
            try
            {
                if (breaker is not null && !breaker.TryEnter(out permit, out TimeSpan retryAfter))
                {
                    throw Reject(member, breaker, retryAfter);
                }

                if (HasLimiter && !TryTakePermit(member, out TimeSpan? wait))
                {
                    breaker?.OnIgnored(permit);
                    throw RejectRate(member, wait);
                }
            }
            catch
            {
                _bulkhead!.Release();
                throw;
            }

            permit = permit.WithSlot();
            if (_chaosOn)
            {
                permit = permit.WithChaos();
            }

            return attempt > 0 && _budget is not null ? permit.AsRetry() : permit;
        }

        private bool HasLimiter => _limiter is not null || _partitionedLimiter is not null;

        // One permit of the rate limit for an attempt of `member` (null only without a partitioned limiter); the lease is let
        // go at once, since it admits the attempt rather than holding a slot.
        private bool TryTakePermit(SidecarMember? member, out TimeSpan? retryAfter)
        {
            using System.Threading.RateLimiting.RateLimitLease lease = _partitionedLimiter is not null && member is not null
                ? _partitionedLimiter.AttemptAcquire(member)
                : _limiter!.AttemptAcquire();
            retryAfter = !lease.IsAcquired && lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out TimeSpan wait) ? wait : null;
            return lease.IsAcquired;
        }

        private RateLimitRejectedException RejectRate(SidecarMember member, TimeSpan? retryAfter)
        {
            var rejected = new RateLimitRejectedException(_limiterName, retryAfter) { Origin = this };
            _events.Rejected(member.Name, rejected);
            return rejected;
        }

        private BulkheadRejectedException RejectFull(SidecarMember member, Bulkhead bulkhead)
        {
            var rejected = new BulkheadRejectedException(bulkhead.Name, bulkhead.MaxConcurrency) { Origin = this };
            _events.Rejected(member.Name, rejected);
            return rejected;
        }

        private BrokenCircuitException Reject(SidecarMember member, CircuitBreaker breaker, TimeSpan retryAfter)
        {
            CircuitState state = breaker.State;
            bool probing = state == CircuitState.HalfOpen;
            var rejected = new BrokenCircuitException(breaker.Name, MonotonicClock.WallClockIn(_time, retryAfter), retryAfter, probeInFlight: probing)
            {
                Origin = this,
            };
            _events.Rejected(member.Name, rejected, state);
            return rejected;
        }
    }
}
