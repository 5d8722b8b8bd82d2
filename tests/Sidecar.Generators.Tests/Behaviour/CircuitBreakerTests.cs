using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>A generated sidecar opens, half-opens and closes its circuit.</summary>
    public class CircuitBreakerTests
    {
        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _registry = new();
        private readonly RecordingObserver _observer = new();

        private SidecarOptions Options => new() { TimeProvider = _time, CircuitBreakers = _registry, Observer = _observer };

        private CircuitBreaker Breaker => _registry.Breakers.Single();

        private static void FailTimes(IBreakerService sidecar, int times)
        {
            for (int i = 0; i < times; i++)
            {
                Assert.Throws<ConnectionError>(() => sidecar.Call());
            }
        }

        [Fact]
        public void Closed_opens_after_the_threshold_then_fails_fast_without_calling_the_inner()
        {
            var inner = new FlakyService(failures: 100);
            var sidecar = new BreakerServiceSidecar(inner, Options);

            FailTimes(sidecar, 3);
            Assert.Equal(CircuitState.Open, Breaker.State);

            var rejected = Assert.Throws<BrokenCircuitException>(() => sidecar.Call());
            Assert.Equal(3, inner.Calls);
            Assert.Equal(_time.GetUtcNow().AddSeconds(1), rejected.RetryAt);
            Assert.Equal(TimeSpan.FromSeconds(1), rejected.RetryAfter);
            Assert.Contains("Sidecar.Generators.Tests.Behaviour.IBreakerService", rejected.Message);
            Assert.Contains("1000 ms", rejected.Message);
        }

        [Fact]
        public void Success_resets_the_count_of_failures_in_a_row()
        {
            var inner = new FlakyService(failures: 2);
            var sidecar = new BreakerServiceSidecar(inner, Options);

            FailTimes(sidecar, 2);
            Assert.Equal(42, sidecar.Call());
            inner.SetFailures(2);
            FailTimes(sidecar, 2);

            Assert.Equal(CircuitState.Closed, Breaker.State);
        }

        [Fact]
        public void Open_half_opens_after_the_break_and_a_good_probe_closes_it()
        {
            var inner = new FlakyService(failures: 3);
            var sidecar = new BreakerServiceSidecar(inner, Options);
            FailTimes(sidecar, 3);

            _time.Advance(TimeSpan.FromMilliseconds(999));
            Assert.Throws<BrokenCircuitException>(() => sidecar.Call());

            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(42, sidecar.Call()); // the probe
            Assert.Equal(CircuitState.Closed, Breaker.State);
            Assert.Equal(42, sidecar.Call());
            Assert.Equal(5, inner.Calls);
            Assert.Equal(
                new[] { "Sidecar.Generators.Tests.Behaviour.IBreakerService -> Open", "Sidecar.Generators.Tests.Behaviour.IBreakerService -> HalfOpen", "Sidecar.Generators.Tests.Behaviour.IBreakerService -> Closed" },
                _observer.Events.Where(e => e.Contains("->")));
        }

        [Fact]
        public void A_bad_probe_opens_the_circuit_again_for_a_new_break()
        {
            var inner = new FlakyService(failures: 4);
            var sidecar = new BreakerServiceSidecar(inner, Options);
            FailTimes(sidecar, 3);

            _time.Advance(TimeSpan.FromSeconds(1));
            FailTimes(sidecar, 1); // the probe fails
            Assert.Equal(CircuitState.Open, Breaker.State);
            var rejected = Assert.Throws<BrokenCircuitException>(() => sidecar.Call());
            Assert.Equal(_time.GetUtcNow().AddSeconds(1), rejected.RetryAt);

            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(42, sidecar.Call());
            Assert.Equal(CircuitState.Closed, Breaker.State);
        }

        [Fact]
        public async Task Async_calls_fail_fast_with_a_faulted_task_when_open()
        {
            var inner = new FlakyService(failures: 3);
            var sidecar = new BreakerServiceSidecar(inner, Options);
            FailTimes(sidecar, 3);

            Task<int> call = sidecar.CallAsync();
            Assert.True(call.IsFaulted);
            await Assert.ThrowsAsync<BrokenCircuitException>(() => call);
            Assert.Equal(3, inner.Calls);
        }

        [Fact]
        public void Decorators_of_the_same_service_share_one_circuit()
        {
            var inner = new FlakyService(failures: 3);
            var first = new BreakerServiceSidecar(inner, Options);
            var second = new BreakerServiceSidecar(inner, Options); // e.g. a transient DI registration

            FailTimes(first, 3);

            Assert.Throws<BrokenCircuitException>(() => second.Call());
            var isolated = new BreakerServiceSidecar(inner, new SidecarOptions { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry() });
            Assert.Equal(42, isolated.Call());
        }

        [Fact]
        public void Under_parallel_failures_the_circuit_opens_once_and_then_refuses_everybody()
        {
            var inner = new FlakyService(failures: int.MaxValue);
            var sidecar = new BreakerServiceSidecar(inner, Options);
            int failures = 0, rejections = 0;

            Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
            {
                try
                {
                    sidecar.Call();
                }
                catch (ConnectionError)
                {
                    Interlocked.Increment(ref failures);
                }
                catch (BrokenCircuitException)
                {
                    Interlocked.Increment(ref rejections);
                }
            });

            Assert.Equal(4000, failures + rejections);
            Assert.Equal(inner.Calls, failures); // every call that reached the inner failed, and was counted once
            Assert.InRange(failures, 3, 3 + 8); // callers already past the gate when it opened may finish
            Assert.Single(_observer.Events, e => e.EndsWith("-> Open", StringComparison.Ordinal));
        }

        [Fact]
        public void Under_parallel_load_a_half_open_circuit_lets_exactly_one_probe_through()
        {
            var inner = new FlakyService(failures: 3);
            var sidecar = new BreakerServiceSidecar(inner, Options);
            FailTimes(sidecar, 3);
            _time.Advance(TimeSpan.FromSeconds(1));

            using var probeStarted = new ManualResetEventSlim();
            using var releaseProbe = new ManualResetEventSlim();
            var slowInner = new BlockingBreakerService(probeStarted, releaseProbe);
            var slowSidecar = new BreakerServiceSidecar(slowInner, Options); // same service: same circuit
            Task<int> probe = Task.Factory.StartNew(() => slowSidecar.Call(), TaskCreationOptions.LongRunning); // its own thread: a busy pool must not delay it
            Assert.True(probeStarted.Wait(TimeSpan.FromSeconds(10)));

            int rejected = 0;
            Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
            {
                try
                {
                    slowSidecar.Call();
                }
                catch (BrokenCircuitException)
                {
                    Interlocked.Increment(ref rejected);
                }
            });

            releaseProbe.Set();
            Assert.Equal(1, probe.GetAwaiter().GetResult());
            Assert.Equal(200, rejected);
            Assert.Equal(1, slowInner.Calls);
            Assert.Equal(CircuitState.Closed, Breaker.State);
        }

        private sealed class BlockingBreakerService : IBreakerService
        {
            private readonly ManualResetEventSlim _started;
            private readonly ManualResetEventSlim _release;
            private int _calls;

            public BlockingBreakerService(ManualResetEventSlim started, ManualResetEventSlim release)
            {
                _started = started;
                _release = release;
            }

            public int Calls => _calls;

            public int Call()
            {
                Interlocked.Increment(ref _calls);
                _started.Set();
                _release.Wait(TimeSpan.FromSeconds(30));
                return 1;
            }

            public Task<int> CallAsync(CancellationToken cancellationToken = default) => Task.FromResult(Call());
        }
    }
}
