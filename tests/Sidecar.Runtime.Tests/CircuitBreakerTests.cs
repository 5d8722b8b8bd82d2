using System;
using System.Threading;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class CircuitBreakerTests
    {
        private static readonly DateTimeOffset T0 = TimedCalls.T0;
        private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);

        [Fact]
        public void A_new_breaker_is_closed()
        {
            var breaker = TimedCalls.Breaker("orders", 3, Break);

            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.True(breaker.IsClosed);
            Assert.Equal(0, breaker.ConsecutiveFailures);
            Assert.Null(breaker.OpenUntil);
            Assert.True(breaker.TryEnter(T0, out CircuitPermit permit, out _, out CircuitState? transition));
            Assert.False(permit.IsProbe);
            Assert.Null(transition);
        }

        [Fact]
        public void The_constructor_rejects_bad_settings()
        {
            Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Breaker("x", 0, Break)).ParamName);
            Assert.Equal("BreakDuration", Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Breaker("x", 1, TimeSpan.FromTicks(-1))).ParamName);
            Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => TimedCalls.Breaker(null!, 1, Break)).ParamName);
        }

        [Fact]
        public void Opens_after_threshold_consecutive_failures()
        {
            var breaker = TimedCalls.Breaker("orders", 3, Break);

            Assert.Null(breaker.OnFailure(default, T0));
            Assert.Null(breaker.OnFailure(default, T0));
            Assert.Equal(2, breaker.ConsecutiveFailures);
            Assert.True(breaker.IsClosed);

            Assert.Equal(CircuitState.Open, breaker.OnFailure(default, T0.AddSeconds(1)));
            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.False(breaker.IsClosed);
            Assert.Equal(T0.AddSeconds(1) + Break, breaker.OpenUntil);
        }

        [Fact]
        public void A_success_resets_the_failure_count()
        {
            var breaker = TimedCalls.Breaker("orders", 3, Break);
            breaker.OnFailure(default, T0);
            breaker.OnFailure(default, T0);

            Assert.Null(breaker.OnSuccess(default));
            Assert.Equal(0, breaker.ConsecutiveFailures);

            breaker.OnFailure(default, T0);
            breaker.OnFailure(default, T0);
            Assert.Equal(CircuitState.Closed, breaker.State);
        }

        [Fact]
        public void An_open_circuit_refuses_until_the_break_is_over()
        {
            var breaker = Opened(threshold: 1);

            bool entered = breaker.TryEnter(T0 + Break - TimeSpan.FromTicks(1), out CircuitPermit permit, out DateTimeOffset retryAt, out CircuitState? transition);

            Assert.False(entered);
            Assert.Equal(T0 + Break, retryAt);
            Assert.False(permit.IsProbe);
            Assert.Null(transition);
            Assert.Equal(CircuitState.Open, breaker.State);
        }

        [Fact]
        public void After_the_break_exactly_one_probe_is_let_through()
        {
            var breaker = Opened(threshold: 1);
            DateTimeOffset later = T0 + Break;

            Assert.True(breaker.TryEnter(later, out CircuitPermit probe, out _, out CircuitState? transition));
            Assert.True(probe.IsProbe);
            Assert.Equal(CircuitState.HalfOpen, transition);
            Assert.Equal(CircuitState.HalfOpen, breaker.State);
            Assert.Null(breaker.OpenUntil);

            Assert.False(breaker.TryEnter(later.AddSeconds(1), out CircuitPermit second, out DateTimeOffset retryAt, out CircuitState? secondTransition));
            Assert.False(second.IsProbe);
            Assert.Null(secondTransition);
            Assert.Equal(later.AddSeconds(1), retryAt);
        }

        [Fact]
        public void A_successful_probe_closes_the_circuit()
        {
            var breaker = Opened(threshold: 1);
            breaker.TryEnter(T0 + Break, out CircuitPermit probe, out _, out _);

            Assert.Equal(CircuitState.Closed, breaker.OnSuccess(probe));
            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.True(breaker.TryEnter(T0 + Break, out CircuitPermit next, out _, out _));
            Assert.False(next.IsProbe);
        }

        [Fact]
        public void A_failed_probe_opens_the_circuit_for_a_new_break()
        {
            var breaker = Opened(threshold: 3);
            DateTimeOffset probeTime = T0 + Break;
            breaker.TryEnter(probeTime, out CircuitPermit probe, out _, out _);
            DateTimeOffset failedAt = probeTime.AddSeconds(2);

            Assert.Equal(CircuitState.Open, breaker.OnFailure(probe, failedAt));
            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(failedAt + Break, breaker.OpenUntil);
            Assert.False(breaker.TryEnter(failedAt + Break - TimeSpan.FromTicks(1), out _, out DateTimeOffset retryAt, out _));
            Assert.Equal(failedAt + Break, retryAt);
            Assert.True(breaker.TryEnter(failedAt + Break, out CircuitPermit nextProbe, out _, out _));
            Assert.True(nextProbe.IsProbe);
        }

        [Fact]
        public void OnIgnored_gives_the_probe_slot_back()
        {
            var breaker = Opened(threshold: 1);
            DateTimeOffset later = T0 + Break;
            breaker.TryEnter(later, out CircuitPermit probe, out _, out _);

            breaker.OnIgnored(probe);

            Assert.Equal(CircuitState.HalfOpen, breaker.State);
            Assert.True(breaker.TryEnter(later, out CircuitPermit again, out _, out CircuitState? transition));
            Assert.True(again.IsProbe);
            Assert.Null(transition); // already half-open
        }

        [Fact]
        public void OnIgnored_without_the_probe_changes_nothing()
        {
            var breaker = Opened(threshold: 1);
            breaker.TryEnter(T0 + Break, out CircuitPermit probe, out _, out _);

            breaker.OnIgnored(default);

            Assert.False(breaker.TryEnter(T0 + Break, out _, out _, out _));
            Assert.True(probe.IsProbe);
        }

        [Fact]
        public void A_late_success_of_an_ordinary_call_does_not_close_a_half_open_circuit()
        {
            var breaker = Opened(threshold: 1);
            breaker.TryEnter(T0 + Break, out CircuitPermit probe, out _, out _);

            Assert.Null(breaker.OnSuccess(default));

            Assert.Equal(CircuitState.HalfOpen, breaker.State);
            Assert.Equal(CircuitState.Closed, breaker.OnSuccess(probe));
        }

        [Fact]
        public void A_late_failure_of_a_call_admitted_before_the_circuit_opened_does_not_extend_the_break()
        {
            var breaker = Opened(threshold: 1);

            Assert.Null(breaker.OnFailure(default, T0.AddSeconds(3)));

            Assert.Equal(T0 + Break, breaker.OpenUntil);
        }

        [Fact]
        public void Reset_closes_the_circuit_and_forgets_failures()
        {
            var breaker = Opened(threshold: 1);

            breaker.Reset();

            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.Equal(0, breaker.ConsecutiveFailures);
            Assert.Null(breaker.OpenUntil);
            Assert.True(breaker.TryEnter(T0, out CircuitPermit permit, out _, out _));
            Assert.False(permit.IsProbe);
        }

        [Fact]
        public void Reset_also_forgets_failures_that_did_not_open_the_circuit()
        {
            var breaker = TimedCalls.Breaker("orders", 2, Break);
            breaker.OnFailure(default, T0);

            breaker.Reset();

            Assert.Equal(0, breaker.ConsecutiveFailures);
            Assert.Null(breaker.OnFailure(default, T0));
        }

        [Fact]
        public void A_zero_break_lets_the_probe_through_at_once()
        {
            var breaker = TimedCalls.Breaker("orders", 1, TimeSpan.Zero);
            breaker.OnFailure(default, T0);

            Assert.True(breaker.TryEnter(T0, out CircuitPermit probe, out _, out _));
            Assert.True(probe.IsProbe);
        }

        [Fact]
        public void Racing_threads_on_a_half_open_circuit_admit_exactly_one_probe()
        {
            const int Threads = 8;
            const int Rounds = 200;
            var breaker = TimedCalls.Breaker("orders", 1, Break);
            DateTimeOffset now = T0;
            breaker.OnFailure(default, now);
            using var barrier = new Barrier(Threads);

            for (int round = 0; round < Rounds; round++)
            {
                now += Break;
                int admitted = 0;
                int probes = 0;
                CircuitPermit probe = default;
                DateTimeOffset roundTime = now;
                var threads = new Thread[Threads];
                for (int i = 0; i < Threads; i++)
                {
                    threads[i] = new Thread(() =>
                    {
                        barrier.SignalAndWait();
                        if (breaker.TryEnter(roundTime, out CircuitPermit permit, out _, out _))
                        {
                            Interlocked.Increment(ref admitted);
                            if (permit.IsProbe)
                            {
                                Interlocked.Increment(ref probes);
                                probe = permit;
                            }
                        }
                    });
                    threads[i].Start();
                }

                foreach (Thread thread in threads)
                {
                    thread.Join();
                }

                Assert.Equal(1, admitted);
                Assert.Equal(1, probes);

                // The probe fails: open again for the next round.
                Assert.Equal(CircuitState.Open, breaker.OnFailure(probe, now));
            }
        }

        [Fact]
        public void Racing_failures_open_the_circuit_exactly_once()
        {
            const int Threads = 4;
            const int PerThread = 500;
            var breaker = TimedCalls.Breaker("orders", Threads * PerThread, Break);
            int opened = 0;
            using var barrier = new Barrier(Threads);
            var threads = new Thread[Threads];
            for (int i = 0; i < Threads; i++)
            {
                threads[i] = new Thread(() =>
                {
                    barrier.SignalAndWait();
                    for (int n = 0; n < PerThread; n++)
                    {
                        if (breaker.OnFailure(default, T0) == CircuitState.Open)
                        {
                            Interlocked.Increment(ref opened);
                        }
                    }
                });
                threads[i].Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            Assert.Equal(1, opened);
            Assert.Equal(CircuitState.Open, breaker.State);
        }

        private static CircuitBreaker Opened(int threshold)
        {
            var breaker = TimedCalls.Breaker("orders", threshold, Break);
            for (int i = 0; i < threshold; i++)
            {
                breaker.OnFailure(default, T0);
            }

            Assert.Equal(CircuitState.Open, breaker.State);
            return breaker;
        }
    }
}
