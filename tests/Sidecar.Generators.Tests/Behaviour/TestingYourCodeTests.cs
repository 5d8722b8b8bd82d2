using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>The service of the README's "Testing your code" section.</summary>
    [Sidecar(Retries = 2, Delay = 100, FailureThreshold = 3, BreakDuration = 5000)]
    public interface IOrderDesk
    {
        Task<int> PlaceAsync(int id, CancellationToken cancellationToken);
    }

    /// <summary>Fails its first <c>failures</c> calls with a transient error, then answers with the id.</summary>
    public sealed class StubOrderDesk : IOrderDesk
    {
        private int _failures;

        public StubOrderDesk(int failures = 0) => _failures = failures;

        public Task<int> PlaceAsync(int id, CancellationToken cancellationToken)
            => Interlocked.Decrement(ref _failures) >= 0 ? Task.FromException<int>(new TimeoutException("busy")) : Task.FromResult(id);
    }

    /// <summary>The README's "Testing your code" snippets, run as written there: if one stops working, this fails.</summary>
    public class TestingYourCodeTests
    {
        [Fact]
        public async Task Retries_and_backoff_on_a_fake_clock()
        {
            var time = new FakeTimeProvider();
            var desk = new OrderDeskSidecar(new StubOrderDesk(failures: 2), new SidecarOptions { TimeProvider = time, CircuitBreakers = new CircuitBreakerRegistry() });
            Task<int> placed = desk.PlaceAsync(42, CancellationToken.None);
            for (int i = 0; i < 100 && !placed.IsCompleted; i++) { time.Advance(TimeSpan.FromMilliseconds(100)); await Task.Yield(); } // the backoff, at once
            Assert.Equal(42, await placed.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        [Fact]
        public async Task A_circuit_of_your_own_per_test()
        {
            var options = new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() }; // not .Shared: this test's open circuit stays here
            options.Overrides["IOrderDesk"] = new SidecarPolicyOverride { Delay = 0 }; // no waiting between retries in a test
            var desk = new OrderDeskSidecar(new StubOrderDesk(failures: 100), options);
            await Assert.ThrowsAsync<TimeoutException>(() => desk.PlaceAsync(1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30))); // three failures in a row
            Assert.Equal(CircuitState.Open, options.CircuitBreakers.Breakers.Single().State);
            await Assert.ThrowsAsync<BrokenCircuitException>(() => desk.PlaceAsync(2, CancellationToken.None));
        }

        [Fact]
        public async Task Your_code_under_a_failing_dependency_without_writing_a_failing_fake()
        {
            var options = new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry(), Chaos = new SidecarChaos { Seed = 7 } };
            options.Overrides["IOrderDesk.PlaceAsync"] = new SidecarPolicyOverride { ChaosFaultRate = 1, Delay = 0 }; // every attempt fails, injected
            var desk = new OrderDeskSidecar(new StubOrderDesk(), options);
            await Assert.ThrowsAsync<SidecarInjectedFaultException>(() => desk.PlaceAsync(1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        }
    }
}
