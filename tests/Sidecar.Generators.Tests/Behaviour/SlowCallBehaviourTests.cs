using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>Half of the attempts 200 ms or slower open the circuit, even though every one succeeds.</summary>
    [Sidecar(Retries = 0, SlowCallDuration = 200, SlowCallRatio = 0.5, MinimumThroughput = 2, BreakDuration = 1000)]
    public interface ISluggishService
    {
        Task<int> GetAsync(int id);
    }

    /// <summary>Answers each call when the test says so.</summary>
    public sealed class SluggishService : ISluggishService
    {
        public List<TaskCompletionSource<int>> Pending { get; } = new();

        public Task<int> GetAsync(int id)
        {
            var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Pending.Add(answer);
            return answer.Task;
        }
    }

    public class SlowCallBehaviourTests
    {
        [Fact]
        public async Task Slow_successes_open_the_circuit_and_a_quick_probe_closes_it()
        {
            var time = new SteppingClock();
            var inner = new SluggishService();
            var registry = new CircuitBreakerRegistry();
            var sidecar = new SluggishServiceSidecar(inner, new SidecarOptions { TimeProvider = time, CircuitBreakers = registry });

            Task<int> quick = sidecar.GetAsync(1);
            inner.Pending[0].SetResult(1);
            Assert.Equal(1, await quick);

            Task<int> slow = sidecar.GetAsync(2);
            time.Advance(TimeSpan.FromMilliseconds(250));
            inner.Pending[1].SetResult(2);
            Assert.Equal(2, await slow); // the caller still gets the answer...

            // ...but 1 of 2 attempts was slow: the circuit opened.
            await Assert.ThrowsAsync<BrokenCircuitException>(() => sidecar.GetAsync(3));
            Assert.Equal(2, inner.Pending.Count);

            time.Advance(TimeSpan.FromMilliseconds(1000));
            Task<int> probe = sidecar.GetAsync(4);
            inner.Pending[2].SetResult(4);
            Assert.Equal(4, await probe);
            Assert.True(registry.TryGet(SluggishServiceSidecar.CircuitName, out CircuitBreaker? circuit));
            Assert.Equal(CircuitState.Closed, circuit!.State);
        }
    }
}
