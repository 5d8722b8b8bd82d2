using System;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>Defects an independent review of the new policies found, each pinned by the scenario it described.</summary>
    public sealed class ReviewRegressionTests
    {
        private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero));

        private SidecarOptions Options => new() { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry() };

        [Fact]
        public void A_limiter_that_throws_leaves_no_bulkhead_slot_taken()
        {
            using PartitionedRateLimiter<SidecarMember> broken = PartitionedRateLimiter.Create<SidecarMember, string>(
                member => member.Name == "Bad" ? throw new InvalidOperationException("partitioner bug") : RateLimitPartition.GetNoLimiter(member.Name));
            SidecarOptions options = Options;
            options.PartitionedRateLimiter = broken;
            var pipeline = new SidecarPipeline("orders", new SidecarPolicy("orders", maxConcurrency: 1), options);

            for (int i = 0; i < 3; i++)
            {
                Assert.Throws<InvalidOperationException>(() => pipeline.Enter("Bad"));
            }

            Assert.Equal(0, pipeline.Bulkhead!.Running); // before the fix: 1, and every later call refused
            CircuitPermit good = pipeline.Enter("Good");
            pipeline.OnSuccess("Good", good);
        }

        [Fact]
        public async Task With_room_in_the_line_a_failed_attempt_is_still_retried()
        {
            var pipeline = new SidecarPipeline("orders", new SidecarPolicy("orders", retries: 3, delay: 0, maxConcurrency: 1, maxQueue: 10), Options);
            CircuitPermit first = await pipeline.EnterAsync("GetAsync", 0, CancellationToken.None);
            ValueTask<CircuitPermit> waiting = pipeline.EnterAsync("GetAsync", 0, CancellationToken.None);

            // The failed attempt's slot goes to the caller in line, so the bulkhead is full again: the retry may still queue.
            Assert.True(pipeline.ShouldRetry("GetAsync", new TimeoutException(), 0, first, CancellationToken.None, out _));
            CircuitPermit second = await waiting;
            pipeline.OnSuccess("GetAsync", second);
        }

        [Fact]
        public async Task The_deadline_ends_the_wait_in_the_bulkhead_line()
        {
            var pipeline = new SidecarPipeline("orders", new SidecarPolicy("orders", maxConcurrency: 1, maxQueue: 1, totalTimeout: 1000), Options);
            CircuitPermit holder = await pipeline.EnterAsync("GetAsync", 0, CancellationToken.None);
            CallDeadline deadline = pipeline.StartCall("GetAsync");
            ValueTask<CircuitPermit> waiting = pipeline.EnterAsync("GetAsync", 0, CancellationToken.None, deadline);
            Assert.False(waiting.IsCompleted);

            _time.Advance(TimeSpan.FromMilliseconds(1000));

            SidecarTimeoutException timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(async () => await waiting);
            Assert.True(timeout.IsTotalTimeout);
            Assert.Contains("while it waited for a bulkhead slot", timeout.Message, StringComparison.Ordinal);
            Assert.Equal(0, pipeline.Bulkhead!.Queued);
            Assert.False(pipeline.ShouldRetry("GetAsync", timeout, 0, default, CancellationToken.None, out _)); // final
            pipeline.OnSuccess("GetAsync", holder);
            Assert.Equal(0, pipeline.Bulkhead.Running);
        }

        [Fact]
        public void A_deadline_of_a_sidecar_further_in_is_an_ordinary_timeout_here()
        {
            var inner = new SidecarPipeline("payments", new SidecarPolicy("payments", totalTimeout: 10), Options);
            var outer = new SidecarPipeline("orders", new SidecarPolicy("orders", retries: 3, delay: 0), Options);
            CallDeadline innerDeadline = inner.StartCall("Charge");
            _time.Advance(TimeSpan.FromMilliseconds(10));
            SidecarTimeoutException furtherIn = Assert.Throws<SidecarTimeoutException>(() => inner.CheckDeadline("Charge", innerDeadline));
            Assert.True(furtherIn.IsTotalTimeout);

            Assert.True(outer.ShouldRetry("PlaceOrder", furtherIn, 0, default, CancellationToken.None, out _)); // retried, like any timeout
            Assert.False(inner.ShouldRetry("Charge", furtherIn, 0, default, CancellationToken.None, out _)); // final where it was raised
        }

        [Fact]
        public void A_refused_fast_path_asks_the_limiter_once()
        {
            var limiter = new SidecarRateLimiter("orders", permitLimit: 1, TimeSpan.FromSeconds(1), _time);
            SidecarOptions options = Options;
            options.RateLimiter = limiter;
            var pipeline = new SidecarPipeline("orders", new SidecarPolicy("orders"), options);
            pipeline.OnSuccess("GetAsync", pipeline.Start());

            Assert.True(pipeline.Start().IsBlocked);
            RateLimitRejectedException refused = Assert.IsType<RateLimitRejectedException>(pipeline.Refusal("GetAsync"));
            Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
            Assert.Equal(1, limiter.GetStatistics()!.TotalFailedLeases); // before: 2 (Start, then the retry loop's Enter)
            Assert.Null(pipeline.Refusal("GetAsync")); // said once
        }

        [Fact]
        public void Sidecars_sharing_seeded_chaos_throw_one_sequence_of_dice()
        {
            var chaos = new SidecarChaos { Seed = 7 };
            var expected = new Random(7);
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(expected.NextDouble(), chaos.NextSeeded());
            }

            chaos.Seed = 7; // a new seed starts the sequence again
            Assert.Equal(new Random(7).NextDouble(), chaos.NextSeeded());
            Assert.Null(new SidecarChaos().NextSeeded());
        }
    }
}
