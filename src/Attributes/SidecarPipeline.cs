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

        [ThreadStatic]
        private static Random? t_random;

        private readonly CircuitBreaker? _breaker;
        private readonly TimeProvider _time;
        private readonly SidecarObserver? _observer;
        private readonly Func<double>? _random;

        /// <summary>Creates the pipeline of one decorator instance.</summary>
        /// <param name="service">The decorated service's name, used in telemetry.</param>
        /// <param name="policy">The compiled-in settings.</param>
        /// <param name="options">Clock, breaker registry and observer; <c>null</c> for the defaults.</param>
        public SidecarPipeline(string service, SidecarPolicy policy, SidecarOptions? options = null)
        {
            Service = service ?? throw new ArgumentNullException(nameof(service));
            Policy = policy ?? throw new ArgumentNullException(nameof(policy));
            options ??= SidecarOptions.Default;
            _time = options.TimeProvider ?? TimeProvider.System;
            _observer = options.Observer;
            _random = options.Random;
            if (policy.FailureThreshold > 0)
            {
                _breaker = (options.CircuitBreakers ?? CircuitBreakerRegistry.Shared)
                    .GetOrAdd(policy.CircuitName, policy.FailureThreshold, policy.BreakDuration);
            }
        }

        /// <summary>The decorated service's name.</summary>
        public string Service { get; }

        /// <summary>The compiled-in settings.</summary>
        public SidecarPolicy Policy { get; }

        /// <summary>The circuit breaker, or <c>null</c> when the policy has none.</summary>
        public CircuitBreaker? CircuitBreaker => _breaker;

        /// <summary>Whether an attempt may start without asking the breaker (no breaker, or a closed one).</summary>
        public bool IsClosed
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => _breaker is null || _breaker.IsClosed;
        }

        /// <summary>
        /// Starts an attempt: returns the breaker's permit, or throws <see cref="BrokenCircuitException"/> when the
        /// circuit is open.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CircuitPermit Enter(string member)
        {
            if (_breaker is null || _breaker.IsClosed)
            {
                return default;
            }

            return EnterSlow(member);
        }

        private CircuitPermit EnterSlow(string member)
        {
            CircuitBreaker breaker = _breaker!;
            DateTimeOffset now = _time.GetUtcNow();
            if (breaker.TryEnter(now, out CircuitPermit permit, out DateTimeOffset retryAt, out CircuitState? transition))
            {
                Notify(transition);
                return permit;
            }

            throw Reject(member, breaker, retryAt, now);
        }

        /// <summary>
        /// For asynchronous members, before the retry loop: the refusal the circuit would give right now (to be returned
        /// in a faulted task, so that it is thrown once, at the caller's await), or <c>null</c> when an attempt may start.
        /// Takes no probe slot: <see cref="Enter"/> does that.
        /// </summary>
        public BrokenCircuitException? Refusal(string member)
        {
            CircuitBreaker? breaker = _breaker;
            if (breaker is null || breaker.IsClosed)
            {
                return null;
            }

            DateTimeOffset now = _time.GetUtcNow();
            return breaker.WouldRefuse(now, out DateTimeOffset retryAt) ? Reject(member, breaker, retryAt, now) : null;
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
        /// <param name="permit">The permit <see cref="Enter"/> gave the attempt; <c>default</c> on the fast path.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnSuccess(string member, CircuitPermit permit = default) => OnSuccessCore(member, permit);

        // Inlined into every decorated member: only the "nothing to record" test stays here; the breaker's state change,
        // the observer and telemetry live in a method of their own, so the happy path stays as small as hand-written code.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void OnSuccessCore(string? member, CircuitPermit permit)
        {
            CircuitBreaker? breaker = _breaker;
            if ((breaker is null || breaker.IsUndisturbedBy(permit)) && !SidecarTelemetry.IsRecordingCalls)
            {
                return;
            }

            OnSuccessSlow(member, permit);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void OnSuccessSlow(string? member, CircuitPermit permit)
        {
            if (_breaker is not null)
            {
                Notify(_breaker.OnSuccess(permit));
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
        /// <param name="permit">The permit <see cref="Enter"/> gave the attempt.</param>
        /// <param name="cancellationToken">The caller's token.</param>
        /// <param name="delay">The wait before the next attempt.</param>
        public bool ShouldRetry(string member, Exception exception, int attempt, CircuitPermit permit, CancellationToken cancellationToken, out TimeSpan delay)
        {
            delay = TimeSpan.Zero;
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

            bool transient = Policy.IsTransient(exception);
            CircuitState? transition = null;
            if (!transient)
            {
                _breaker?.OnIgnored(permit);
            }
            else if (_breaker is not null)
            {
                transition = _breaker.OnFailure(permit, _time.GetUtcNow());
            }

            // Once the circuit is not closed the next attempt would be refused: better to rethrow the dependency's
            // own exception than a BrokenCircuitException.
            bool retry = transient
                && attempt < Policy.Retries
                && !cancellationToken.IsCancellationRequested
                && (_breaker is null || _breaker.IsClosed);
            if (retry)
            {
                delay = BackoffSchedule.DelayFor(Policy.Backoff, Policy.Delay, attempt + 1, Policy.MaxDelay, Policy.Jitter ? NextRandom() : null);
                if (exception is IRetryAfter { RetryAfter: { } asked } && asked > delay)
                {
                    // The dependency said when to come back: wait that long, or give up if it is more than we may wait.
                    retry = Policy.MaxDelay <= TimeSpan.Zero || asked <= Policy.MaxDelay;
                    delay = retry ? asked : TimeSpan.Zero;
                }
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
        public AttemptTimeout StartAttempt(CancellationToken cancellationToken)
            => new(Policy.Timeout > TimeSpan.Zero ? Policy.Timeout : System.Threading.Timeout.InfiniteTimeSpan, _time, cancellationToken);

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
            catch (OperationCanceledException ex) when (timeout.HasExpired)
            {
                if (!attempt.IsCompleted)
                {
                    // Abandoned: observe its outcome so that a late failure is not an unobserved task exception.
                    _ = attempt.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                throw new SidecarTimeoutException(Service, member, Policy.Timeout, ex);
            }
        }

        /// <summary>Whether a failure that was not retried may be answered by the fallback (not when the caller cancelled).</summary>
        public bool ShouldFallBack(Exception exception, CancellationToken cancellationToken)
            => !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

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
