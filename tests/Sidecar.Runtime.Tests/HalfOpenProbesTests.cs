using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class HalfOpenProbesTests
    {
        private const string Service = "IOrderService";
        private const string Member = "GetAsync";
        private static readonly DateTimeOffset T0 = TimedCalls.T0;
        private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);
        private static readonly DateTimeOffset Later = T0 + Break;

        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _registry = new();
        private readonly RecordingObserver _observer = new();

        [Fact]
        public void With_three_probes_a_half_open_circuit_admits_exactly_three()
        {
            CircuitBreaker breaker = Opened(probes: 3);

            Assert.True(breaker.TryEnter(Later, out CircuitPermit first, out _, out CircuitState? transition));
            Assert.Equal(CircuitState.HalfOpen, transition);
            Assert.False(breaker.WouldRefuse(Later, out _));
            Assert.True(breaker.TryEnter(Later, out CircuitPermit second, out _, out CircuitState? secondTransition));
            Assert.Null(secondTransition);
            Assert.True(breaker.TryEnter(Later, out CircuitPermit third, out _, out _));
            Assert.True(first.IsProbe && second.IsProbe && third.IsProbe);
            Assert.Equal(3, breaker.ProbesRunning);

            Assert.True(breaker.WouldRefuse(Later, out DateTimeOffset wouldRetryAt));
            Assert.Equal(Later, wouldRetryAt);
            Assert.False(breaker.TryEnter(Later, out CircuitPermit fourth, out DateTimeOffset retryAt, out CircuitState? fourthTransition));
            Assert.False(fourth.IsProbe);
            Assert.Null(fourthTransition);
            Assert.Equal(Later, retryAt);
            Assert.Equal(3, breaker.ProbesRunning);
            Assert.Equal(CircuitState.HalfOpen, breaker.State);
        }

        [Fact]
        public void The_circuit_closes_only_when_every_probe_succeeded()
        {
            CircuitBreaker breaker = Opened(probes: 3);
            CircuitPermit[] probes = Probes(breaker, 3);

            Assert.Null(breaker.OnSuccess(probes[0], Later));
            Assert.Equal(CircuitState.HalfOpen, breaker.State);
            Assert.Null(breaker.OnSuccess(probes[1], Later));
            Assert.Equal(CircuitState.HalfOpen, breaker.State);
            Assert.Equal(1, breaker.ProbesRunning);

            Assert.Equal(CircuitState.Closed, breaker.OnSuccess(probes[2], Later));
            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.Equal(0, breaker.ProbesRunning);
            Assert.True(breaker.TryEnter(Later, out CircuitPermit next, out _, out _));
            Assert.False(next.IsProbe);
        }

        [Fact]
        public void A_probe_that_succeeded_keeps_its_slot_until_the_episode_ends()
        {
            CircuitBreaker breaker = Opened(probes: 3);
            CircuitPermit[] probes = Probes(breaker, 3);

            breaker.OnSuccess(probes[0], Later);

            Assert.Equal(2, breaker.ProbesRunning);
            Assert.True(breaker.WouldRefuse(Later, out _));
            Assert.False(breaker.TryEnter(Later, out _, out _, out _));
        }

        [Fact]
        public void The_first_failed_probe_opens_the_circuit_and_the_others_count_for_nothing()
        {
            CircuitBreaker breaker = Opened(probes: 3);
            CircuitPermit[] probes = Probes(breaker, 3);
            DateTimeOffset failedAt = Later.AddSeconds(1);

            Assert.Null(breaker.OnSuccess(probes[0], Later));
            Assert.Equal(CircuitState.Open, breaker.OnFailure(probes[1], failedAt));

            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(failedAt + Break, breaker.OpenUntil);
            Assert.Equal(1, breaker.ProbesRunning); // the third probe is still inside the dependency: its slot stays taken
            Assert.Null(breaker.OnSuccess(probes[2], failedAt)); // late: does not close
            Assert.Equal(0, breaker.ProbesRunning);
            Assert.Null(breaker.OnFailure(probes[2], failedAt)); // nor extend the break
            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(failedAt + Break, breaker.OpenUntil);
        }

        [Fact]
        public void OnIgnored_frees_a_probe_slot_for_another_probe()
        {
            CircuitBreaker breaker = Opened(probes: 3);
            CircuitPermit[] probes = Probes(breaker, 3);

            breaker.OnIgnored(probes[0]);

            Assert.Equal(2, breaker.ProbesRunning);
            Assert.False(breaker.WouldRefuse(Later, out _));
            Assert.True(breaker.TryEnter(Later, out CircuitPermit replacement, out _, out CircuitState? transition));
            Assert.True(replacement.IsProbe);
            Assert.Null(transition);
            Assert.False(breaker.TryEnter(Later, out _, out _, out _));

            // The ignored probe does not count towards closing: the three others must succeed.
            Assert.Null(breaker.OnSuccess(probes[1], Later));
            Assert.Null(breaker.OnSuccess(probes[2], Later));
            Assert.Equal(CircuitState.HalfOpen, breaker.State);
            Assert.Equal(CircuitState.Closed, breaker.OnSuccess(replacement, Later));
        }

        [Fact]
        public void A_probe_permit_from_before_a_reset_changes_neither_the_state_nor_the_counters()
        {
            CircuitBreaker breaker = Opened(probes: 3, threshold: 2);
            CircuitPermit[] stale = Probes(breaker, 3);

            breaker.Reset();

            Assert.Null(breaker.OnFailure(stale[0], Later));
            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.Equal(0, breaker.ConsecutiveFailures); // not even an ordinary failure
            Assert.Null(breaker.OnSuccess(stale[1], Later));
            breaker.OnIgnored(stale[2]);
            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.Equal(0, breaker.ProbesRunning);
        }

        [Fact]
        public void A_probe_permit_from_an_earlier_half_open_episode_does_not_count_in_the_next_one()
        {
            CircuitBreaker breaker = Opened(probes: 3, threshold: 1);
            CircuitPermit[] stale = Probes(breaker, 3);
            breaker.Reset();
            breaker.OnFailure(default, Later);           // opens again
            DateTimeOffset reopened = Later + Break;
            CircuitPermit[] current = Probes(breaker, 3, reopened);

            Assert.Null(breaker.OnSuccess(stale[0], reopened));
            Assert.Null(breaker.OnSuccess(stale[1], reopened));
            Assert.Null(breaker.OnSuccess(stale[2], reopened)); // three stale successes do not close it
            Assert.Equal(CircuitState.HalfOpen, breaker.State);
            Assert.Equal(3, breaker.ProbesRunning);

            breaker.OnIgnored(stale[0]);                   // frees nothing
            Assert.Equal(3, breaker.ProbesRunning);
            Assert.False(breaker.TryEnter(reopened, out _, out _, out _));

            Assert.Null(breaker.OnFailure(stale[1], reopened)); // does not open it
            Assert.Equal(CircuitState.HalfOpen, breaker.State);

            breaker.OnSuccess(current[0], reopened);
            breaker.OnSuccess(current[1], reopened);
            Assert.Equal(CircuitState.Closed, breaker.OnSuccess(current[2], reopened));
        }

        [Fact]
        public void A_probe_permit_from_before_Isolate_counts_for_nothing()
        {
            CircuitBreaker breaker = Opened(probes: 2);
            CircuitPermit[] stale = Probes(breaker, 2);
            DateTimeOffset isolatedAt = Later.AddSeconds(1);

            breaker.Isolate(isolatedAt, Break);

            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(isolatedAt + Break, breaker.OpenUntil);
            Assert.Equal(2, breaker.ProbesRunning); // still inside the dependency: the slots are given back when they end
            Assert.Null(breaker.OnSuccess(stale[0], isolatedAt));
            Assert.Null(breaker.OnSuccess(stale[1], isolatedAt));
            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(0, breaker.ProbesRunning);
        }

        [Fact]
        public void Isolate_without_a_duration_holds_the_circuit_open_until_reset()
        {
            var breaker = TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 10, BreakDuration = Break });

            breaker.Isolate(T0);

            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(DateTimeOffset.MaxValue, breaker.OpenUntil);
            Assert.False(breaker.TryEnter(T0.AddYears(100), out _, out DateTimeOffset retryAt, out _));
            Assert.Contains("isolated by hand", new BrokenCircuitException("orders", retryAt, retryAt - T0).Message);

            breaker.Reset();
            Assert.True(breaker.IsClosed);
        }

        [Fact]
        public void Isolate_for_a_duration_opens_a_closed_circuit_for_that_break()
        {
            var breaker = TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 10, BreakDuration = Break });

            breaker.Isolate(T0, Break);

            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(T0 + Break, breaker.OpenUntil);
            Assert.True(breaker.WouldRefuse(T0, out DateTimeOffset retryAt));
            Assert.Equal(T0 + Break, retryAt);
            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit probe, out _, out _));
            Assert.True(probe.IsProbe);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(5)]
        public void Threads_racing_into_a_half_open_circuit_get_exactly_the_probes_it_allows(int probes)
        {
            const int threads = 8;
            const int rounds = 200;
            var breaker = TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = Break, HalfOpenProbes = probes });
            int[] admitted = new int[rounds];
            int[] transitions = new int[rounds];

            Contention.Rounds(
                threads,
                rounds,
                round =>
                {
                    breaker.Reset(); // the last round's probes never reported: give up their slots
                    breaker.Isolate(RoundStart(round), Break);
                },
                (round, thread) =>
                {
                    if (breaker.TryEnter(RoundStart(round) + Break, out CircuitPermit permit, out _, out CircuitState? transition))
                    {
                        Assert.True(permit.IsProbe);
                        Interlocked.Increment(ref admitted[round]);
                    }

                    if (transition == CircuitState.HalfOpen)
                    {
                        Interlocked.Increment(ref transitions[round]);
                    }
                });

            Assert.All(admitted, count => Assert.Equal(probes, count));
            Assert.All(transitions, count => Assert.Equal(1, count));

            static DateTimeOffset RoundStart(int round) => T0 + TimeSpan.FromTicks(Break.Ticks * 2 * round);
        }

        [Fact]
        public void Threads_racing_probes_that_finish_close_the_circuit_once_per_round()
        {
            const int threads = 8;
            const int rounds = 200;
            const int probes = 3;
            var breaker = TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = Break, HalfOpenProbes = probes });
            int[] closed = new int[rounds];
            int[] admitted = new int[rounds];

            Contention.Rounds(
                threads,
                rounds,
                round =>
                {
                    breaker.Reset(); // the last round's probes never reported: give up their slots
                    breaker.Isolate(RoundStart(round), Break);
                },
                (round, id) =>
                {
                    DateTimeOffset now = RoundStart(round) + Break;
                    if (!breaker.TryEnter(now, out CircuitPermit permit, out _, out _))
                    {
                        return;
                    }

                    Interlocked.Increment(ref admitted[round]);
                    if (breaker.OnSuccess(permit, now) == CircuitState.Closed)
                    {
                        Interlocked.Increment(ref closed[round]);
                    }
                });

            // A probe may finish before another thread tries, so more than three may be admitted... but only while
            // half-open: once three succeeded the circuit is closed and admits ordinary calls.
            Assert.All(closed, count => Assert.Equal(1, count));
            Assert.All(admitted, count => Assert.InRange(count, probes, threads));
            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.Equal(0, breaker.ProbesRunning);

            static DateTimeOffset RoundStart(int round) => T0 + TimeSpan.FromTicks(Break.Ticks * 2 * round);
        }

        [Fact]
        public void The_pipeline_refuses_the_probe_after_the_last_slot_with_a_probe_in_flight_refusal()
        {
            SidecarPipeline pipeline = OpenedPipeline(probes: 3);
            _time.Advance(Break);

            CircuitPermit[] permits = { pipeline.Enter(Member), pipeline.Enter(Member), pipeline.Enter(Member) };
            Assert.All(permits, p => Assert.True(p.IsProbe));

            Assert.True(Assert.IsType<BrokenCircuitException>(pipeline.Refusal(Member)).ProbeInFlight);
            Assert.True(Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member)).ProbeInFlight);
            Assert.Equal(3, pipeline.CircuitBreaker!.ProbesRunning);
        }

        [Fact]
        public void The_observer_sees_closed_open_half_open_closed_once_each_per_cycle()
        {
            SidecarPipeline pipeline = OpenedPipeline(probes: 3);
            for (int cycle = 0; cycle < 3; cycle++)
            {
                if (cycle > 0)
                {
                    Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _));
                }

                _time.Advance(Break);
                CircuitPermit[] permits = { pipeline.Enter(Member), pipeline.Enter(Member), pipeline.Enter(Member) };
                foreach (CircuitPermit permit in permits)
                {
                    pipeline.OnSuccess(Member, permit);
                }

                Assert.True(pipeline.IsClosed);
            }

            Assert.Equal(
                Enumerable.Repeat(new[] { CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed }, 3).SelectMany(s => s),
                _observer.Transitions.Select(t => t.State));
            Assert.All(_observer.Transitions, t => Assert.Equal(Service, t.Circuit));
        }

        [Fact]
        public void The_observer_sees_a_failed_probe_reopen_the_circuit_once()
        {
            SidecarPipeline pipeline = OpenedPipeline(probes: 3);
            _time.Advance(Break);
            CircuitPermit first = pipeline.Enter(Member);
            CircuitPermit second = pipeline.Enter(Member);
            CircuitPermit third = pipeline.Enter(Member);

            pipeline.OnSuccess(Member, first);
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 0, second, CancellationToken.None, out _));
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 0, third, CancellationToken.None, out _)); // stale: nothing

            Assert.Equal(new[] { CircuitState.Open, CircuitState.HalfOpen, CircuitState.Open }, _observer.Transitions.Select(t => t.State));
            Assert.Equal(_time.GetUtcNow() + Break, pipeline.CircuitBreaker!.OpenUntil);
        }

        [Fact]
        public void Threads_racing_through_the_pipeline_never_double_or_skip_a_transition()
        {
            const int threads = 8;
            const int rounds = 200;
            const int probes = 3;
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 0, failureThreshold: 1, breakDuration: (int)Break.TotalMilliseconds, halfOpenProbes: probes));
            int[] refused = new int[rounds];
            int[] admitted = new int[rounds];

            Contention.Rounds(
                threads,
                rounds,
                round =>
                {
                    // Alone: one failure opens the closed circuit, then its break passes.
                    pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _);
                    _time.Advance(Break);
                },
                (round, thread) =>
                {
                    CircuitPermit permit;
                    try
                    {
                        permit = pipeline.Enter(Member);
                    }
                    catch (BrokenCircuitException)
                    {
                        Interlocked.Increment(ref refused[round]);
                        return;
                    }

                    Interlocked.Increment(ref admitted[round]);
                    pipeline.OnSuccess(Member, permit);
                });

            var expected = new List<CircuitState>();
            for (int i = 0; i < rounds; i++)
            {
                expected.AddRange(new[] { CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed });
            }

            Assert.Equal(expected, _observer.Transitions.Select(t => t.State));
            Assert.All(Enumerable.Range(0, rounds), r => Assert.Equal(threads, admitted[r] + refused[r]));
            Assert.All(admitted, count => Assert.InRange(count, probes, threads));
            Assert.Equal(refused.Sum(), _observer.Rejections.Count);
            Assert.True(pipeline.IsClosed);
        }

        private static CircuitBreaker Opened(int probes, int threshold = 1)
        {
            var breaker = TimedCalls.Breaker("orders", new CircuitBreakerOptions { FailureThreshold = threshold, BreakDuration = Break, HalfOpenProbes = probes });
            for (int i = 0; i < threshold; i++)
            {
                breaker.OnFailure(default, T0);
            }

            Assert.Equal(CircuitState.Open, breaker.State);
            return breaker;
        }

        private static CircuitPermit[] Probes(CircuitBreaker breaker, int count) => Probes(breaker, count, Later);

        private static CircuitPermit[] Probes(CircuitBreaker breaker, int count, DateTimeOffset now)
        {
            var permits = new CircuitPermit[count];
            for (int i = 0; i < count; i++)
            {
                Assert.True(breaker.TryEnter(now, out permits[i], out _, out _));
                Assert.True(permits[i].IsProbe);
            }

            return permits;
        }

        private SidecarPipeline Pipeline(SidecarPolicy policy)
            => new(Service, policy, new SidecarOptions { TimeProvider = _time, CircuitBreakers = _registry, Observer = _observer });

        /// <summary>A pipeline whose circuit (threshold 1, 5 s break, <paramref name="probes"/> probes) just opened.</summary>
        private SidecarPipeline OpenedPipeline(int probes)
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, failureThreshold: 1, breakDuration: (int)Break.TotalMilliseconds, halfOpenProbes: probes));
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member), CancellationToken.None, out _));
            Assert.Equal(CircuitState.Open, pipeline.CircuitBreaker!.State);
            return pipeline;
        }
    }
}
