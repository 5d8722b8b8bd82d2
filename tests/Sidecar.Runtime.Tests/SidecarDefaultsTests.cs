using System;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class SidecarDefaultsTests
    {
        [Fact]
        public void The_attribute_starts_from_the_defaults()
        {
            var attribute = new SidecarAttribute();

            Assert.Equal(SidecarDefaults.Retries, attribute.Retries);
            Assert.Equal(SidecarDefaults.Delay, attribute.Delay);
            Assert.Equal(SidecarDefaults.Backoff, attribute.Backoff);
            Assert.Equal(SidecarDefaults.MaxDelay, attribute.MaxDelay);
            Assert.Equal(SidecarDefaults.FailureThreshold, attribute.FailureThreshold);
            Assert.Equal(SidecarDefaults.BreakDuration, attribute.BreakDuration);
            Assert.False(attribute.Jitter);
            Assert.Equal(0, attribute.Timeout);
            Assert.Null(attribute.RetryOn);
            Assert.Null(attribute.Fallback);
        }

        [Fact]
        public void The_documented_default_values()
        {
            Assert.Equal(3, SidecarDefaults.Retries);
            Assert.Equal(100, SidecarDefaults.Delay);
            Assert.Equal(Backoff.Linear, SidecarDefaults.Backoff);
            Assert.Equal(30_000, SidecarDefaults.MaxDelay);
            Assert.Equal(0, SidecarDefaults.FailureThreshold);
            Assert.Equal(5_000, SidecarDefaults.BreakDuration);
            Assert.Equal(0.25, SidecarDefaults.JitterSpread);
        }

        [Fact]
        public void A_policy_built_from_defaults_matches_the_attribute()
        {
            var attribute = new SidecarAttribute();
            var policy = new SidecarPolicy("orders");

            Assert.Equal(attribute.Retries, policy.Retries);
            Assert.Equal(TimeSpan.FromMilliseconds(attribute.Delay), policy.Delay);
            Assert.Equal(attribute.Backoff, policy.Backoff);
            Assert.Equal(TimeSpan.FromMilliseconds(attribute.MaxDelay), policy.MaxDelay);
            Assert.Equal(attribute.Jitter, policy.Jitter);
            Assert.Equal(attribute.FailureThreshold, policy.FailureThreshold);
            Assert.Equal(TimeSpan.FromMilliseconds(attribute.BreakDuration), policy.BreakDuration);
            Assert.Equal(TimeSpan.FromMilliseconds(attribute.Timeout), policy.Timeout);
        }
    }
}
