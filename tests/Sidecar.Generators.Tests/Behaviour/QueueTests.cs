using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>MaxQueue: a call that finds the bulkhead full waits in line instead of failing, up to the queue's length.</summary>
    public class QueueTests
    {
        private static SidecarOptions Options => new() { CircuitBreakers = new CircuitBreakerRegistry() };

        private static void Until(Func<bool> condition, string what)
            => Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(10)), what);

        [Fact]
        public async Task The_second_call_waits_for_the_slot_and_the_third_is_refused()
        {
            var inner = new GatedService();
            var queued = new QueuedServiceSidecar(inner, Options);

            Task<int> first = queued.GetAsync(1, CancellationToken.None);
            Task<int> second = queued.GetAsync(2, CancellationToken.None);
            Assert.Equal(1, inner.Count); // the second waits in line, the dependency does not see it yet
            await Assert.ThrowsAsync<BulkheadRejectedException>(() => queued.GetAsync(3, CancellationToken.None));
            Assert.Throws<BulkheadRejectedException>(() => queued.Get(4)); // synchronous members never wait

            inner.Calls[0].Answer.SetResult(10);
            Assert.Equal(10, await first.WaitAsync(TimeSpan.FromSeconds(30)));
            Until(() => inner.Count == 2, "the waiting call got the slot");
            Assert.Equal(2, inner.Calls[1].Id);
            inner.Calls[1].Answer.SetResult(20);
            Assert.Equal(20, await second.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(5, queued.Get(5));
        }

        [Fact]
        public async Task A_caller_that_gives_up_while_waiting_leaves_the_line_without_calling()
        {
            var inner = new GatedService();
            var queued = new QueuedServiceSidecar(inner, Options);
            using var cts = new CancellationTokenSource();

            Task<int> first = queued.GetAsync(1, CancellationToken.None);
            Task<int> impatient = queued.GetAsync(2, cts.Token);
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
            Task<int> next = queued.GetAsync(3, CancellationToken.None); // its place in line is free again
            inner.Calls[0].Answer.SetResult(1);
            await first.WaitAsync(TimeSpan.FromSeconds(30));
            Until(() => inner.Count == 2, "the next call got the slot");
            Assert.Equal(3, inner.Calls[1].Id); // the impatient call never reached the dependency
            inner.Calls[1].Answer.SetResult(3);
            Assert.Equal(3, await next.WaitAsync(TimeSpan.FromSeconds(30)));
        }
    }
}
