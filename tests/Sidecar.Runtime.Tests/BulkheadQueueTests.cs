using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>The bulkhead's queue: callers wait in order for a slot, a full queue refuses, cancellation leaves it.</summary>
    public sealed class BulkheadQueueTests
    {
        [Fact]
        public async Task Waiters_are_served_in_order_and_one_over_the_queue_is_refused()
        {
            var bulkhead = new Bulkhead("orders", maxConcurrency: 1, maxQueue: 2);
            Assert.True(await bulkhead.EnterAsync(CancellationToken.None)); // a free slot: at once
            Task<bool> second = bulkhead.EnterAsync(CancellationToken.None);
            Task<bool> third = bulkhead.EnterAsync(CancellationToken.None);
            Assert.False(second.IsCompleted);
            Assert.Equal(2, bulkhead.Queued);

            Assert.False(await bulkhead.EnterAsync(CancellationToken.None)); // the queue is full
            Assert.True(bulkhead.WouldRefuse);
            Assert.False(bulkhead.TryEnter()); // no barging past the queue

            bulkhead.Release();
            Assert.True(await second); // the slot went to the first in line
            Assert.False(third.IsCompleted);
            Assert.Equal(1, bulkhead.Running);
            Assert.Equal(1, bulkhead.Queued);

            bulkhead.Release();
            Assert.True(await third);
            bulkhead.Release();
            Assert.Equal(0, bulkhead.Running);
            Assert.Equal(0, bulkhead.Queued);
            Assert.True(bulkhead.TryEnter());
        }

        [Fact]
        public async Task A_cancelled_waiter_leaves_the_queue_and_the_slot_goes_to_the_next()
        {
            var bulkhead = new Bulkhead("orders", maxConcurrency: 1, maxQueue: 2);
            Assert.True(bulkhead.TryEnter());
            using var cts = new CancellationTokenSource();
            Task<bool> cancelled = bulkhead.EnterAsync(cts.Token);
            Task<bool> next = bulkhead.EnterAsync(CancellationToken.None);

            cts.Cancel();
            OperationCanceledException ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
            Assert.Equal(cts.Token, ex.CancellationToken);
            Assert.Equal(1, bulkhead.Queued);

            bulkhead.Release();
            Assert.True(await next);
            Assert.Equal(1, bulkhead.Running);
            Assert.Equal(0, bulkhead.Queued);
        }

        [Fact]
        public async Task Without_a_queue_a_full_bulkhead_refuses_at_once()
        {
            var bulkhead = new Bulkhead("orders", maxConcurrency: 1);
            Assert.True(bulkhead.TryEnter());
            Task<bool> refused = bulkhead.EnterAsync(CancellationToken.None);
            Assert.True(refused.IsCompleted);
            Assert.False(await refused);
            Assert.Throws<ArgumentOutOfRangeException>(() => new Bulkhead("orders", 1, -1));
        }

        [Fact]
        public async Task A_pipeline_with_a_queue_makes_the_attempt_wait_and_a_full_queue_refuses()
        {
            var pipeline = new SidecarPipeline("orders", new SidecarPolicy("orders", maxConcurrency: 1, maxQueue: 1), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            Assert.Null(pipeline.Refusal("GetAsync"));
            CircuitPermit first = await pipeline.EnterAsync("GetAsync", 0, CancellationToken.None);
            Assert.True(first.HoldsBulkheadSlot);
            Assert.Null(pipeline.Refusal("GetAsync")); // full, but the queue has room: the call may wait
            ValueTask<CircuitPermit> waiting = pipeline.EnterAsync("GetAsync", 0, CancellationToken.None);
            Assert.False(waiting.IsCompleted);
            Assert.IsType<BulkheadRejectedException>(pipeline.Refusal("GetAsync")); // the queue is full: refused before the loop
            await Assert.ThrowsAsync<BulkheadRejectedException>(async () => await pipeline.EnterAsync("GetAsync", 0, CancellationToken.None));

            pipeline.OnSuccess("GetAsync", first);
            CircuitPermit second = await waiting;
            Assert.True(second.HoldsBulkheadSlot);
            pipeline.OnSuccess("GetAsync", second);
            Assert.Equal(0, pipeline.Bulkhead!.Running);
        }
    }
}
