using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>Hedging: attempts side by side, on a controllable clock; the first outcome that is not Transient wins.</summary>
    public class HedgingTests
    {
        private readonly SteppingClock _time = new();
        private readonly HedgeObserver _observer = new();

        private SidecarOptions Options => new() { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry(), Observer = _observer };

        private static void Until(Func<bool> condition, string what)
            => Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(10)), what);

        private void Advance(int ms) => _time.Advance(TimeSpan.FromMilliseconds(ms));

        [Fact]
        public async Task An_attempt_unanswered_within_the_delay_gets_a_hedge_whose_answer_wins_and_the_first_is_cancelled()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => inner.Calls == 1 && _time.PendingTimers == 1, "the first attempt runs and the hedging delay waits");
            Advance(99);
            Assert.Equal(1, inner.Calls);
            Advance(1);
            Until(() => inner.Calls == 2, "the hedge started at 100 ms");

            inner.Attempt(1).SetResult(42);

            Assert.Equal(42, await call);
            Assert.True(inner.Token(0).IsCancellationRequested); // the loser was told to stop
            Assert.False(inner.Token(1).IsCancellationRequested);
            Until(() => _time.PendingTimers == 0, "the next hedge's delay is cancelled");
            Advance(1000);
            Assert.Equal(2, inner.Calls);
            Assert.Equal(new[] { (1, 1) }, _observer.Hedges);
        }

        [Fact]
        public async Task An_attempt_that_answers_within_the_delay_is_never_hedged()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => _time.PendingTimers == 1, "the hedging delay waits");
            Advance(99);
            inner.Attempt(0).SetResult(7);

            Assert.Equal(7, await call);
            Until(() => _time.PendingTimers == 0, "the delay is cancelled");
            Advance(1000);
            Assert.Equal(1, inner.Calls);
            Assert.Empty(_observer.Hedges);
        }

        [Fact]
        public async Task No_more_than_Hedging_extra_attempts_start_and_the_one_that_answers_wins()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => _time.PendingTimers == 1, "the hedging delay waits");
            Advance(100);
            Until(() => inner.Calls == 2 && _time.PendingTimers == 1, "the first hedge started and the second waits");
            Advance(100);
            Until(() => inner.Calls == 3, "the second hedge started at 200 ms");
            Assert.Equal(0, _time.PendingTimers); // nothing more to wait for
            Advance(10_000);
            Assert.Equal(3, inner.Calls);

            inner.Attempt(1).SetResult(5);

            Assert.Equal(5, await call);
            Assert.True(inner.Token(0).IsCancellationRequested);
            Assert.True(inner.Token(2).IsCancellationRequested);
            Assert.Equal(new[] { (1, 1), (1, 2) }, _observer.Hedges);
        }

        [Fact]
        public async Task A_transient_failure_starts_the_next_hedge_at_once()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => inner.Calls == 1, "the first attempt runs");
            inner.Attempt(0).SetException(new ConnectionError("reset"));
            Until(() => inner.Calls == 2, "the hedge starts without waiting for the delay");
            inner.Attempt(1).SetResult(3);

            Assert.Equal(3, await call);
            Assert.Equal(2, inner.Calls);
        }

        [Fact]
        public async Task When_every_attempt_fails_transiently_the_last_failure_ends_the_call_and_each_counts_for_the_circuit()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => inner.Calls == 1, "the first attempt runs");
            inner.Attempt(0).SetException(new ConnectionError("first"));
            Until(() => inner.Calls == 2, "the first hedge runs");
            inner.Attempt(1).SetException(new ConnectionError("second"));
            Until(() => inner.Calls == 3, "the second hedge runs");
            inner.Attempt(2).SetException(new ConnectionError("third"));

            ConnectionError failure = await Assert.ThrowsAsync<ConnectionError>(() => call);
            Assert.Equal("third", failure.Message);

            // Three failed attempts in a row (FailureThreshold = 3): one call's hedges opened the circuit.
            await Assert.ThrowsAsync<BrokenCircuitException>(() => sidecar.GetAsync(2, CancellationToken.None));
            Assert.Equal(3, inner.Calls);
        }

        [Fact]
        public async Task A_failure_that_is_not_transient_wins_at_once()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => inner.Calls == 1, "the first attempt runs");
            inner.Attempt(0).SetException(new ArgumentException("bad id")); // NeverRetryOn: Ignored, not Transient

            await Assert.ThrowsAsync<ArgumentException>(() => call);
            Advance(1000);
            Assert.Equal(1, inner.Calls);
        }

        [Fact]
        public async Task A_member_without_a_result_is_hedged_too()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task call = sidecar.SendAsync(1, CancellationToken.None);
            Until(() => _time.PendingTimers == 1, "the hedging delay waits");
            Advance(100);
            Until(() => inner.Calls == 2, "the hedge started");
            inner.Attempt(1).SetResult(0);

            await call;
            Assert.True(inner.Token(0).IsCancellationRequested);
        }

        [Fact]
        public async Task A_retry_after_a_failed_round_is_hedged_again()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task<int> call = sidecar.RetriedAsync(1, CancellationToken.None);
            for (int i = 0; i < 3; i++)
            {
                Until(() => inner.Calls == i + 1, "attempt " + i + " of the first round runs");
                inner.Attempt(i).SetException(new ConnectionError("round 1, attempt " + i));
            }

            Until(() => _time.RequestedDelays.Contains(TimeSpan.FromMilliseconds(50)), "the retry waits its delay");
            Assert.Equal(3, inner.Calls);
            Advance(50);
            Until(() => inner.Calls == 4 && _time.PendingTimers == 1, "the retry started and its hedging delay waits");
            Advance(100);
            Until(() => inner.Calls == 5, "the retry was hedged");
            inner.Attempt(4).SetResult(9);

            Assert.Equal(9, await call);
            Assert.True(inner.Token(3).IsCancellationRequested);
            Assert.Equal(new[] { (1, 1), (1, 2), (2, 1) }, _observer.Hedges);
        }

        [Fact]
        public async Task The_callers_cancellation_ends_every_attempt_and_the_call()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);
            using var cts = new CancellationTokenSource();

            Task<int> call = sidecar.GetAsync(1, cts.Token);
            Until(() => _time.PendingTimers == 1, "the hedging delay waits");
            Advance(100);
            Until(() => inner.Calls == 2, "the hedge started");
            cts.Cancel();

            OperationCanceledException cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            Assert.True(inner.Token(0).IsCancellationRequested);
            Assert.True(inner.Token(1).IsCancellationRequested);
            Assert.Equal(2, inner.Calls);
            Assert.IsNotType<SidecarTimeoutException>(cancelled);
        }

        [Fact]
        public async Task Each_hedged_attempt_has_its_own_timeout()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task<int> call = sidecar.TimedAsync(1, CancellationToken.None).AsTask();
            Until(() => inner.Calls == 1 && _time.PendingTimers == 2, "the first attempt's timeout and the hedging delay wait");
            Advance(100);
            Until(() => inner.Calls == 2 && _time.PendingTimers == 3, "the first hedge runs under a timeout of its own");
            Advance(100);
            Until(() => inner.Calls == 3 && _time.PendingTimers == 3, "the second hedge runs; no more will start");

            // Attempts started at 0, 100 and 200 ms; each times out 250 ms after its start: the last at 450 ms.
            Advance(50);
            Until(() => _time.PendingTimers == 2, "the first attempt timed out at 250 ms");
            Advance(100);
            Until(() => _time.PendingTimers == 1, "the first hedge timed out at 350 ms");
            Advance(99);
            Assert.False(call.IsCompleted);
            Advance(1);

            SidecarTimeoutException timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);
            Assert.Equal(TimeSpan.FromMilliseconds(250), timeout.Timeout);
            Assert.Equal(3, inner.Calls);
            Assert.True(inner.Token(0).IsCancellationRequested);
        }

        [Fact]
        public async Task A_hedging_delay_of_zero_starts_every_attempt_at_once()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task<int> call = sidecar.AtOnceAsync(1, CancellationToken.None);
            Until(() => inner.Calls == 3, "all three attempts run");
            inner.Attempt(1).SetResult(11);

            Assert.Equal(11, await call);
            Assert.True(inner.Token(0).IsCancellationRequested);
            Assert.True(inner.Token(2).IsCancellationRequested);
        }

        [Fact]
        public async Task The_fallback_answers_when_every_hedged_attempt_failed()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedServiceSidecar(inner, Options);

            Task<int> call = sidecar.AnsweredAsync(4, CancellationToken.None);
            for (int i = 0; i < 3; i++)
            {
                Until(() => inner.Calls == i + 1, "attempt " + i + " runs");
                inner.Attempt(i).SetException(new ConnectionError("down"));
            }

            Assert.Equal(-4, await call);
        }

        [Fact]
        public async Task A_hedge_the_bulkhead_would_refuse_is_not_started_and_the_slot_is_given_back()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedBulkheadServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => _time.PendingTimers == 1, "the hedging delay waits");
            Advance(100);
            Advance(1000);
            Assert.Equal(1, inner.Calls); // the only slot is the first attempt's
            Assert.Equal(0, _observer.Rejections); // a hedge that is not started is no rejected call
            Assert.Empty(_observer.Hedges);
            inner.Attempt(0).SetResult(1);
            Assert.Equal(1, await call);

            Task<int> next = sidecar.GetAsync(2, CancellationToken.None);
            Until(() => inner.Calls == 2, "the next call has the slot");
            inner.Attempt(1).SetResult(2);
            Assert.Equal(2, await next);
        }

        [Fact]
        public async Task A_transient_failure_gives_its_bulkhead_slot_back_at_once_so_the_hedge_can_start()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedBulkheadServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => inner.Calls == 1, "the first attempt holds the only slot");
            inner.Attempt(0).SetException(new ConnectionError("reset"));
            Until(() => inner.Calls == 2, "the hedge starts in the slot the failed attempt gave back");
            inner.Attempt(1).SetResult(3);

            Assert.Equal(3, await call);
        }

        [Fact]
        public async Task Hedges_do_not_spend_the_retry_budget()
        {
            var circuits = new CircuitBreakerRegistry();
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedBudgetServiceSidecar(inner, new SidecarOptions { TimeProvider = _time, CircuitBreakers = circuits, Observer = _observer });

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => inner.Calls == 1, "the first attempt runs");
            inner.Attempt(0).SetException(new ConnectionError("reset"));
            Until(() => inner.Calls == 2, "the hedge starts although the budget allows no retry");
            inner.Attempt(1).SetException(new ConnectionError("reset again"));

            await Assert.ThrowsAsync<ConnectionError>(() => call); // the retry after the round is what the budget denies
            Assert.Equal(2, inner.Calls);
            Assert.Equal(0, circuits.RetryBudgets.Single().Sample().Retries);
        }

        [Fact]
        public async Task Classify_is_asked_once_about_each_failed_attempt()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedReplies(inner, Options);

            Task<Reply> call = sidecar.AskAsync(1, CancellationToken.None);
            Until(() => inner.Calls == 1, "the first attempt runs");
            inner.ReplyTo(0).SetException(new ConnectionError("reset"));
            Until(() => inner.Calls == 2, "the hedge starts at once");
            inner.ReplyTo(1).SetException(new ConnectionError("reset again"));

            await Assert.ThrowsAsync<ConnectionError>(() => call);
            Assert.Equal(2, sidecar.ExceptionsJudged); // the round's verdict on the last one is the retry loop's too
        }

        [Fact]
        public async Task A_transient_result_starts_a_hedge_at_once_and_is_disposed_when_another_answer_wins()
        {
            var inner = new ControlledHedgedService();
            var sidecar = new HedgedReplies(inner, Options);

            Task<Reply> call = sidecar.AskAsync(1, CancellationToken.None);
            Until(() => inner.Calls == 1, "the first attempt runs");
            var transient = new Reply(-1);
            inner.ReplyTo(0).SetResult(transient);
            Until(() => inner.Calls == 2, "the hedge starts at once");
            var good = new Reply(5);
            inner.ReplyTo(1).SetResult(good);

            Assert.Same(good, await call);
            Assert.True(transient.Disposed);
            Assert.False(good.Disposed);
        }

        [Fact]
        public async Task A_loser_that_answers_after_the_round_was_decided_has_its_answer_disposed()
        {
            var inner = new ControlledHedgedService { IgnoresToken = true };
            var sidecar = new HedgedReplies(inner, Options);

            Task<Reply> call = sidecar.AskAsync(1, CancellationToken.None);
            Until(() => _time.PendingTimers == 1, "the hedging delay waits");
            Advance(100);
            Until(() => inner.Calls == 2, "the hedge started");
            var winner = new Reply(5);
            inner.ReplyTo(1).SetResult(winner);
            Assert.Same(winner, await call);

            var late = new Reply(6);
            inner.ReplyTo(0).SetResult(late); // the dependency could not be told to stop
            Until(() => late.Disposed, "the late answer is disposed");
            Assert.False(winner.Disposed);
        }

        private sealed class HedgeObserver : SidecarObserver
        {
            private readonly List<(int Attempt, int Hedge)> _hedges = new();

            public (int, int)[] Hedges
            {
                get
                {
                    lock (_hedges)
                    {
                        return _hedges.ToArray();
                    }
                }
            }

            public int Rejections { get; private set; }

            public override void OnRejected(string service, string member, SidecarRejectedException exception) => Rejections++;

            public override void OnHedged(string service, string member, int attempt, int hedge)
            {
                lock (_hedges)
                {
                    _hedges.Add((attempt, hedge));
                }
            }
        }
    }
}
