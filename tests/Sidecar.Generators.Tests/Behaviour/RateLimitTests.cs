using System;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>RateLimit: each attempt takes a permit of the service's sliding window; one over fails at once.</summary>
    public class RateLimitTests
    {
        private readonly SteppingClock _time = new();

        private SidecarOptions Options => new() { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry() };

        [Fact]
        public async Task The_attempt_over_the_quota_is_refused_without_calling_and_says_when_to_come_back()
        {
            var inner = new QuotaService();
            var quota = new QuotaServiceSidecar(inner, Options);

            Assert.Equal(1, await quota.GetAsync(1));
            _time.Advance(TimeSpan.FromMilliseconds(300));
            Assert.Equal(2, await quota.GetAsync(2));
            Assert.Equal(3, quota.Get(3));

            RateLimitRejectedException refused = await Assert.ThrowsAsync<RateLimitRejectedException>(() => quota.GetAsync(4));
            Assert.Equal(TimeSpan.FromMilliseconds(700), refused.RetryAfter);
            Assert.Throws<RateLimitRejectedException>(() => quota.Get(4));
            Assert.Equal(3, inner.Calls); // the dependency never saw the refused attempts

            _time.Advance(TimeSpan.FromMilliseconds(700));
            Assert.Equal(5, await quota.GetAsync(5));
            Assert.Equal(4, inner.Calls);
        }

        [Fact]
        public async Task Retries_take_permits_too_and_a_retry_the_quota_cannot_grant_leaves_the_dependencys_failure()
        {
            var inner = new QuotaService { Failures = 1 };
            var quota = new QuotaServiceSidecar(inner, Options);

            Assert.Equal(1, await quota.GetAsync(1)); // two attempts: two permits
            inner.Failures = 2;

            // Attempt 1 takes the last permit and fails; no permit frees up within the retry's delay, so the retry is not
            // made and the caller gets the dependency's own failure rather than a refusal.
            ConnectionError failure = await Assert.ThrowsAsync<ConnectionError>(() => quota.GetAsync(2));
            Assert.Equal("busy", failure.Message);
            Assert.Equal(3, inner.Calls);
        }

        [Fact]
        public void The_fallback_answers_a_refused_call()
        {
            var inner = new QuotaService();
            var quota = new QuotaServiceSidecar(inner, Options);
            for (int i = 1; i <= 3; i++)
            {
                Assert.Equal(i, quota.Submit(i));
            }

            Assert.Equal(-4, quota.Submit(4));
            Assert.Equal(3, inner.Calls);
        }

        [Fact]
        public async Task An_override_changes_the_quota_and_a_limiter_of_your_own_replaces_it()
        {
            SidecarOptions options = Options;
            options.Overrides["IQuotaService"] = new SidecarPolicyOverride { RateLimit = 1 };
            var inner = new QuotaService();
            var quota = new QuotaServiceSidecar(inner, options);
            Assert.Equal(1, await quota.GetAsync(1));
            await Assert.ThrowsAsync<RateLimitRejectedException>(() => quota.GetAsync(2));

            using var shared = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions { TokenLimit = 5, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromHours(1), AutoReplenishment = false });
            var own = new QuotaServiceSidecar(new QuotaService(), new SidecarOptions { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry(), RateLimiter = shared });
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(i, await own.GetAsync(i)); // five, not the knob's three
            }

            await Assert.ThrowsAsync<RateLimitRejectedException>(() => own.GetAsync(5));
        }

        [Fact]
        public async Task A_refused_call_with_a_fallback_asks_the_limiter_once()
        {
            var limiter = new RefusingLimiter();
            var quota = new QuotaServiceSidecar(new QuotaService(), new SidecarOptions { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry(), RateLimiter = limiter });

            Assert.Equal(-7, await quota.SubmitAsync(7)); // the fallback answers the refusal
            Assert.Equal(1, limiter.Asked);
        }
    }
}
