using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class SidecarPipelineTests
    {
        private const string Service = "IOrderService";
        private const string Member = "GetAsync";
        private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);

        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _registry = new();
        private readonly RecordingObserver _observer = new();

        [Fact]
        public void The_constructor_requires_a_service_name_and_a_policy()
        {
            var policy = new SidecarPolicy(Service);

            Assert.Equal("service", Assert.Throws<ArgumentNullException>(() => new SidecarPipeline((string)null!, policy, null)).ParamName);
            Assert.Equal("policy", Assert.Throws<ArgumentNullException>(() => new SidecarPipeline(Service, null!, null)).ParamName);
        }

        [Fact]
        public void Without_a_failure_threshold_there_is_no_breaker()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, failureThreshold: 0));

            Assert.Null(pipeline.CircuitBreaker);
            Assert.True(pipeline.IsClosed);
            Assert.False(pipeline.Enter(Member).IsProbe);
            Assert.Empty(_registry.Breakers);
        }

        [Fact]
        public void The_breaker_comes_from_the_registry_under_the_policy_circuit_name()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy("orders-circuit", failureThreshold: 4, breakDuration: 2_000));

            Assert.True(_registry.TryGet("orders-circuit", out CircuitBreaker? breaker));
            Assert.Same(breaker, pipeline.CircuitBreaker);
            Assert.Equal(4, breaker!.FailureThreshold);
            Assert.Equal(TimeSpan.FromSeconds(2), breaker.BreakDuration);
            Assert.Equal(Service, pipeline.Service);
        }

        [Fact]
        public void Pipelines_of_one_registry_share_a_circuit_and_other_registries_do_not()
        {
            var policy = new SidecarPolicy(Service, retries: 0, failureThreshold: 1);
            SidecarPipeline first = Pipeline(policy);
            SidecarPipeline second = Pipeline(policy);
            var elsewhere = new SidecarPipeline(Service, policy, new SidecarOptions { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry() });

            first.ShouldRetry(Member, new TimeoutException(), 0, first.Enter(Member), CancellationToken.None, out _);

            Assert.Same(first.CircuitBreaker, second.CircuitBreaker);
            Assert.False(second.IsClosed);
            Assert.Throws<BrokenCircuitException>(() => second.Enter(Member));
            Assert.True(elsewhere.IsClosed);
        }

        [Fact]
        public void Null_options_use_the_shared_registry()
        {
            string name = "circuit-" + Guid.NewGuid().ToString("N");

            var pipeline = new SidecarPipeline(Service, new SidecarPolicy(name, failureThreshold: 1), null);

            Assert.True(CircuitBreakerRegistry.Shared.TryGet(name, out CircuitBreaker? shared));
            Assert.Same(shared, pipeline.CircuitBreaker);
        }

        [Fact]
        public void Caller_cancellation_is_not_retried_and_not_counted()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, failureThreshold: 1));
            using var cts = new CancellationTokenSource();
            cts.Cancel();

            bool retry = pipeline.ShouldRetry(Member, new OperationCanceledException(cts.Token), 0, default, cts.Token, out TimeSpan delay);

            Assert.False(retry);
            Assert.Equal(TimeSpan.Zero, delay);
            Assert.True(pipeline.IsClosed);
        }

        [Fact]
        public void A_cancellation_the_caller_did_not_ask_for_is_an_ordinary_failure()
        {
            // e.g. HttpClient's own timeout: TaskCanceledException while the caller's token is still live.
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, failureThreshold: 2));

            bool retry = pipeline.ShouldRetry(Member, new TaskCanceledException(), 0, default, CancellationToken.None, out _);

            Assert.True(retry);
            Assert.Equal(1, pipeline.CircuitBreaker!.ConsecutiveFailures);
        }

        [Fact]
        public void A_transient_failure_after_the_caller_cancelled_is_counted_but_not_retried()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, failureThreshold: 2));
            using var cts = new CancellationTokenSource();
            cts.Cancel();

            bool retry = pipeline.ShouldRetry(Member, new TimeoutException(), 0, default, cts.Token, out TimeSpan delay);

            Assert.False(retry);
            Assert.Equal(TimeSpan.Zero, delay);
            Assert.Equal(1, pipeline.CircuitBreaker!.ConsecutiveFailures);
            Assert.False(Assert.Single(_observer.Failures).WillRetry);
        }

        [Fact]
        public void A_rejection_is_never_retried_and_not_counted()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, failureThreshold: 1));
            var rejected = new BrokenCircuitException("other", _time.GetUtcNow(), TimeSpan.Zero);

            bool retry = pipeline.ShouldRetry(Member, rejected, 0, default, CancellationToken.None, out _);

            Assert.False(retry);
            Assert.True(pipeline.IsClosed);
        }

        [Fact]
        public void Exceptions_the_policy_does_not_call_transient_are_not_retried_and_not_counted()
        {
            var policy = new SidecarPolicy(Service, retries: 3, failureThreshold: 1, isTransient: e => e is TimeoutException);
            SidecarPipeline pipeline = Pipeline(policy);

            bool retry = pipeline.ShouldRetry(Member, new InvalidOperationException(), 0, default, CancellationToken.None, out TimeSpan delay);

            Assert.False(retry);
            Assert.Equal(TimeSpan.Zero, delay);
            Assert.True(pipeline.IsClosed);
            AttemptFailureIs(Assert.Single(_observer.Failures), attempt: 1, willRetry: false, TimeSpan.Zero);
        }

        [Fact]
        public void Exceptions_the_policy_calls_transient_are_retried()
        {
            var policy = new SidecarPolicy(Service, retries: 3, isTransient: e => e is TimeoutException);

            Assert.True(Pipeline(policy).ShouldRetry(Member, new TimeoutException(), 0, default, CancellationToken.None, out _));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(4)]
        public void Retrying_stops_after_the_configured_retries(int retries)
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: retries));
            int attempt = 0;
            while (pipeline.ShouldRetry(Member, new TimeoutException(), attempt, default, CancellationToken.None, out _))
            {
                attempt++;
                Assert.True(attempt <= retries, "retried more often than configured");
            }

            Assert.Equal(retries, attempt);
            Assert.Equal(retries + 1, _observer.Failures.Count);
        }

        [Theory]
        [InlineData(Backoff.Constant, new[] { 100, 100, 100, 100 })]
        [InlineData(Backoff.Linear, new[] { 100, 200, 300, 400 })]
        [InlineData(Backoff.Exponential, new[] { 100, 200, 400, 800 })]
        public void The_delay_follows_the_backoff(Backoff backoff, int[] expectedMs)
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: expectedMs.Length, delay: 100, backoff: backoff, maxDelay: 0));

            for (int attempt = 0; attempt < expectedMs.Length; attempt++)
            {
                Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), attempt, default, CancellationToken.None, out TimeSpan delay));
                Assert.Equal(TimeSpan.FromMilliseconds(expectedMs[attempt]), delay);
            }
        }

        [Fact]
        public void The_delay_is_capped_by_MaxDelay()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 10, delay: 100, backoff: Backoff.Exponential, maxDelay: 250));

            pipeline.ShouldRetry(Member, new TimeoutException(), 5, default, CancellationToken.None, out TimeSpan delay);

            Assert.Equal(TimeSpan.FromMilliseconds(250), delay);
        }

        [Theory]
        [InlineData(0.0, 75.0)]
        [InlineData(0.5, 100.0)]
        public void Jitter_uses_the_random_source_of_the_options(double random, double expectedMs)
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, delay: 100, backoff: Backoff.Constant, jitter: true), () => random);

            pipeline.ShouldRetry(Member, new TimeoutException(), 0, default, CancellationToken.None, out TimeSpan delay);

            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
        }

        [Fact]
        public void Exponential_backoff_with_jitter_uses_decorrelated_jitter_from_the_previous_delay()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, delay: 100, backoff: Backoff.Exponential, maxDelay: 0, jitter: true), () => 0.5);
            TimeSpan previous = TimeSpan.Zero;
            var delays = new System.Collections.Generic.List<TimeSpan>();

            for (int attempt = 0; attempt < 3; attempt++)
            {
                Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), attempt, default, CancellationToken.None, previous, out TimeSpan delay));
                delays.Add(delay);
                previous = delay;
            }

            // 100 + (300 - 100) / 2, then 100 + (600 - 100) / 2, then 100 + (1050 - 100) / 2.
            Assert.Equal(new[] { 200.0, 350.0, 575.0 }, delays.Select(d => d.TotalMilliseconds));
            Assert.Equal(delays, _observer.Failures.Select(f => f.Delay));
        }

        [Fact]
        public void Decorrelated_jitter_with_a_seeded_random_stays_between_the_base_and_three_times_the_previous_delay_and_under_the_cap()
        {
            TimeSpan baseDelay = TimeSpan.FromMilliseconds(100);
            TimeSpan cap = TimeSpan.FromSeconds(5);
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 40, delay: 100, backoff: Backoff.Exponential, maxDelay: 5_000, jitter: true), new Random(42).NextDouble);
            TimeSpan previous = TimeSpan.Zero;
            var delays = new System.Collections.Generic.List<TimeSpan>();

            for (int attempt = 0; attempt < 40; attempt++)
            {
                Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), attempt, default, CancellationToken.None, previous, out TimeSpan delay));

                Assert.InRange(delay, baseDelay, cap);
                Assert.True(delay <= 3 * (previous > baseDelay ? previous : baseDelay), $"retry {attempt + 1}: {delay} after {previous}");
                delays.Add(delay);
                previous = delay;
            }

            Assert.Contains(cap, delays);                  // it grows until the cap...
            Assert.True(delays.Distinct().Count() > 10);   // ...without marching in step
            Assert.NotEqual(
                Enumerable.Range(1, 40).Select(r => BackoffSchedule.DelayFor(Backoff.Exponential, baseDelay, r, cap)),
                delays);

            // The same seed gives the same delays.
            var again = new SidecarPipeline(Service, new SidecarPolicy(Service, retries: 40, delay: 100, backoff: Backoff.Exponential, maxDelay: 5_000, jitter: true), new SidecarOptions { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry(), Random = new Random(42).NextDouble });
            previous = TimeSpan.Zero;
            for (int attempt = 0; attempt < 40; attempt++)
            {
                again.ShouldRetry(Member, new TimeoutException(), attempt, default, CancellationToken.None, previous, out previous);
                Assert.Equal(delays[attempt], previous);
            }
        }

        [Fact]
        public void The_overload_without_a_previous_delay_grows_decorrelated_jitter_from_the_base_delay()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 5, delay: 100, backoff: Backoff.Exponential, maxDelay: 0, jitter: true), () => 0.75);

            pipeline.ShouldRetry(Member, new TimeoutException(), 3, default, CancellationToken.None, out TimeSpan delay);

            Assert.Equal(TimeSpan.FromMilliseconds(250), delay); // 100 + 200 × 0.75, whatever the retry number
        }

        [Fact]
        public void Decorrelated_jitter_is_capped_by_MaxDelay_in_the_pipeline()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 5, delay: 100, backoff: Backoff.Exponential, maxDelay: 250, jitter: true), () => 0.9);

            pipeline.ShouldRetry(Member, new TimeoutException(), 1, default, CancellationToken.None, TimeSpan.FromMilliseconds(200), out TimeSpan delay);

            Assert.Equal(TimeSpan.FromMilliseconds(250), delay);
        }

        [Fact]
        public void Linear_backoff_with_jitter_still_spreads_by_a_quarter()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, delay: 100, backoff: Backoff.Linear, maxDelay: 0, jitter: true), () => 0.0);

            pipeline.ShouldRetry(Member, new TimeoutException(), 1, default, CancellationToken.None, TimeSpan.FromMilliseconds(100), out TimeSpan delay);

            Assert.Equal(TimeSpan.FromMilliseconds(150), delay); // 200 × 0.75, not decorrelated
        }

        [Fact]
        public void Without_jitter_the_random_source_is_not_used()
        {
            int calls = 0;
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, delay: 100, backoff: Backoff.Constant), () => { calls++; return 0.0; });

            pipeline.ShouldRetry(Member, new TimeoutException(), 0, default, CancellationToken.None, out TimeSpan delay);

            Assert.Equal(TimeSpan.FromMilliseconds(100), delay);
            Assert.Equal(0, calls);
        }

        [Fact]
        public void Jitter_without_a_random_source_stays_within_bounds()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 1, delay: 100, backoff: Backoff.Constant, jitter: true));

            for (int i = 0; i < 100; i++)
            {
                pipeline.ShouldRetry(Member, new TimeoutException(), 0, default, CancellationToken.None, out TimeSpan delay);
                Assert.InRange(delay, TimeSpan.FromMilliseconds(75), TimeSpan.FromMilliseconds(125));
            }
        }

        [Fact]
        public void The_observer_sees_every_failed_attempt_numbered_from_one()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 2, delay: 100, backoff: Backoff.Linear));
            var errors = new Exception[] { new TimeoutException("1"), new TimeoutException("2"), new TimeoutException("3") };

            for (int attempt = 0; attempt < errors.Length; attempt++)
            {
                pipeline.ShouldRetry(Member, errors[attempt], attempt, default, CancellationToken.None, out _);
            }

            Assert.Collection(
                _observer.Failures,
                f => AttemptFailureIs(f, attempt: 1, willRetry: true, TimeSpan.FromMilliseconds(100), errors[0]),
                f => AttemptFailureIs(f, attempt: 2, willRetry: true, TimeSpan.FromMilliseconds(200), errors[1]),
                f => AttemptFailureIs(f, attempt: 3, willRetry: false, TimeSpan.Zero, errors[2]));
        }

        [Fact]
        public void Retrying_stops_once_the_circuit_opened()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 5, failureThreshold: 2, breakDuration: 5_000));

            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _));
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 1, pipeline.Enter(Member), CancellationToken.None, out TimeSpan delay));

            Assert.Equal(TimeSpan.Zero, delay);
            Assert.False(pipeline.IsClosed);
            Assert.Equal(new[] { (Service, CircuitState.Open) }, _observer.Transitions);
            Assert.Collection(
                _observer.Failures,
                f => Assert.True(f.WillRetry),
                f => Assert.False(f.WillRetry));
        }

        [Fact]
        public void Enter_on_an_open_circuit_throws_and_says_when_it_will_be_tried_again()
        {
            SidecarPipeline pipeline = OpenedPipeline();
            DateTimeOffset openedAt = _time.GetUtcNow();
            _time.Advance(TimeSpan.FromSeconds(2));

            var ex = Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member));

            Assert.Equal(Service, ex.CircuitName);
            Assert.Equal(openedAt + Break, ex.RetryAt);
            Assert.Equal(TimeSpan.FromSeconds(3), ex.RetryAfter);
            Assert.IsAssignableFrom<SidecarRejectedException>(ex);
            Assert.Contains("'" + Service + "'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("is open", ex.Message, StringComparison.Ordinal);
            Assert.Contains((openedAt + Break).ToString("O", CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
            Assert.Contains("in 3000 ms", ex.Message, StringComparison.Ordinal);

            (string service, string member, SidecarRejectedException rejected) = Assert.Single(_observer.Rejections);
            Assert.Equal(Service, service);
            Assert.Equal(Member, member);
            Assert.Same(ex, rejected);
        }

        [Fact]
        public void After_the_break_one_probe_goes_through_and_its_success_closes_the_circuit()
        {
            SidecarPipeline pipeline = OpenedPipeline();
            _time.Advance(Break);

            CircuitPermit probe = pipeline.Enter(Member);
            var second = Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member));
            pipeline.OnSuccess(Member, probe);

            Assert.True(probe.IsProbe);
            Assert.Equal(TimeSpan.Zero, second.RetryAfter);
            Assert.True(pipeline.IsClosed);
            Assert.Equal(
                new[] { (Service, CircuitState.Open), (Service, CircuitState.HalfOpen), (Service, CircuitState.Closed) },
                _observer.Transitions);
            Assert.False(pipeline.Enter(Member).IsProbe);
        }

        [Fact]
        public void A_failed_probe_opens_the_circuit_again_without_retrying()
        {
            SidecarPipeline pipeline = OpenedPipeline();
            _time.Advance(Break);
            CircuitPermit probe = pipeline.Enter(Member);
            _time.Advance(TimeSpan.FromSeconds(1));

            bool retry = pipeline.ShouldRetry(Member, new TimeoutException(), 0, probe, CancellationToken.None, out _);

            Assert.False(retry);
            Assert.Equal(CircuitState.Open, pipeline.CircuitBreaker!.State);
            Assert.Equal(_time.GetUtcNow() + Break, pipeline.CircuitBreaker.OpenUntil);
            Assert.Equal(CircuitState.Open, _observer.Transitions[^1].State);
            Assert.Equal(_time.GetUtcNow() + Break, Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member)).RetryAt);
        }

        [Fact]
        public void A_cancelled_probe_gives_the_probe_slot_back()
        {
            SidecarPipeline pipeline = OpenedPipeline();
            _time.Advance(Break);
            CircuitPermit probe = pipeline.Enter(Member);
            using var cts = new CancellationTokenSource();
            cts.Cancel();

            pipeline.ShouldRetry(Member, new OperationCanceledException(cts.Token), 0, probe, cts.Token, out _);

            Assert.True(pipeline.Enter(Member).IsProbe);
        }

        [Fact]
        public void A_probe_that_fails_with_a_non_transient_exception_gives_the_probe_slot_back()
        {
            SidecarPipeline pipeline = OpenedPipeline(isTransient: e => e is TimeoutException);
            _time.Advance(Break);
            CircuitPermit probe = pipeline.Enter(Member);

            pipeline.ShouldRetry(Member, new ArgumentException(), 0, probe, CancellationToken.None, out _);

            Assert.Equal(CircuitState.HalfOpen, pipeline.CircuitBreaker!.State);
            Assert.True(pipeline.Enter(Member).IsProbe);
        }

        [Fact]
        public async Task DelayAsync_waits_on_the_pipeline_clock()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service));

            Task delay = pipeline.DelayAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            Assert.False(delay.IsCompleted);
            _time.Advance(TimeSpan.FromMilliseconds(99));
            Assert.False(delay.IsCompleted);
            _time.Advance(TimeSpan.FromMilliseconds(1));

            Assert.True(delay.IsCompleted);
            await delay;
            Assert.Equal(TaskStatus.RanToCompletion, delay.Status);
        }

        [Fact]
        public void DelayAsync_of_zero_completes_at_once()
        {
            Task delay = Pipeline(new SidecarPolicy(Service)).DelayAsync(TimeSpan.Zero, CancellationToken.None);

            Assert.Equal(TaskStatus.RanToCompletion, delay.Status);
        }

        [Fact]
        public async Task DelayAsync_with_a_cancelled_token_ends_at_once()
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();

            Task delay = Pipeline(new SidecarPolicy(Service)).DelayAsync(TimeSpan.FromHours(1), cts.Token);

            Assert.True(delay.IsCanceled);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delay);
        }

        [Fact]
        public async Task DelayAsync_ends_at_once_when_the_token_fires_while_waiting()
        {
            using var cts = new CancellationTokenSource();
            Task delay = Pipeline(new SidecarPolicy(Service)).DelayAsync(TimeSpan.FromHours(1), cts.Token);
            Assert.False(delay.IsCompleted);

            cts.Cancel();

            Assert.True(delay.IsCanceled);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delay);
            Assert.Equal(0, _time.PendingTimers);
        }

        [Fact]
        public async Task DelayAsync_waits_even_when_an_uncapped_backoff_outgrows_what_a_timer_supports()
        {
            // 100 ms × 2^39 is about 1,700 years: longer than any timer, which must not turn into an exception that
            // would replace the dependency's own.
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 40, backoff: Backoff.Exponential, maxDelay: 0));
            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 39, default, CancellationToken.None, out TimeSpan huge));
            using var cts = new CancellationTokenSource();

            Task delay = pipeline.DelayAsync(huge, cts.Token);
            Task longest = pipeline.DelayAsync(TimeSpan.MaxValue, cts.Token);
            _time.Advance(TimeSpan.FromDays(49));

            Assert.False(delay.IsCompleted);
            Assert.False(longest.IsCompleted);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delay);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => longest);
        }

        [Fact]
        public void Wait_with_a_cancelled_token_throws_at_once()
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();

            Assert.ThrowsAny<OperationCanceledException>(() => Pipeline(new SidecarPolicy(Service)).Wait(TimeSpan.FromHours(1), cts.Token));
        }

        [Fact]
        public void Wait_blocks_until_the_clock_reaches_the_delay()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service));
            using var done = new ManualResetEventSlim();
            var waiter = new Thread(() =>
            {
                pipeline.Wait(TimeSpan.FromSeconds(10), CancellationToken.None);
                done.Set();
            });
            waiter.Start();
            SpinWait.SpinUntil(() => _time.PendingTimers == 1, TimeSpan.FromSeconds(10));

            Assert.False(done.IsSet);
            _time.Advance(TimeSpan.FromSeconds(10));

            Assert.True(done.Wait(TimeSpan.FromSeconds(10)), "Wait did not return once the delay passed");
            waiter.Join();
        }

        private static void AttemptFailureIs(RecordingObserver.AttemptFailure failure, int attempt, bool willRetry, TimeSpan delay, Exception? exception = null)
        {
            Assert.Equal(Service, failure.Service);
            Assert.Equal(Member, failure.Member);
            Assert.Equal(attempt, failure.Attempt);
            Assert.Equal(willRetry, failure.WillRetry);
            Assert.Equal(delay, failure.Delay);
            if (exception is not null)
            {
                Assert.Same(exception, failure.Exception);
            }
        }

        [Fact]
        public void An_observer_that_throws_does_not_change_what_the_pipeline_decides()
        {
            var policy = new SidecarPolicy(Service, retries: 2, delay: 0, failureThreshold: 2);
            var pipeline = new SidecarPipeline(Service, policy, new SidecarOptions { TimeProvider = _time, CircuitBreakers = _registry, Observer = new ThrowingObserver() });

            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _));
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 1, pipeline.Enter(Member), CancellationToken.None, out _)); // the circuit opened
            Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member));
        }

        [Fact]
        public void The_failure_is_reported_before_the_circuit_change_it_caused()
        {
            var events = new OrderObserver();
            var pipeline = new SidecarPipeline(Service, new SidecarPolicy(Service, retries: 0, failureThreshold: 1), new SidecarOptions { TimeProvider = _time, CircuitBreakers = _registry, Observer = events });

            pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _);

            Assert.Equal(new[] { "failed", "Open" }, events.Events);
        }

        [Fact]
        public void A_call_is_not_retried_into_a_circuit_whose_probe_is_running()
        {
            SidecarPipeline pipeline = OpenedPipeline();
            _time.Advance(Break);
            CircuitPermit probe = pipeline.Enter(Member); // another caller's probe, still running
            Assert.True(probe.IsProbe);

            var refused = Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member));
            Assert.True(refused.ProbeInFlight);
            Assert.Contains("probe calls are still running", refused.Message);
            Assert.DoesNotContain("(in 0 ms)", refused.Message);

            // A call that had entered while the circuit was closed fails now: no retry into the half-open circuit.
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 0, default, CancellationToken.None, out _));
        }

        [Theory]
        [InlineData(250, 0, true, 250)]      // asked for more than the backoff (100 ms): waits what was asked
        [InlineData(250, 1000, true, 250)]   // within MaxDelay: same
        [InlineData(20, 1000, true, 100)]    // asked for less than the backoff: the backoff wins
        [InlineData(2000, 1000, false, 0)]   // asked for more than MaxDelay: no retry at all
        public void A_retry_after_hint_from_the_dependency_is_honoured(int askedMs, int maxDelayMs, bool expectRetry, double expectedDelayMs)
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, delay: 100, backoff: Backoff.Constant, maxDelay: maxDelayMs));

            bool retry = pipeline.ShouldRetry(Member, new ThrottledException(TimeSpan.FromMilliseconds(askedMs)), 0, default, CancellationToken.None, out TimeSpan delay);

            Assert.Equal(expectRetry, retry);
            Assert.Equal(TimeSpan.FromMilliseconds(expectedDelayMs), delay);
        }

        [Fact]
        public void Refusal_says_no_while_open_without_taking_the_probe_and_yes_once_the_break_is_over()
        {
            SidecarPipeline pipeline = OpenedPipeline();

            BrokenCircuitException refused = Assert.IsType<BrokenCircuitException>(pipeline.Refusal(Member));
            Assert.Equal(_time.GetUtcNow() + Break, refused.RetryAt);
            Assert.Equal(CircuitState.Open, pipeline.CircuitBreaker!.State);

            _time.Advance(Break);
            Assert.Null(pipeline.Refusal(Member));               // an attempt may start: the probe is still free
            Assert.Equal(CircuitState.Open, pipeline.CircuitBreaker.State); // nothing taken yet
            Assert.True(pipeline.Enter(Member).IsProbe);         // Enter takes it
            Assert.True(Assert.IsType<BrokenCircuitException>(pipeline.Refusal(Member)).ProbeInFlight); // the next caller is refused
        }

        private sealed class ThrottledException : Exception, IRetryAfter
        {
            public ThrottledException(TimeSpan retryAfter) => RetryAfter = retryAfter;

            public TimeSpan? RetryAfter { get; }
        }

        private sealed class ThrowingObserver : SidecarObserver
        {
            public override void OnAttemptFailed(string service, string member, int attempt, Exception exception, bool willRetry, TimeSpan delay)
                => throw new InvalidOperationException("observer bug");

            public override void OnCircuitStateChanged(string circuitName, CircuitState state) => throw new InvalidOperationException("observer bug");

            public override void OnRejected(string service, string member, SidecarRejectedException exception) => throw new InvalidOperationException("observer bug");
        }

        private sealed class OrderObserver : SidecarObserver
        {
            public System.Collections.Generic.List<string> Events { get; } = new();

            public override void OnAttemptFailed(string service, string member, int attempt, Exception exception, bool willRetry, TimeSpan delay) => Events.Add("failed");

            public override void OnCircuitStateChanged(string circuitName, CircuitState state) => Events.Add(state.ToString());
        }

        private SidecarPipeline Pipeline(SidecarPolicy policy, Func<double>? random = null)
            => new(Service, policy, new SidecarOptions { TimeProvider = _time, CircuitBreakers = _registry, Observer = _observer, Random = random });

        /// <summary>A pipeline whose circuit (named after the service, threshold 1, 5 s break) just opened.</summary>
        private SidecarPipeline OpenedPipeline(Func<Exception, bool>? isTransient = null)
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, failureThreshold: 1, breakDuration: (int)Break.TotalMilliseconds, isTransient: isTransient));
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _));
            Assert.False(pipeline.IsClosed);
            return pipeline;
        }
    }
}
