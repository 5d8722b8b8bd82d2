using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar
{
    /// <summary>
    /// The resilience one decorator applies to the members that share a <see cref="SidecarPolicy"/>: it decides
    /// whether an attempt may start (circuit breaker), whether a failure is retried and after how long, and waits.
    /// Generated code drives it from a plain loop, so the happy path costs two field reads and no allocation.
    /// </summary>
    public sealed class SidecarPipeline
    {
        // The longest wait a timer supports (about 49.7 days). An uncapped backoff can ask for more; waiting this long
        // is as good as forever, whereas letting Task.Delay throw would replace the dependency's own exception.
        private static readonly TimeSpan s_longestWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

        // Attempts the caller cancelled while they were still running, by the cancellation that ended their wait: their
        // bulkhead slot is given back only when they end. Weak keys: the entry goes with the exception.
        private static readonly ConditionalWeakTable<OperationCanceledException, Task> s_abandoned = new();

        [ThreadStatic]
        private static Random? t_random;

        private readonly CircuitBreaker? _breaker;
        private readonly Bulkhead? _bulkhead;
        private readonly RetryBudget? _budget;
        private readonly TimeProvider _time;
        private readonly SidecarObserver? _observer;
        private readonly Func<double>? _random;
        private readonly System.Collections.Generic.Dictionary<string, SidecarPolicy>? _memberPolicies;

        /// <summary>Creates the pipeline of one decorator instance.</summary>
        /// <param name="service">The decorated service's name, used in telemetry and to find <see cref="SidecarOptions.Overrides"/>.</param>
        /// <param name="policy">The compiled-in settings.</param>
        /// <param name="options">Clock, breaker registry, observer and overrides; <c>null</c> for the defaults.</param>
        /// <exception cref="ArgumentException">An override is out of range, or sets a service-level knob for one member.</exception>
        public SidecarPipeline(string service, SidecarPolicy policy, SidecarOptions? options = null)
            : this(service, policy, options, null)
        {
        }

        /// <summary>Creates the pipeline of one decorator instance for <paramref name="members"/>, whose per-member overrides it applies.</summary>
        /// <param name="service">The decorated service's name, used in telemetry and to find <see cref="SidecarOptions.Overrides"/>.</param>
        /// <param name="policy">The compiled-in settings.</param>
        /// <param name="options">Clock, breaker registry, observer and overrides; <c>null</c> for the defaults.</param>
        /// <param name="members">The members that use this pipeline (as passed to its methods); <c>null</c> looks for overrides of any member.</param>
        /// <exception cref="ArgumentException">An override is out of range, or sets a service-level knob for one member.</exception>
        public SidecarPipeline(string service, SidecarPolicy policy, SidecarOptions? options, string[]? members)
            : this(service, policy, options, members, null)
        {
        }

        /// <summary>
        /// Creates the pipeline of one decorator instance for <paramref name="members"/>. Generated code calls this.
        /// </summary>
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
        {
            Service = service ?? throw new ArgumentNullException(nameof(service));
            if (policy is null)
            {
                throw new ArgumentNullException(nameof(policy));
            }

            options ??= SidecarOptions.Default;
            _time = options.TimeProvider ?? TimeProvider.System;
            _observer = options.Observer;
            _random = options.Random;
            Policy = policy = Overridden(policy, options, out _memberPolicies, members, ownKnobs);
            CircuitBreakerRegistry registry = options.CircuitBreakers ?? CircuitBreakerRegistry.Shared;
            if (policy.HasCircuitBreaker)
            {
                _breaker = registry.GetOrAdd(policy.CircuitName, policy.CircuitBreakerOptions);
            }

            if (policy.MaxConcurrency > 0)
            {
                _bulkhead = registry.GetOrAddBulkhead(policy.CircuitName, policy.MaxConcurrency);
            }

            if (policy.RetryBudget > 0)
            {
                _budget = registry.GetOrAddRetryBudget(policy.CircuitName, policy.RetryBudget, policy.MinRetriesPerSecond, TimeSpan.FromMilliseconds(SidecarDefaults.RetryBudgetWindow));
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

        /// <summary>
        /// Whether an attempt may start without asking the pipeline: no breaker or a closed one, and no bulkhead
        /// (asynchronous members use <see cref="TryStart"/>, which also takes a free bulkhead slot).
        /// </summary>
        public bool IsClosed
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => _bulkhead is null && (_breaker is null || _breaker.IsClosed);
        }

        /// <summary>
        /// Starts the first attempt of an asynchronous call on its fast path: <c>true</c> with the attempt's permit when the
        /// circuit is closed and the bulkhead, if any, had a free slot (the permit then holds it); <c>false</c>, having
        /// taken nothing, when the call must go through <see cref="Refusal"/> and the retry loop.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TryStart(out CircuitPermit permit)
        {
            permit = default;
            if (_breaker is not null && !_breaker.IsClosed)
            {
                return false;
            }

            return _bulkhead is null || TryTakeSlot(out permit);
        }

        private bool TryTakeSlot(out CircuitPermit permit)
        {
            if (_bulkhead!.TryEnter())
            {
                permit = default(CircuitPermit).WithSlot();
                return true;
            }

            permit = default;
            return false;
        }

        /// <summary>The settings <paramref name="member"/> runs with (its own overrides, if it has any).</summary>
        public SidecarPolicy PolicyFor(string member)
            => _memberPolicies is not null && _memberPolicies.TryGetValue(member, out SidecarPolicy? own) ? own : Policy;

        /// <summary>Starts the first attempt of a call; see <see cref="Enter(string, int)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CircuitPermit Enter(string member) => Enter(member, 0);

        /// <summary>
        /// Starts an attempt: returns what it holds (a half-open probe slot, a bulkhead slot), or throws
        /// <see cref="BrokenCircuitException"/> when the circuit is open and <see cref="BulkheadRejectedException"/> when
        /// the bulkhead is full.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="attempt">0 for the first attempt of the call (a retry budget counts calls and retries apart).</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CircuitPermit Enter(string member, int attempt)
        {
            if (_budget is null && IsClosed)
            {
                return default;
            }

            return EnterSlow(member, attempt);
        }

        private CircuitPermit EnterSlow(string member, int attempt)
        {
            CircuitPermit permit = default;
            CircuitBreaker? breaker = _breaker;
            if (breaker is not null && !breaker.IsClosed)
            {
                DateTimeOffset now = _time.GetUtcNow();
                if (!breaker.TryEnter(now, out permit, out DateTimeOffset retryAt, out CircuitState? transition))
                {
                    throw Reject(member, breaker, retryAt, now);
                }

                Notify(transition);
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

            return attempt > 0 && _budget is not null ? permit.AsRetry() : permit;
        }

        /// <summary>
        /// For asynchronous members, before the retry loop: the refusal the circuit or the bulkhead would give right now
        /// (to be returned in a faulted task, so that it is thrown once, at the caller's await), or <c>null</c> when an
        /// attempt may start. Takes no slot: <see cref="Enter(string, int)"/> does that.
        /// </summary>
        public SidecarRejectedException? Refusal(string member)
        {
            CircuitBreaker? breaker = _breaker;
            if (breaker is not null && !breaker.IsClosed)
            {
                DateTimeOffset now = _time.GetUtcNow();
                if (breaker.WouldRefuse(now, out DateTimeOffset retryAt))
                {
                    return Reject(member, breaker, retryAt, now);
                }
            }

            Bulkhead? bulkhead = _bulkhead;
            return bulkhead is not null && bulkhead.IsFull ? RejectFull(member, bulkhead) : null;
        }

        private BulkheadRejectedException RejectFull(string member, Bulkhead bulkhead)
        {
            var rejected = new BulkheadRejectedException(bulkhead.Name, bulkhead.MaxConcurrency) { Origin = this };
            Observe(static (o, a) => o.Observer.OnRejected(o.Service, a.member, a.rejected), (member, rejected));
            if (!Policy.HasFallback)
            {
                SidecarTelemetry.CallEnded(Service, member, SidecarTelemetry.Rejected, rejected);
            }

            return rejected;
        }

        private BrokenCircuitException Reject(string member, CircuitBreaker breaker, DateTimeOffset retryAt, DateTimeOffset now)
        {
            CircuitState state = breaker.State;
            var rejected = state == CircuitState.HalfOpen
                ? new BrokenCircuitException(breaker.Name, retryAt, TimeSpan.Zero, probeInFlight: true)
                : new BrokenCircuitException(breaker.Name, retryAt, retryAt - now);
            rejected.Origin = this;
            Observe(static (o, a) => o.Observer.OnRejected(o.Service, a.member, a.rejected), (member, rejected));

            // With a fallback the call is not over: it ends as "fallback" (OnFallback).
            SidecarTelemetry.CallRejected(Service, member, breaker.Name, state, countCall: !Policy.HasFallback);
            return rejected;
        }

        /// <summary>
        /// Records a successful attempt, which ends the call (closes a half-open circuit). Counted in telemetry
        /// without the member's name; prefer <see cref="OnSuccess(string, CircuitPermit)"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnSuccess(CircuitPermit permit = default) => OnSuccessCore(null, permit);

        /// <summary>Records a successful attempt of <paramref name="member"/>, which ends the call (closes a half-open circuit).</summary>
        /// <param name="member">The member called.</param>
        /// <param name="permit">The permit <see cref="Enter(string, int)"/> gave the attempt; <c>default</c> on the fast path.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnSuccess(string member, CircuitPermit permit = default) => OnSuccessCore(member, permit);

        // Inlined into every decorated member: only the "nothing to record" test stays here; the breaker's state change,
        // the observer and telemetry live in a method of their own, so the happy path stays as small as hand-written code.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void OnSuccessCore(string? member, CircuitPermit permit)
        {
            CircuitBreaker? breaker = _breaker;
            if (permit.IsEmpty && (breaker is null || breaker.IsUndisturbed) && _budget is null && !SidecarTelemetry.IsRecordingCalls)
            {
                return;
            }

            OnSuccessSlow(member, permit);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void OnSuccessSlow(string? member, CircuitPermit permit)
        {
            if (permit.HoldsBulkheadSlot)
            {
                _bulkhead!.Release();
            }

            CircuitBreaker? breaker = _breaker;

            // The clock is read only for what needs the time: a failure-ratio window or a retry budget.
            DateTimeOffset now = _budget is not null || (breaker is not null && breaker.CountsEveryOutcome) ? _time.GetUtcNow() : default;
            if (breaker is not null)
            {
                Notify(breaker.OnSuccess(permit, now));
            }

            if (_budget is not null && !permit.IsRetry)
            {
                _budget.OnCall(now);
            }

            SidecarTelemetry.CallSucceeded(Service, member);
        }

        /// <summary>
        /// Records that the fallback answers a call of <paramref name="member"/> that finally failed or was refused
        /// (telemetry only: outcome <c>fallback</c>). Call it where the fallback is invoked, after
        /// <see cref="ShouldFallBack"/> said yes; the policy must have been created with <c>fallback: true</c> so that
        /// the call is not also counted as a failure or a rejection.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="exception">The failure the fallback answers.</param>
        public void OnFallback(string member, Exception exception)
            => SidecarTelemetry.FellBack(Service, member, exception);

        /// <summary>
        /// Records a failed attempt and decides whether to try again. Called from an exception filter, so an
        /// exception that is not retried leaves the call untouched, original stack trace included.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="exception">What the attempt threw.</param>
        /// <param name="attempt">0 for the first attempt.</param>
        /// <param name="permit">The permit <see cref="Enter(string, int)"/> gave the attempt.</param>
        /// <param name="cancellationToken">The caller's token.</param>
        /// <param name="delay">The wait before the next attempt.</param>
        public bool ShouldRetry(string member, Exception exception, int attempt, CircuitPermit permit, CancellationToken cancellationToken, out TimeSpan delay)
        {
            return ShouldRetry(member, exception, attempt, permit, cancellationToken, TimeSpan.Zero, out delay);
        }

        /// <summary>
        /// Records a failed attempt and decides whether to try again. Called from an exception filter, so an
        /// exception that is not retried leaves the call untouched, original stack trace included.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="exception">What the attempt threw.</param>
        /// <param name="attempt">0 for the first attempt.</param>
        /// <param name="permit">The permit <see cref="Enter(string, int)"/> gave the attempt.</param>
        /// <param name="cancellationToken">The caller's token.</param>
        /// <param name="previous">The previous wait of this call (<see cref="TimeSpan.Zero"/> before the first retry), which decorrelated jitter grows from.</param>
        /// <param name="delay">The wait before the next attempt.</param>
        public bool ShouldRetry(string member, Exception exception, int attempt, CircuitPermit permit, CancellationToken cancellationToken, TimeSpan previous, out TimeSpan delay)
        {
            delay = TimeSpan.Zero;
            if (permit.HoldsBulkheadSlot)
            {
                Task? kept = exception is SidecarTimeoutException timedOut ? timedOut.Abandoned
                    : exception is OperationCanceledException cancelled && s_abandoned.TryGetValue(cancelled, out Task? left) ? left
                    : null;
                if (kept is { IsCompleted: false } abandoned)
                {
                    // Given up on, but still running: the slot is free only when the dependency really lets go of it.
                    abandoned.ContinueWith(static (_, bulkhead) => ((Bulkhead)bulkhead!).Release(), _bulkhead, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                else
                {
                    _bulkhead!.Release();
                }
            }

            if (exception is SidecarRejectedException rejected)
            {
                // Refused before the call: says nothing about the dependency.
                _breaker?.OnIgnored(permit);
                if (!ReferenceEquals(rejected.Origin, this) && !Policy.HasFallback)
                {
                    // Refused by a sidecar further in, not by this one's Enter (which counted its own refusal).
                    SidecarTelemetry.CallEnded(Service, member, SidecarTelemetry.Failure, exception);
                }

                return false;
            }

            if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                // Cancelled by the caller: says nothing about the dependency, and no fallback answers it.
                _breaker?.OnIgnored(permit);
                SidecarTelemetry.CallEnded(Service, member, SidecarTelemetry.Canceled, null);
                return false;
            }

            SidecarPolicy policy = PolicyFor(member);
            bool transient = policy.IsTransient(exception);
            CircuitState? transition = null;
            DateTimeOffset now = _breaker is null && _budget is null ? default : _time.GetUtcNow();
            if (attempt == 0)
            {
                _budget?.OnCall(now);
            }

            if (!transient)
            {
                _breaker?.OnIgnored(permit);
            }
            else if (_breaker is not null)
            {
                transition = _breaker.OnFailure(permit, now);
            }

            // Once the circuit is not closed the next attempt would be refused: better to rethrow the dependency's
            // own exception than a BrokenCircuitException.
            bool retry = transient
                && attempt < policy.Retries
                && !cancellationToken.IsCancellationRequested
                && (_breaker is null || _breaker.IsClosed);
            if (retry)
            {
                delay = policy.Jitter && policy.Backoff == Backoff.Exponential
                    ? BackoffSchedule.DecorrelatedJitter(policy.Delay, previous, policy.MaxDelay, NextRandom())
                    : BackoffSchedule.DelayFor(policy.Backoff, policy.Delay, attempt + 1, policy.MaxDelay, policy.Jitter ? NextRandom() : null);
                if (exception is IRetryAfter { RetryAfter: { } asked } && asked > delay)
                {
                    // The dependency said when to come back: wait that long, or give up if it is more than we may wait.
                    retry = policy.MaxDelay <= TimeSpan.Zero || asked <= policy.MaxDelay;
                    delay = retry ? asked : TimeSpan.Zero;
                }
            }

            if (retry && _bulkhead is not null && _bulkhead.IsFull)
            {
                // The retry would be refused by the bulkhead: better the dependency's own failure than a rejection.
                retry = false;
                delay = TimeSpan.Zero;
            }

            if (retry && _budget is not null && !_budget.TryRetry(now))
            {
                // Over budget: the dependency is failing for many callers at once; this failure is final.
                retry = false;
                delay = TimeSpan.Zero;
                SidecarTelemetry.RetryDenied(Service, member, _budget.Name);
                Observe(static (o, a) => o.Observer.OnRetryDenied(o.Service, a.member, a.attempt, a.exception), (member, attempt: attempt + 1, exception));
            }

            // The failure first, then the state change it caused.
            Observe(static (o, a) => o.Observer.OnAttemptFailed(o.Service, a.member, a.attempt, a.exception, a.retry, a.delay), (member, attempt: attempt + 1, exception, retry, delay));
            if (retry)
            {
                SidecarTelemetry.Retrying(Service, member, attempt + 1, exception, delay);
            }
            else if (!Policy.HasFallback)
            {
                // The last attempt: the call ends with this exception. With a fallback it ends as "fallback" (OnFallback).
                SidecarTelemetry.CallEnded(Service, member, SidecarTelemetry.Failure, exception);
            }

            Notify(transition);
            return retry;
        }

        /// <summary>
        /// Calls the observer. This runs inside an exception filter, where an exception would silently turn into
        /// "do not retry": an observer that throws must not change what the sidecar does.
        /// </summary>
        private void Observe<TState>(Action<(SidecarObserver Observer, string Service), TState> callback, TState state)
        {
            if (_observer is null)
            {
                return;
            }

            try
            {
                callback((_observer, Service), state);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Deliberately ignored: see above.
            }
        }

        /// <summary>Waits <paramref name="delay"/> on the pipeline's clock; ends at once when the token fires.</summary>
        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled(cancellationToken);
            }

            if (delay <= TimeSpan.Zero)
            {
                return Task.CompletedTask;
            }

            if (delay > s_longestWait)
            {
                delay = s_longestWait;
            }
#if NET8_0_OR_GREATER
            return Task.Delay(delay, _time, cancellationToken);
#else
            return _time.Delay(delay, cancellationToken);
#endif
        }

        /// <summary>Blocks for <paramref name="delay"/> (synchronous members); ends at once when the token fires.</summary>
        public void Wait(TimeSpan delay, CancellationToken cancellationToken)
        {
            if (delay <= TimeSpan.Zero && !cancellationToken.IsCancellationRequested)
            {
                return;
            }

            DelayAsync(delay, cancellationToken).GetAwaiter().GetResult();
        }

        /// <summary>Starts the time limit of one attempt; pass <see cref="AttemptTimeout.Token"/> to the inner call.</summary>
        public AttemptTimeout StartAttempt(CancellationToken cancellationToken) => StartAttempt(Policy, cancellationToken);

        /// <summary>Starts the time limit of one attempt of <paramref name="member"/> (its own override, if any).</summary>
        public AttemptTimeout StartAttempt(string member, CancellationToken cancellationToken) => StartAttempt(PolicyFor(member), cancellationToken);

        private AttemptTimeout StartAttempt(SidecarPolicy policy, CancellationToken cancellationToken)
            => new(policy.Timeout > TimeSpan.Zero ? policy.Timeout : System.Threading.Timeout.InfiniteTimeSpan, _time, cancellationToken);

        /// <summary>
        /// Waits for an attempt under its time limit. When time is up first, the attempt's token is cancelled, the
        /// attempt is abandoned (its outcome observed, never rethrown) and <see cref="SidecarTimeoutException"/> is thrown.
        /// </summary>
        public async Task<T> Watch<T>(Task<T> attempt, AttemptTimeout timeout, string member)
        {
            try
            {
                await WaitWithin(attempt, timeout, member).ConfigureAwait(false);
                return await attempt.ConfigureAwait(false);
            }
            finally
            {
                timeout.Dispose();
            }
        }

        /// <inheritdoc cref="Watch{T}"/>
        public async Task Watch(Task attempt, AttemptTimeout timeout, string member)
        {
            try
            {
                await WaitWithin(attempt, timeout, member).ConfigureAwait(false);
                await attempt.ConfigureAwait(false);
            }
            finally
            {
                timeout.Dispose();
            }
        }

        private async Task WaitWithin(Task attempt, AttemptTimeout timeout, string member)
        {
            try
            {
#if NET8_0_OR_GREATER
                await attempt.WaitAsync(timeout.Token).ConfigureAwait(false);
#else
                await attempt.WaitAsync(System.Threading.Timeout.InfiniteTimeSpan, _time, timeout.Token).ConfigureAwait(false);
#endif
            }
            catch (OperationCanceledException ex)
            {
                Task? abandoned = null;
                if (!attempt.IsCompleted)
                {
                    // Abandoned (time is up, or the caller gave up): observe its outcome so that a late failure is not an
                    // unobserved task exception.
                    abandoned = attempt;
                    _ = attempt.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                if (timeout.HasExpired)
                {
                    throw new SidecarTimeoutException(Service, member, PolicyFor(member).Timeout, ex) { Abandoned = abandoned };
                }

                if (abandoned is not null)
                {
                    // The caller gave up: their exception goes on as it is; the attempt it left behind rides beside it.
                    s_abandoned.Remove(ex);
                    s_abandoned.Add(ex, abandoned);
                }

                throw;
            }
        }

        /// <summary>Whether a failure that was not retried may be answered by the fallback (not when the caller cancelled).</summary>
        public bool ShouldFallBack(Exception exception, CancellationToken cancellationToken)
            => !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

        /// <summary>
        /// Checks the entries of <see cref="SidecarOptions.Overrides"/> that name a member of <paramref name="service"/> by
        /// its full name: the member must be one of <paramref name="members"/> (a misspelt member would otherwise be ignored
        /// without a word), and may set the knobs of a circuit, bulkhead or retry budget only if it is one of
        /// <paramref name="ownCircuits"/>. Entries by the simple name are not checked: another service may share it.
        /// Generated constructors call this once.
        /// </summary>
        /// <exception cref="ArgumentException">An entry names a member the service does not have, or sets a shared knob for a member that shares its circuit.</exception>
        public static void CheckOverrides(string service, SidecarOptions? options, string[] members, string[]? ownCircuits)
        {
            System.Collections.Generic.IDictionary<string, SidecarPolicyOverride>? overrides = options?.Overrides;
            if (overrides is null || overrides.Count == 0 || service is null || members is null)
            {
                return;
            }

            string? simple = SimpleName(service);
            foreach (System.Collections.Generic.KeyValuePair<string, SidecarPolicyOverride> entry in overrides)
            {
                string? member = MemberOf(entry.Key, service);
                if (member is not null && !Contains(members, member))
                {
                    throw new ArgumentException(
                        "The override '" + entry.Key + "' names no member of " + service + " that a sidecar decorates; its members are: " + string.Join(", ", members) + ".",
                        nameof(options));
                }

                member ??= simple is null ? null : MemberOf(entry.Key, simple);
                if (member is not null && Contains(members, member) && entry.Value?.SharedKnob() is { } shared && (ownCircuits is null || !Contains(ownCircuits, member)))
                {
                    throw new ArgumentException(
                        "The override '" + entry.Key + "' sets " + shared + ", which belongs to the circuit, bulkhead and retry budget " + member + " shares with the rest of " + service + ": set it under the service's name instead, or give the method its own with [Sidecar(" + shared + " = ...)].",
                        nameof(options));
                }
            }
        }

        private SidecarPolicy Overridden(SidecarPolicy policy, SidecarOptions options, out System.Collections.Generic.Dictionary<string, SidecarPolicy>? memberPolicies, string[]? members, string[]? ownKnobs)
        {
            memberPolicies = null;
            System.Collections.Generic.IDictionary<string, SidecarPolicyOverride> overrides = options.Overrides;
            if (overrides is null || overrides.Count == 0)
            {
                return policy;
            }

            // A member with a circuit (bulkhead, budget) of its own may have its shared knobs set by its own entry, and
            // only by it: the service's entry is about the service's circuit.
            bool ownCircuit = !string.Equals(policy.CircuitName, Service, StringComparison.Ordinal);
            string? simple = SimpleName(Service);
            SidecarPolicy service = Layer(policy, string.Empty, ForService, sharedAllowed: true);

            foreach (string key in overrides.Keys)
            {
                string? member = MemberOf(key, Service) ?? (simple is null ? null : MemberOf(key, simple));
                if (member is null || (members is not null && !Contains(members, member)))
                {
                    continue;
                }

                SidecarPolicy own = Layer(service, "." + member, static value => value, sharedAllowed: ownCircuit);
                if (members is not null && members.Length == 1 && ownCircuit)
                {
                    // The pipeline serves this member alone and owns its circuit: its entry may reshape the circuit too.
                    service = own;
                }

                (memberPolicies ??= new(StringComparer.OrdinalIgnoreCase))[member] = own; // keys are case-insensitive, member part too
            }

            return service;

            SidecarPolicyOverride? ForService(SidecarPolicyOverride? value)
            {
                if (value is null)
                {
                    return null;
                }

                if (ownKnobs is not null && ownKnobs.Length > 0)
                {
                    value = value.Without(ownKnobs);
                }

                return ownCircuit ? value.WithoutShared() : value;
            }

            // The entry under the simple name, then the one under the full name (which wins), each as select lets it through.
            SidecarPolicy Layer(SidecarPolicy layered, string suffix, Func<SidecarPolicyOverride?, SidecarPolicyOverride?> select, bool sharedAllowed)
            {
                if (simple is not null)
                {
                    layered = Apply(layered, select(Find(simple + suffix)), simple + suffix, sharedAllowed);
                }

                return Apply(layered, select(Find(Service + suffix)), Service + suffix, sharedAllowed);
            }

            SidecarPolicyOverride? Find(string key) => overrides.TryGetValue(key, out SidecarPolicyOverride? found) ? found : null;
        }

        private static string? SimpleName(string service)
        {
            int dot = service.LastIndexOf('.');
            return dot >= 0 ? service.Substring(dot + 1) : null;
        }

        private static bool Contains(string[] names, string name)
        {
            foreach (string candidate in names)
            {
                if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        private static string? MemberOf(string key, string prefix)
            => key.Length > prefix.Length + 1 && key[prefix.Length] == '.' && key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && key.IndexOf('.', prefix.Length + 1) < 0
                ? key.Substring(prefix.Length + 1)
                : null;

        private static SidecarPolicy Apply(SidecarPolicy policy, SidecarPolicyOverride? value, string key, bool sharedAllowed)
        {
            if (value is null)
            {
                return policy;
            }

            if (!sharedAllowed && value.SharedKnob() is not null)
            {
                // Not this pipeline's to apply (CheckOverrides reports a misplaced one): an overload may own a circuit
                // while this one shares the service's.
                value = value.WithoutShared();
            }

            try
            {
                return policy.With(value);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new ArgumentException("The override '" + key + "' is not valid: " + ex.Message, "options", ex);
            }
        }

        private double NextRandom()
        {
            if (_random is not null)
            {
                return _random();
            }

            return (t_random ??= new Random(Environment.CurrentManagedThreadId ^ Environment.TickCount)).NextDouble();
        }

        private void Notify(CircuitState? transition)
        {
            if (transition is CircuitState state)
            {
                Observe(static (o, a) => o.Observer.OnCircuitStateChanged(a.Name, a.state), (_breaker!.Name, state));
                SidecarTelemetry.CircuitChanged(_breaker!.Name, state);
            }
        }
    }
}
