using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>The sliding-log limiter behind RateLimit: never more than its permits in any window, and when the next one frees up.</summary>
    public sealed class SidecarRateLimiterTests
    {
        private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero));

        private static bool Take(RateLimiter limiter, out TimeSpan? retryAfter)
        {
            using RateLimitLease lease = limiter.AttemptAcquire();
            retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : null;
            return lease.IsAcquired;
        }

        [Fact]
        public void It_grants_the_limit_then_refuses_with_the_time_until_the_oldest_permit_ages_out()
        {
            var limiter = new SidecarRateLimiter("orders", permitLimit: 3, TimeSpan.FromSeconds(1), _time);

            Assert.True(Take(limiter, out _));
            _time.Advance(TimeSpan.FromMilliseconds(200));
            Assert.True(Take(limiter, out _));
            Assert.True(Take(limiter, out _));

            Assert.False(Take(limiter, out TimeSpan? wait));
            Assert.Equal(TimeSpan.FromMilliseconds(800), wait); // the first permit, at 0 ms, leaves the window at 1000 ms

            _time.Advance(TimeSpan.FromMilliseconds(799));
            Assert.False(Take(limiter, out wait));
            Assert.Equal(TimeSpan.FromMilliseconds(1), wait);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(Take(limiter, out _));
            Assert.False(Take(limiter, out wait));
            Assert.Equal(TimeSpan.FromMilliseconds(200), wait); // next: the two at 200 ms

            RateLimiterStatistics statistics = limiter.GetStatistics()!;
            Assert.Equal(4, statistics.TotalSuccessfulLeases);
            Assert.Equal(3, statistics.TotalFailedLeases);
            Assert.Equal(0, statistics.CurrentAvailablePermits);
        }

        [Theory]
        [InlineData(1, 1)]
        [InlineData(5, 2)]
        [InlineData(7, 3)]
        public void No_window_anywhere_ever_holds_more_than_the_limit(int permits, int seed)
        {
            var limiter = new SidecarRateLimiter("orders", permits, TimeSpan.FromMilliseconds(100), _time);
            var random = new Random(seed);
            var granted = new List<long>();
            long now = 0;
            for (int i = 0; i < 5_000; i++)
            {
                int step = random.Next(0, 4) == 0 ? random.Next(0, 60) : 0; // bursts at one instant, then gaps
                _time.Advance(TimeSpan.FromMilliseconds(step));
                now += step;
                if (Take(limiter, out _))
                {
                    granted.Add(now);
                }
            }

            // Every window [t, t + 100 ms) starting at a grant holds at most `permits` grants.
            for (int i = 0; i < granted.Count; i++)
            {
                int inWindow = granted.Skip(i).TakeWhile(t => t < granted[i] + 100).Count();
                Assert.True(inWindow <= permits, $"{inWindow} permits within 100 ms from {granted[i]} ms, {permits} allowed");
            }

            Assert.True(granted.Count > 5_000 / 50, "the limiter lets work through"); // not refusing everything
        }

        [Fact]
        public void A_huge_limit_costs_memory_only_for_the_traffic_and_idleness_is_reported()
        {
            var limiter = new SidecarRateLimiter("orders", permitLimit: int.MaxValue, TimeSpan.FromSeconds(1), _time);
            for (int i = 0; i < 1_000; i++)
            {
                Assert.True(limiter.AttemptAcquire().IsAcquired);
            }

            Assert.Null(limiter.IdleDuration);
            _time.Advance(TimeSpan.FromSeconds(3));
            Assert.Equal(TimeSpan.FromSeconds(2), limiter.IdleDuration); // idle since the last permit left the window
            Assert.Equal(int.MaxValue, limiter.GetStatistics()!.CurrentAvailablePermits);
        }

        [Fact]
        public void Several_permits_at_once_wait_for_enough_to_age_out()
        {
            var limiter = new SidecarRateLimiter("orders", permitLimit: 3, TimeSpan.FromSeconds(1), _time);
            Assert.True(limiter.AttemptAcquire(2).IsAcquired);
            _time.Advance(TimeSpan.FromMilliseconds(500));

            using RateLimitLease two = limiter.AttemptAcquire(2);
            Assert.False(two.IsAcquired);
            Assert.True(two.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait));
            Assert.Equal(TimeSpan.FromMilliseconds(500), wait);
            Assert.True(limiter.AttemptAcquire(1).IsAcquired);
            Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(4));
        }

        [Fact]
        public void A_pipeline_refuses_an_attempt_over_the_rate_limit_without_calling_through()
        {
            var registry = new CircuitBreakerRegistry();
            var pipeline = new SidecarPipeline("orders", new SidecarPolicy("orders", rateLimit: 2, rateLimitWindow: 1000), new SidecarOptions { TimeProvider = _time, CircuitBreakers = registry });

            pipeline.Enter("GetAsync");
            pipeline.Enter("GetAsync");
            RateLimitRejectedException refused = Assert.Throws<RateLimitRejectedException>(() => pipeline.Enter("GetAsync"));
            Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
            Assert.Equal("orders", refused.LimiterName);
            Assert.Contains("1000 ms", refused.Message, StringComparison.Ordinal);
            Assert.True(pipeline.Start().IsBlocked); // the async fast path asks too
            Assert.Same(pipeline.RateLimiter, registry.RateLimiters.Single()); // shared through the registry

            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.False(pipeline.Start().IsBlocked);
        }

        [Fact]
        public void A_limiter_in_the_options_replaces_the_knob_and_a_partitioned_one_sees_the_member()
        {
            using var bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions { TokenLimit = 1, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromHours(1), AutoReplenishment = false });
            var pipeline = new SidecarPipeline("orders", new SidecarPolicy("orders", rateLimit: 100), new SidecarOptions { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry(), RateLimiter = bucket });
            pipeline.Enter("GetAsync");
            Assert.Throws<RateLimitRejectedException>(() => pipeline.Enter("GetAsync"));

            var seen = new List<string>();
            using PartitionedRateLimiter<SidecarMember> byMember = PartitionedRateLimiter.Create<SidecarMember, string>(member =>
            {
                seen.Add(member.Name);
                return RateLimitPartition.GetNoLimiter(member.Name);
            });
            var partitioned = new SidecarPipeline("orders", new SidecarPolicy("orders"), new SidecarOptions { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry(), PartitionedRateLimiter = byMember });
            Assert.True(partitioned.Start().IsBlocked); // a partition needs the member: the retry loop asks
            partitioned.Enter("PriceAsync");
            Assert.Equal(new[] { "PriceAsync" }, seen);
        }
    }
}
