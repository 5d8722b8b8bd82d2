using System;
using System.Threading;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class CircuitBreakerRatioTests
    {
        private const string Service = "IOrderService";
        private const string Member = "GetAsync";
        private static readonly DateTimeOffset T0 = TimedCalls.T0;
        private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);
        private static readonly TimeSpan Sampling = TimeSpan.FromSeconds(10);

        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _registry = new();
        private readonly RecordingObserver _observer = new();

        [Fact]
        public void A_ratio_breaker_takes_its_settings_from_the_options()
        {
            CircuitBreaker breaker = Ratio(0.25, minimumThroughput: 7);

            Assert.Equal(0.25, breaker.FailureRatio);
            Assert.Equal(Sampling, breaker.SamplingDuration);
            Assert.Equal(7, breaker.MinimumThroughput);
            Assert.Equal(0, breaker.FailureThreshold);
            Assert.Equal(Break, breaker.BreakDuration);
            Assert.Equal(1, breaker.HalfOpenProbes);
            Assert.True(breaker.IsClosed);
            Assert.Equal((0, 0), breaker.Sample(T0));
        }

        [Theory]
        [InlineData(-0.1)]
        [InlineData(1.01)]
        [InlineData(double.NaN)]
        public void The_constructor_rejects_a_failure_ratio_outside_zero_to_one(double ratio)
        {
            var options = new CircuitBreakerOptions { FailureRatio = ratio, FailureThreshold = 1 };

            Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Breaker("orders", options)).ParamName);
        }

        [Fact]
        public void The_constructor_rejects_a_breaker_with_neither_trigger()
        {
            var options = new CircuitBreakerOptions { FailureThreshold = 0, FailureRatio = 0 };

            Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Breaker("orders", options));
        }

        [Fact]
        public void The_constructor_rejects_bad_window_settings_of_a_ratio_breaker()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureRatio = 0.5, SamplingDuration = TimeSpan.Zero }));
            Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 1, HalfOpenProbes = 0 }));
            Assert.Throws<ArgumentNullException>(() => TimedCalls.Breaker("orders", (CircuitBreakerOptions)null!));
        }

        [Fact]
        public void A_consecutive_breaker_keeps_no_window()
        {
            var breaker = TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 5, BreakDuration = Break });

            breaker.OnFailure(default, T0);
            breaker.OnSuccess(default, T0);

            Assert.Equal((0, 0), breaker.Sample(T0));
        }

        [Fact]
        public void Does_not_open_below_the_minimum_throughput_even_if_every_attempt_failed()
        {
            CircuitBreaker breaker = Ratio(0.5, minimumThroughput: 10);

            for (int i = 0; i < 9; i++)
            {
                Assert.Null(breaker.OnFailure(default, T0));
            }

            Assert.True(breaker.IsClosed);
            Assert.Equal((9, 9), breaker.Sample(T0));
            Assert.Equal(CircuitState.Open, breaker.OnFailure(default, T0)); // the 10th attempt meets the throughput
            Assert.Equal(T0 + Break, breaker.OpenUntil);
        }

        [Theory]
        [InlineData(1, 10, 0)]
        [InlineData(1, 10, 15)]
        [InlineData(1, 4, 12)]
        [InlineData(3, 10, 7)]
        [InlineData(3, 10, 14)]
        [InlineData(1, 2, 9)]
        [InlineData(7, 10, 3)]
        [InlineData(7, 10, 21)]
        [InlineData(9, 10, 1)]
        [InlineData(9, 10, 30)]
        [InlineData(1, 3, 20)]
        [InlineData(1, 1, 0)]
        [InlineData(7, 25, 18)]  // 7 of 25 is 0.28, although 0.28 * 25 is 7.000000000000001 in doubles
        [InlineData(11, 20, 45)] // 55 of 100 is 0.55, although 0.55 * 100 is 55.00000000000001 in doubles
        public void Opens_exactly_when_the_failed_fraction_reaches_the_ratio(int numerator, int denominator, int successes)
        {
            // FailureRatio = numerator / denominator; "successes" successful attempts come first, then failures one by one.
            const int throughput = 10;
            CircuitBreaker breaker = Ratio((double)numerator / denominator, throughput);
            for (int i = 0; i < successes; i++)
            {
                Assert.Null(breaker.OnSuccess(default, T0));
            }

            int failures = 0;
            while (true)
            {
                failures++;
                int attempts = successes + failures;
                bool expectOpen = attempts >= throughput && (long)failures * denominator >= (long)numerator * attempts; // exact arithmetic

                CircuitState? transition = breaker.OnFailure(default, T0);

                Assert.True(expectOpen == (transition == CircuitState.Open), $"After {failures} failures of {attempts} attempts: expected open={expectOpen}, got {transition}.");
                if (expectOpen)
                {
                    break;
                }

                Assert.Equal((attempts, failures), breaker.Sample(T0));
            }

            Assert.Equal(CircuitState.Open, breaker.State);
        }

        [Fact]
        public void Successes_count_as_attempts_and_dilute_the_failures()
        {
            CircuitBreaker breaker = Ratio(0.5, minimumThroughput: 10);
            for (int i = 0; i < 10; i++)
            {
                breaker.OnSuccess(default, T0);
            }

            for (int i = 0; i < 9; i++)
            {
                Assert.Null(breaker.OnFailure(default, T0)); // 9 of 19 < 0.5
            }

            Assert.Equal((19, 9), breaker.Sample(T0));
            Assert.Equal(CircuitState.Open, breaker.OnFailure(default, T0)); // 10 of 20
        }

        [Fact]
        public void Attempts_older_than_the_sampling_duration_slide_out_of_the_window()
        {
            CircuitBreaker breaker = Ratio(0.5, minimumThroughput: 10);
            for (int i = 0; i < 9; i++)
            {
                breaker.OnFailure(default, T0);
            }

            Assert.Equal((9, 9), breaker.Sample(T0 + Sampling - TimeSpan.FromSeconds(1))); // still in the window
            Assert.Equal((0, 0), breaker.Sample(T0 + Sampling));                          // forgotten

            // Nine more failures a whole window later: had the first nine been kept, the throughput would be met long before.
            for (int i = 0; i < 9; i++)
            {
                Assert.Null(breaker.OnFailure(default, T0 + Sampling));
            }

            Assert.True(breaker.IsClosed);
            Assert.Equal((9, 9), breaker.Sample(T0 + Sampling));
        }

        [Fact]
        public void The_window_slides_a_tenth_of_the_sampling_duration_at_a_time()
        {
            CircuitBreaker breaker = Ratio(0.5, minimumThroughput: 10);
            TimeSpan tenth = TimeSpan.FromTicks(Sampling.Ticks / 10);
            breaker.OnFailure(default, T0);               // bucket 0
            breaker.OnFailure(default, T0 + (3 * tenth)); // bucket 3
            breaker.OnSuccess(default, T0 + (6 * tenth)); // bucket 6

            Assert.Equal((3, 2), breaker.Sample(T0 + (9 * tenth)));
            Assert.Equal((2, 1), breaker.Sample(T0 + (10 * tenth))); // bucket 0 left
            Assert.Equal((1, 0), breaker.Sample(T0 + (13 * tenth))); // bucket 3 left
            Assert.Equal((0, 0), breaker.Sample(T0 + (16 * tenth))); // bucket 6 left
        }

        [Fact]
        public void The_same_failures_open_the_circuit_inside_the_window_but_not_once_the_old_ones_slid_out()
        {
            // Five failures at T0 and five successes at T0 + 6 s, then one more failure: 6 of 11 inside the window,
            // but 1 of 6 (below the throughput) once the failures of T0 are forgotten.
            CircuitBreaker inside = Ratio(0.5, minimumThroughput: 10);
            CircuitBreaker after = Ratio(0.5, minimumThroughput: 10);
            foreach (CircuitBreaker breaker in new[] { inside, after })
            {
                for (int i = 0; i < 5; i++)
                {
                    breaker.OnFailure(default, T0);
                }

                for (int i = 0; i < 5; i++)
                {
                    breaker.OnSuccess(default, T0.AddSeconds(6));
                }
            }

            Assert.Equal(CircuitState.Open, inside.OnFailure(default, T0.AddSeconds(9)));
            Assert.Null(after.OnFailure(default, T0.AddSeconds(10)));
            Assert.True(after.IsClosed);
            Assert.Equal((6, 1), after.Sample(T0.AddSeconds(10)));
        }

        [Fact]
        public void Opening_clears_the_window_so_a_closed_circuit_starts_afresh()
        {
            var breaker = TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureRatio = 0.5, SamplingDuration = Sampling, MinimumThroughput = 4, BreakDuration = Break });
            for (int i = 0; i < 4; i++)
            {
                breaker.OnFailure(default, T0);
            }

            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal((0, 0), breaker.Sample(T0));

            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit probe, out _, out _));
            Assert.Equal(CircuitState.Closed, breaker.OnSuccess(probe, T0 + Break));
            Assert.Equal((0, 0), breaker.Sample(T0 + Break));

            // A single failure after closing is one of one, below the throughput.
            Assert.Null(breaker.OnFailure(default, T0 + Break));
            Assert.Equal((1, 1), breaker.Sample(T0 + Break));
        }

        [Fact]
        public void Outcomes_while_open_are_not_recorded()
        {
            CircuitBreaker breaker = Ratio(0.5, minimumThroughput: 2);
            breaker.OnFailure(default, T0);
            Assert.Equal(CircuitState.Open, breaker.OnFailure(default, T0));

            breaker.OnFailure(default, T0.AddSeconds(1));
            breaker.OnSuccess(default, T0.AddSeconds(1));

            Assert.Equal((0, 0), breaker.Sample(T0.AddSeconds(1)));
            Assert.Equal(T0 + Break, breaker.OpenUntil);
        }

        [Fact]
        public void With_a_threshold_and_a_ratio_consecutive_failures_open_the_circuit_below_the_throughput()
        {
            var breaker = TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 3, FailureRatio = 0.5, SamplingDuration = Sampling, MinimumThroughput = 100, BreakDuration = Break });

            Assert.Null(breaker.OnFailure(default, T0));
            Assert.Null(breaker.OnFailure(default, T0));
            Assert.Equal(CircuitState.Open, breaker.OnFailure(default, T0));
        }

        [Fact]
        public void With_a_threshold_and_a_ratio_the_ratio_opens_the_circuit_without_failures_in_a_row()
        {
            var breaker = TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 3, FailureRatio = 0.5, SamplingDuration = Sampling, MinimumThroughput = 10, BreakDuration = Break });

            for (int i = 0; i < 4; i++)
            {
                breaker.OnSuccess(default, T0);
                Assert.Null(breaker.OnFailure(default, T0));
                Assert.Equal(1, breaker.ConsecutiveFailures);
            }

            breaker.OnSuccess(default, T0);
            Assert.Equal(CircuitState.Open, breaker.OnFailure(default, T0)); // 5 of 10, never two in a row
        }

        [Fact]
        public void The_happy_path_of_the_pipeline_feeds_the_window()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 0, failureRatio: 0.5, samplingDuration: 10_000, minimumThroughput: 10));
            CircuitBreaker breaker = pipeline.CircuitBreaker!;
            Assert.Equal(0.5, breaker.FailureRatio);

            for (int i = 0; i < 10; i++)
            {
                pipeline.OnSuccess(Member, pipeline.Enter(Member));
            }

            Assert.Equal((10, 0), breaker.Sample(_time.GetUtcNow()));
            for (int i = 0; i < 9; i++)
            {
                Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _));
            }

            Assert.True(pipeline.IsClosed);
            Assert.Equal((19, 9), breaker.Sample(_time.GetUtcNow()));

            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _));

            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(new[] { (Service, CircuitState.Open) }, _observer.Transitions);
            Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member));
        }

        [Fact]
        public void The_pipeline_records_outcomes_at_its_own_clock()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 0, failureRatio: 0.5, samplingDuration: 10_000, minimumThroughput: 10));
            for (int i = 0; i < 9; i++)
            {
                pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _);
            }

            _time.Advance(Sampling);
            pipeline.OnSuccess(Member, pipeline.Enter(Member));
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _));

            Assert.True(pipeline.IsClosed); // the nine early failures are outside the window
            Assert.Equal((2, 1), pipeline.CircuitBreaker!.Sample(_time.GetUtcNow()));
        }

        [Fact]
        public void A_ratio_alone_gives_the_pipeline_a_breaker_from_the_registry()
        {
            var policy = new SidecarPolicy("orders-circuit", failureThreshold: 0, failureRatio: 0.2, samplingDuration: 2_000, minimumThroughput: 3, halfOpenProbes: 2);

            SidecarPipeline pipeline = Pipeline(policy);

            Assert.True(policy.HasCircuitBreaker);
            Assert.True(_registry.TryGet("orders-circuit", out CircuitBreaker? breaker));
            Assert.Same(breaker, pipeline.CircuitBreaker);
            Assert.Equal(0.2, breaker!.FailureRatio);
            Assert.Equal(TimeSpan.FromSeconds(2), breaker.SamplingDuration);
            Assert.Equal(3, breaker.MinimumThroughput);
            Assert.Equal(2, breaker.HalfOpenProbes);
            Assert.Equal(0, breaker.FailureThreshold);
        }

        private static CircuitBreaker Ratio(double ratio, int minimumThroughput)
            => TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureRatio = ratio, SamplingDuration = Sampling, MinimumThroughput = minimumThroughput, BreakDuration = Break });

        private SidecarPipeline Pipeline(SidecarPolicy policy)
            => new(Service, policy, new SidecarOptions { TimeProvider = _time, CircuitBreakers = _registry, Observer = _observer });
    }
}
