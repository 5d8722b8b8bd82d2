using System;
using Sidecar.Testing;
using Xunit;
using static Sidecar.Runtime.Tests.TimedCalls;

namespace Sidecar.Runtime.Tests
{
    /// <summary>
    /// The edges of the decision code that the broader tests pass over: each test here pins one rule that a mutation of
    /// the code (Stryker.NET, eng/mutation.sh) showed could change unnoticed.
    /// </summary>
    public sealed class DecisionEdgeTests
    {
        private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);
        private static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(60);

        private static CircuitBreaker TwoProbes(out StateLog heard)
        {
            CircuitBreaker breaker = Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = Break, HalfOpenProbes = 2, ProbeTimeout = ProbeLimit });
            heard = new StateLog();
            breaker.Watch(heard);
            breaker.OnFailure(default, T0);
            return breaker;
        }

        [Fact]
        public void A_failure_that_trips_both_the_threshold_and_the_ratio_opens_the_circuit()
        {
            CircuitBreaker breaker = Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 2, FailureRatio = 0.5, MinimumThroughput = 2, BreakDuration = Break });

            Assert.Null(breaker.OnFailure(default, T0));
            Assert.Equal(CircuitState.Open, breaker.OnFailure(default, T0));
        }

        [Fact]
        public void Reset_of_a_closed_circuit_empties_its_failure_ratio_window()
        {
            CircuitBreaker breaker = Breaker("orders", new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 10, BreakDuration = Break });
            breaker.OnFailure(default, T0);
            breaker.OnSuccess(default, T0);
            Assert.Equal((2, 1), breaker.Sample(T0));

            breaker.Reset();

            Assert.Equal((0, 0), breaker.Sample(T0));
        }

        [Fact]
        public void Releasing_a_permit_that_is_not_a_probe_frees_no_probe_slot()
        {
            CircuitBreaker breaker = TwoProbes(out _);
            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit probe, out _, out _));

            breaker.ReleaseProbeSlot(default);

            Assert.Equal(1, breaker.ProbesRunning);
            breaker.OnSuccess(probe);
        }

        [Fact]
        public void A_probe_slot_given_back_twice_is_counted_once()
        {
            CircuitBreaker breaker = TwoProbes(out _);
            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit probe, out _, out _));
            breaker.OnIgnored(probe);

            breaker.ReleaseProbeSlot(probe);

            Assert.Equal(0, breaker.ProbesRunning);
        }

        [Fact]
        public void The_late_end_of_a_probe_after_the_probe_timeout_reopens_the_circuit_and_says_so_at_once()
        {
            CircuitBreaker breaker = TwoProbes(out StateLog heard);
            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit own, out _, out _));
            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit other, out _, out _));
            breaker.OnIgnored(own, attemptEnded: false); // its caller gave up; the dependency goes on
            breaker.OnIgnored(other, attemptEnded: false);
            heard.States.Clear();

            ((SteppingClock)breaker.TimeProvider).MoveTo(T0 + Break + ProbeLimit);
            breaker.ReleaseProbeSlot(other); // the first word from the circuit's probes since their time ran out

            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(new[] { CircuitState.Open }, heard.States);
        }

        [Fact]
        public void Asking_whether_a_call_would_be_refused_after_the_probe_timeout_reopens_the_circuit_and_says_so_at_once()
        {
            CircuitBreaker breaker = TwoProbes(out StateLog heard);
            Assert.True(breaker.TryEnter(T0 + Break, out _, out _, out _)); // a probe that hangs
            heard.States.Clear();

            Assert.True(breaker.WouldRefuse(T0 + Break + ProbeLimit, out DateTimeOffset retryAt));

            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(new[] { CircuitState.Open }, heard.States);
            Assert.Equal(T0 + Break + ProbeLimit + Break, retryAt);
        }

        [Fact]
        public void A_probe_of_this_episode_still_out_at_the_probe_timeout_reopens_the_circuit_after_an_old_slot_was_given_back()
        {
            CircuitBreaker breaker = TwoProbes(out _);

            // Episode 1: a probe fails and its attempt goes on running, keeping its slot.
            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit old, out _, out _));
            Assert.Equal(CircuitState.Open, breaker.OnFailure(old, attemptEnded: false));

            // Episode 2: half-open again, a probe of its own goes in; then the old attempt ends.
            Assert.True(breaker.TryEnter(T0 + Break + Break, out _, out _, out _));
            breaker.ReleaseProbeSlot(old);
            Assert.Equal(1, breaker.ProbesRunning);

            // The probe timeout passes with this episode's own probe still out.
            Assert.False(breaker.TryEnter(T0 + Break + ProbeLimit, out _, out _, out CircuitState? transition));
            Assert.Equal(CircuitState.Open, transition);
        }

        [Fact]
        public void When_only_an_earlier_episodes_slot_is_overdue_the_half_open_circuit_stays_half_open_and_admits()
        {
            CircuitBreaker breaker = TwoProbes(out _);

            // Episode 1: a probe fails while its attempt goes on running.
            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit old, out _, out _));
            Assert.Equal(CircuitState.Open, breaker.OnFailure(old, attemptEnded: false));

            // Episode 2: a probe of its own succeeds (one of two needed).
            Assert.True(breaker.TryEnter(T0 + Break + Break, out CircuitPermit own, out _, out _));
            Assert.Null(breaker.OnSuccess(own));

            // The old probe's slot becomes overdue: it is given up, but this episode had nothing out, so no reopening.
            Assert.True(breaker.TryEnter(T0 + Break + ProbeLimit, out CircuitPermit next, out _, out CircuitState? transition));
            Assert.Null(transition);
            Assert.Equal(CircuitState.HalfOpen, breaker.State);
            Assert.Equal(CircuitState.Closed, breaker.OnSuccess(next));
        }

        [Fact]
        public void Settings_out_of_range_are_refused_with_a_message_that_says_why()
        {
            Assert.Contains("FailureRatio between 0 and 1", Assert.Throws<ArgumentOutOfRangeException>(() => Breaker("x", new CircuitBreakerOptions { FailureThreshold = 1, FailureRatio = 2 })).Message);
            Assert.Contains("needs a FailureThreshold of at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => Breaker("x", new CircuitBreakerOptions())).Message);
            Assert.Contains("at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => Breaker("x", new CircuitBreakerOptions { FailureThreshold = 1, HalfOpenProbes = 0 })).Message);
            Assert.Contains("positive", Assert.Throws<ArgumentOutOfRangeException>(() => Breaker("x", new CircuitBreakerOptions { FailureThreshold = 1, ProbeTimeout = TimeSpan.Zero })).Message);
            Assert.Contains("zero or positive", Assert.Throws<ArgumentOutOfRangeException>(() => Breaker("x", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromTicks(-1) })).Message);
            Assert.Contains("room for at least one call", Assert.Throws<ArgumentOutOfRangeException>(() => new Bulkhead("x", 0)).Message);
            Assert.Contains("released more often than entered", Assert.Throws<InvalidOperationException>(() => new Bulkhead("pool", 1).Release()).Message);
            Assert.Contains("'pool'", Assert.Throws<InvalidOperationException>(() => new Bulkhead("pool", 1).Release()).Message);
            Assert.Contains("ratio above 0", Assert.Throws<ArgumentOutOfRangeException>(() => Budget("x", 0, 1, TimeSpan.FromSeconds(1))).Message);
            Assert.Contains("zero or positive", Assert.Throws<ArgumentOutOfRangeException>(() => Budget("x", 0.1, -1, TimeSpan.FromSeconds(1))).Message);
            Assert.Contains("positive", Assert.Throws<ArgumentOutOfRangeException>(() => Budget("x", 0.1, 1, TimeSpan.Zero)).Message);
            Assert.Contains("numbered from 1", Assert.Throws<ArgumentOutOfRangeException>(() => BackoffSchedule.DelayFor(Backoff.Linear, TimeSpan.FromSeconds(1), 0, TimeSpan.Zero)).Message);
        }

        [Fact]
        public void An_uncapped_backoff_saturates_instead_of_wrapping_round()
        {
            Assert.Equal(TimeSpan.MaxValue, BackoffSchedule.DelayFor(Backoff.Exponential, TimeSpan.FromDays(1), 1_000, TimeSpan.Zero));
            Assert.Equal(TimeSpan.MaxValue, BackoffSchedule.DecorrelatedJitter(TimeSpan.FromDays(1), TimeSpan.MaxValue, TimeSpan.Zero, 1));
        }

        [Fact]
        public void A_dependency_asking_for_exactly_the_longest_wait_allowed_is_retried_after_it()
        {
            var policy = new SidecarPolicy("orders", retries: 3, delay: 100, maxDelay: 2_000);

            Assert.Equal(TimeSpan.FromSeconds(2), RetryDecision.Delay(policy, 0, TimeSpan.Zero, TimeSpan.FromSeconds(2), 0));
            Assert.Null(RetryDecision.Delay(policy, 0, TimeSpan.Zero, TimeSpan.FromSeconds(2) + TimeSpan.FromTicks(1), 0));
        }

        [Fact]
        public void The_monotonic_clock_never_reads_before_its_start_and_labels_saturate()
        {
            var backwards = new BackwardsClock();
            var clock = new MonotonicClock(backwards);
            backwards.Timestamp -= 1_000;
            Assert.Equal(0, clock.Now().Ticks);

            DateTimeOffset now = backwards.GetUtcNow();
            Assert.Equal(now, clock.WallClockIn(TimeSpan.FromSeconds(-1)));
            Assert.Equal(DateTimeOffset.MaxValue, clock.WallClockIn(TimeSpan.MaxValue));
            Assert.Equal(TimeSpan.Zero, new MonotonicInstant(5).Since(new MonotonicInstant(9)));
            Assert.Equal(TimeSpan.FromTicks(4), new MonotonicInstant(9).Since(new MonotonicInstant(5)));
        }

        private sealed class BackwardsClock : TimeProvider
        {
            public long Timestamp { get; set; } = 1_000_000;

            public override long GetTimestamp() => Timestamp;

            public override long TimestampFrequency => TimeSpan.TicksPerSecond;

            public override DateTimeOffset GetUtcNow() => new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        }

    }
}
