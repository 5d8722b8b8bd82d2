using System;
using Xunit;
using static Sidecar.Runtime.Tests.TimedCalls;

namespace Sidecar.Runtime.Tests
{
    /// <summary>A half-open circuit never waits for its probes longer than <see cref="CircuitBreaker.ProbeTimeout"/>.</summary>
    public sealed class ProbeTimeoutTests
    {
        private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);
        private static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(60);

        private static CircuitBreaker Opened(int probes = 1)
        {
            CircuitBreaker breaker = Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = Break, HalfOpenProbes = probes, ProbeTimeout = ProbeLimit });
            breaker.OnFailure(default, T0);
            return breaker;
        }

        [Fact]
        public void The_probe_timeout_defaults_to_sixty_seconds()
            => Assert.Equal(TimeSpan.FromSeconds(60), new CircuitBreakerOptions().ProbeTimeout);

        [Fact]
        public void A_probe_that_answers_after_its_timeout_counts_as_failed_even_with_no_call_in_between()
        {
            CircuitBreaker breaker = Opened();
            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit probe, out _, out _));

            Assert.Null(breaker.OnSuccess(probe, T0 + Break + ProbeLimit + TimeSpan.FromSeconds(30)));

            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(0, breaker.ProbesRunning);
        }

        [Fact]
        public void A_probe_that_answers_just_within_its_timeout_closes_the_circuit()
        {
            CircuitBreaker breaker = Opened();
            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit probe, out _, out _));

            Assert.Equal(CircuitState.Closed, breaker.OnSuccess(probe, T0 + Break + ProbeLimit - TimeSpan.FromTicks(1)));
        }

        [Fact]
        public void Slots_still_held_from_an_earlier_episode_keep_the_circuit_open_rather_than_half_open_with_no_room()
        {
            CircuitBreaker breaker = Opened();

            // A probe whose attempt does not end (it timed out, but the dependency goes on): the circuit opens again, and the
            // probe's slot stays taken.
            DateTimeOffset third = T0 + Break;
            Assert.True(breaker.TryEnter(third, out CircuitPermit stuck, out _, out _));
            Assert.Equal(CircuitState.Open, breaker.OnFailure(stuck, attemptEnded: false));
            Assert.Equal(1, breaker.ProbesRunning);

            // After the break the old probe still holds the only slot: stay open, and say until when.
            Assert.False(breaker.TryEnter(third + Break, out _, out DateTimeOffset retryAt, out CircuitState? transition));
            Assert.Null(transition);
            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(third + ProbeLimit, retryAt);

            // At its probe timeout the old slot is given up, and a new probe goes in.
            Assert.True(breaker.TryEnter(third + ProbeLimit, out CircuitPermit fresh, out _, out CircuitState? halfOpened));
            Assert.Equal(CircuitState.HalfOpen, halfOpened);
            Assert.True(fresh.IsProbe);
            Assert.Equal(CircuitState.Closed, breaker.OnSuccess(fresh));
        }
    }
}
