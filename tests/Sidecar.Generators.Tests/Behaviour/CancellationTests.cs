using System;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    public class CancellationTests
    {
        private readonly SteppingClock _time = new();

        private SidecarOptions Options => new() { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry() };

        [Fact]
        public async Task Cancelling_during_a_backoff_delay_ends_the_call_at_once_without_another_attempt()
        {
            var inner = new FlakyService(failures: 10);
            var sidecar = new FlakyServiceSidecar(inner, Options);
            using var cts = new CancellationTokenSource();

            Task<int> call = sidecar.GetAsync(1, cts.Token);
            Assert.Equal(1, inner.Calls);
            Assert.False(call.IsCompleted); // waiting 100 ms on the manual clock, which does not move
            Assert.Equal(1, _time.PendingTimers);

            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            Assert.Equal(1, inner.Calls);
        }

        [Fact]
        public void Cancelling_a_synchronous_backoff_delay_ends_the_call()
        {
            var inner = new FlakyService(failures: 10);
            var sidecar = new FlakyServiceSidecar(inner, Options);
            using var cts = new CancellationTokenSource();

            Task<int> call = Task.Factory.StartNew(() => sidecar.GetWithToken(1, cts.Token), TaskCreationOptions.LongRunning);
            SpinWait.SpinUntil(() => _time.PendingTimers == 1, TimeSpan.FromSeconds(10));
            cts.Cancel();

            Assert.ThrowsAny<OperationCanceledException>(() => call.GetAwaiter().GetResult());
            Assert.Equal(1, inner.Calls);
        }

        [Fact]
        public async Task Cancellation_by_the_caller_is_never_retried()
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var inner = new FlakyService(failures: 1) { Failure = () => new OperationCanceledException(cts.Token) };
            var sidecar = new FlakyServiceSidecar(inner, Options);

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sidecar.GetAsync(1, cts.Token));
            Assert.Equal(1, inner.Calls);
            Assert.Empty(_time.RequestedDelays);
        }

        [Fact]
        public async Task A_timeout_that_is_not_the_callers_cancellation_is_retried()
        {
            var inner = new FlakyService(failures: 1) { Failure = () => new TaskCanceledException("HttpClient timed out") };
            var sidecar = new FlakyServiceSidecar(inner, new SidecarOptions { TimeProvider = new SteppingClock { AutoAdvance = true } });

            Assert.Equal(4, await sidecar.GetAsync(4, CancellationToken.None));
            Assert.Equal(2, inner.Calls);
        }
    }
}
