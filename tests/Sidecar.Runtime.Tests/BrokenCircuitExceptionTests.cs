using System;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class BrokenCircuitExceptionTests
    {
        [Fact]
        public void Carries_the_circuit_and_when_it_will_be_tried_again()
        {
            DateTimeOffset at = TimedCalls.T0.AddSeconds(30);

            var ex = new BrokenCircuitException("IOrderService", at, TimeSpan.FromMilliseconds(1_500));

            Assert.Equal("IOrderService", ex.CircuitName);
            Assert.Equal(at, ex.RetryAt);
            Assert.Equal(TimeSpan.FromMilliseconds(1_500), ex.RetryAfter);
            Assert.Equal(
                "The circuit 'IOrderService' is open: the call was not made. The circuit will be tried again at 2025-01-01T12:00:30.0000000+00:00 (in 1500 ms).",
                ex.Message);
        }

        [Fact]
        public void A_moment_already_passed_reads_as_zero()
        {
            var ex = new BrokenCircuitException("IOrderService", TimedCalls.T0, TimeSpan.FromSeconds(-2));

            Assert.Equal(TimeSpan.Zero, ex.RetryAfter);
            Assert.Contains("(in 0 ms)", ex.Message, StringComparison.Ordinal);
        }
    }
}
