using System;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>SlowCallDuration and SlowCallRatio: a circuit opens when too many attempts are slow, even if they succeed.</summary>
    public sealed class SlowCallTests
    {
        private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero));

        private CircuitBreaker Breaker(double ratio = 0.5, int throughput = 4) => new("orders", new CircuitBreakerOptions
        {
            SlowCallDuration = TimeSpan.FromMilliseconds(500),
            SlowCallRatio = ratio,
            MinimumThroughput = throughput,
            SamplingDuration = TimeSpan.FromSeconds(10),
            BreakDuration = TimeSpan.FromSeconds(5),
        }, _time);

        /// <summary>One attempt that takes <paramref name="ms"/> and succeeds; returns the state it left.</summary>
        private CircuitState Succeed(CircuitBreaker breaker, int ms)
        {
            Assert.True(breaker.TryEnter(out CircuitPermit permit, out _));
            _time.Advance(TimeSpan.FromMilliseconds(ms));
            breaker.OnSuccess(permit);
            return breaker.State;
        }

        [Fact]
        public void Successful_but_slow_attempts_open_the_circuit_once_the_window_holds_enough()
        {
            CircuitBreaker breaker = Breaker();

            Assert.Equal(CircuitState.Closed, Succeed(breaker, 500)); // slow: 1 of 1, below the throughput
            Assert.Equal(CircuitState.Closed, Succeed(breaker, 10));
            Assert.Equal(CircuitState.Closed, Succeed(breaker, 499)); // just under: not slow
            Assert.Equal((3, 0, 1), breaker.SampleWithSlowCalls());

            Assert.Equal(CircuitState.Open, Succeed(breaker, 800)); // 2 of 4 slow: the ratio of 0.5 is reached
            Assert.False(breaker.TryEnter(out _, out TimeSpan retryAfter));
            Assert.Equal(TimeSpan.FromSeconds(5), retryAfter);
        }

        [Fact]
        public void Fast_successes_keep_the_ratio_down_and_failures_count_as_slow_too()
        {
            CircuitBreaker breaker = Breaker(ratio: 0.75);
            Assert.Equal(CircuitState.Closed, Succeed(breaker, 600));
            Assert.Equal(CircuitState.Closed, Succeed(breaker, 600));
            Assert.Equal(CircuitState.Closed, Succeed(breaker, 1));
            Assert.Equal(CircuitState.Closed, Succeed(breaker, 1)); // 2 of 4 slow: below 0.75

            Assert.True(breaker.TryEnter(out CircuitPermit permit, out _));
            _time.Advance(TimeSpan.FromSeconds(2));
            breaker.OnFailure(permit); // slow and failed: 3 of 5 slow, still below 0.75
            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.Equal((5, 1, 3), breaker.SampleWithSlowCalls());

            Assert.Equal(CircuitState.Closed, Succeed(breaker, 700)); // 4 of 6
            Assert.Equal(CircuitState.Closed, Succeed(breaker, 700)); // 5 of 7
            Assert.Equal(CircuitState.Open, Succeed(breaker, 700)); // 6 of 8 = 0.75
        }

        [Fact]
        public void Slow_attempts_age_out_of_the_window()
        {
            CircuitBreaker breaker = Breaker(ratio: 1, throughput: 2);
            Assert.Equal(CircuitState.Closed, Succeed(breaker, 600));
            _time.Advance(TimeSpan.FromSeconds(11)); // the slow one leaves the 10 s window
            Assert.Equal(CircuitState.Closed, Succeed(breaker, 600)); // 1 of 1 slow, below the throughput of 2
            Assert.Equal(CircuitState.Open, Succeed(breaker, 600)); // 2 of 2
        }

        [Fact]
        public void A_pipeline_times_its_attempts_only_when_the_breaker_watches_slow_calls()
        {
            var registry = new CircuitBreakerRegistry();
            var pipeline = new SidecarPipeline("orders", new SidecarPolicy("orders", slowCallDuration: 100, slowCallRatio: 1, minimumThroughput: 1), new SidecarOptions { TimeProvider = _time, CircuitBreakers = registry });
            Assert.True(pipeline.Policy.HasCircuitBreaker); // slow calls alone make a breaker

            CircuitPermit permit = pipeline.Start();
            Assert.False(permit.IsBlocked);
            _time.Advance(TimeSpan.FromMilliseconds(150));
            pipeline.OnSuccess("GetAsync", permit);
            Assert.Equal(CircuitState.Open, pipeline.CircuitBreaker!.State);

            Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker("x", new CircuitBreakerOptions { SlowCallDuration = TimeSpan.FromSeconds(1), SlowCallRatio = 0 }, _time));
        }
    }
}
