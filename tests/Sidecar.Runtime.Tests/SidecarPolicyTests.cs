using System;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class SidecarPolicyTests
    {
        [Fact]
        public void Milliseconds_become_time_spans()
        {
            var policy = new SidecarPolicy("orders", retries: 2, delay: 50, backoff: Backoff.Exponential, maxDelay: 800, jitter: true, failureThreshold: 4, breakDuration: 1_500, timeout: 250);

            Assert.Equal("orders", policy.CircuitName);
            Assert.Equal(2, policy.Retries);
            Assert.Equal(TimeSpan.FromMilliseconds(50), policy.Delay);
            Assert.Equal(Backoff.Exponential, policy.Backoff);
            Assert.Equal(TimeSpan.FromMilliseconds(800), policy.MaxDelay);
            Assert.True(policy.Jitter);
            Assert.Equal(4, policy.FailureThreshold);
            Assert.Equal(TimeSpan.FromMilliseconds(1_500), policy.BreakDuration);
            Assert.Equal(TimeSpan.FromMilliseconds(250), policy.Timeout);
        }

        [Theory]
        [InlineData("retries")]
        [InlineData("delay")]
        [InlineData("maxDelay")]
        [InlineData("failureThreshold")]
        [InlineData("breakDuration")]
        [InlineData("timeout")]
        public void Negative_numbers_are_rejected(string parameter)
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SidecarPolicy(
                "orders",
                retries: parameter == "retries" ? -1 : 0,
                delay: parameter == "delay" ? -1 : 0,
                maxDelay: parameter == "maxDelay" ? -1 : 0,
                failureThreshold: parameter == "failureThreshold" ? -1 : 0,
                breakDuration: parameter == "breakDuration" ? -1 : 0,
                timeout: parameter == "timeout" ? -1 : 0));

            Assert.Equal(parameter, ex.ParamName);
        }

        [Fact]
        public void A_circuit_name_is_required()
        {
            Assert.Equal("circuitName", Assert.Throws<ArgumentNullException>(() => new SidecarPolicy(null!)).ParamName);
        }

        [Fact]
        public void Without_a_predicate_every_exception_is_transient()
        {
            var policy = new SidecarPolicy("orders");

            Assert.True(policy.IsTransient(new InvalidOperationException()));
            Assert.True(policy.IsTransient(new TimeoutException()));
        }

        [Fact]
        public void The_predicate_decides_what_is_transient()
        {
            var policy = new SidecarPolicy("orders", isTransient: e => e is TimeoutException);

            Assert.True(policy.IsTransient(new TimeoutException()));
            Assert.False(policy.IsTransient(new InvalidOperationException()));
        }
    }
}
