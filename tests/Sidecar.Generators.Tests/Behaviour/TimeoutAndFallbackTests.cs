using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    public class TimeoutAndFallbackTests
    {
        private readonly SteppingClock _time = new();

        private SidecarOptions Options => new() { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry() };

        /// <summary>Moves the clock past the attempt's time limit once the attempt has started its timer.</summary>
        private void ExpireAttempt()
        {
            Assert.True(SpinWait.SpinUntil(() => _time.PendingTimers > 0, TimeSpan.FromSeconds(10)), "no attempt is waiting");
            _time.Advance(TimeSpan.FromMilliseconds(1000));
        }

        [Fact]
        public async Task An_attempt_that_runs_out_of_time_is_cancelled_and_retried_and_the_caller_learns_it_timed_out()
        {
            var inner = new HangingService();
            var sidecar = new SlowServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            for (int i = 0; i < 3; i++)
            {
                ExpireAttempt();
            }

            var timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);
            Assert.IsAssignableFrom<TimeoutException>(timeout);
            Assert.Contains("1000 ms", timeout.Message);
            Assert.Equal(3, inner.Tokens.Count);
            Assert.All(inner.Tokens, t => Assert.True(t.IsCancellationRequested)); // each attempt was told to stop
        }

        [Fact]
        public async Task An_override_gives_a_deadline_to_a_member_compiled_with_only_a_timeout()
        {
            var inner = new HangingService();
            SidecarOptions options = Options;
            options.Overrides["ISlowService.GetAsync"] = new SidecarPolicyOverride { TotalTimeout = 1500 };
            var sidecar = new SlowServiceSidecar(inner, options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            ExpireAttempt(); // the first attempt times out at 1000 ms; the second has only 500 ms of the deadline left
            Assert.True(SpinWait.SpinUntil(() => inner.Calls == 2 && _time.PendingTimers > 0, TimeSpan.FromSeconds(10)), "no second attempt");
            _time.Advance(TimeSpan.FromMilliseconds(500));

            SidecarTimeoutException timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);
            Assert.True(timeout.IsTotalTimeout);
            Assert.Equal(2, inner.Calls); // Retries = 2 would have made a third
        }

        [Fact]
        public async Task An_attempt_within_its_time_answers_normally()
        {
            var inner = new HangingService { Answer = 5 };
            var sidecar = new SlowServiceSidecar(inner, Options);

            Assert.Equal(5, await sidecar.GetAsync(1, CancellationToken.None));
            Assert.False(inner.Tokens[0].IsCancellationRequested);
        }

        [Fact]
        public async Task A_member_without_a_token_is_abandoned_when_its_time_is_up()
        {
            var inner = new HangingService();
            var sidecar = new SlowServiceSidecar(inner, Options);

            Task<int> call = sidecar.WithoutTokenAsync(1);
            for (int i = 0; i < 3; i++)
            {
                ExpireAttempt();
            }

            await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);
            Assert.Equal(3, inner.Calls);
        }

        [Fact]
        public async Task Caller_cancellation_during_an_attempt_is_not_reported_as_a_timeout()
        {
            var inner = new HangingService();
            var sidecar = new SlowServiceSidecar(inner, Options);
            using var cts = new CancellationTokenSource();

            ValueTask ping = sidecar.PingAsync(cts.Token);
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ping);
            Assert.Equal(1, inner.Calls);
        }

        [Fact]
        public void Class_form_fallback_answers_when_retries_are_exhausted()
        {
            var inner = new FlakyService(failures: 10);
            IExternalClient client = new DegradingClient(inner, Options);

            Assert.Equal("cached a (ConnectionError)", client.Fetch("a"));
            Assert.Equal(2, inner.Calls);
        }

        [Fact]
        public async Task Interface_form_fallback_answers_failures_and_an_open_circuit()
        {
            var inner = new QuoteFeed { Failing = true };
            IQuotes quotes = new QuotesSidecar(inner, Options);

            Assert.Equal(-1m, await quotes.PriceAsync("MSFT")); // two failed attempts: the circuit opens
            Assert.Equal(2, inner.Calls);
            Assert.Equal(-2m, quotes.Last("MSFT")); // open circuit: the fallback answers without calling the inner
            Assert.Equal(2, inner.Calls);

            inner.Failing = false;
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(10m, quotes.Last("MSFT"));
        }

        private sealed class QuoteFeed : IQuotes
        {
            public bool Failing { get; set; }

            public int Calls { get; private set; }

            public Task<decimal> PriceAsync(string symbol) => Task.FromResult(Last(symbol));

            public decimal Last(string symbol)
            {
                Calls++;
                return Failing ? throw new ConnectionError("feed down") : 10m;
            }
        }

        /// <summary>Never answers unless told to; records the token of every attempt.</summary>
        private sealed class HangingService : ISlowService
        {
            private int _calls;

            public int? Answer { get; set; }

            public List<CancellationToken> Tokens { get; } = new();

            public int Calls => Volatile.Read(ref _calls);

            public Task<int> GetAsync(int id, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref _calls);
                lock (Tokens)
                {
                    Tokens.Add(cancellationToken);
                }

                if (Answer is int answer)
                {
                    return Task.FromResult(answer);
                }

                var pending = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                cancellationToken.Register(() => pending.TrySetCanceled(cancellationToken));
                return pending.Task;
            }

            public Task<int> WithoutTokenAsync(int id)
            {
                Interlocked.Increment(ref _calls);
                return new TaskCompletionSource<int>().Task;
            }

            public ValueTask PingAsync(CancellationToken cancellationToken) => new(GetAsync(0, cancellationToken));
        }
    }
}
