using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>Fault injection through the overrides: injected faults, latency and results go through the real policies.</summary>
    public class ChaosTests
    {
        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _circuits = new();

        private SidecarOptions Options(string entry, SidecarPolicyOverride chaos, SidecarChaos? how = null)
        {
            var options = new SidecarOptions { TimeProvider = _time, CircuitBreakers = _circuits, Chaos = how };
            options.Overrides[entry] = chaos;
            return options;
        }

        [Fact]
        public async Task Injected_faults_are_classified_and_retried_like_real_ones_and_the_dependency_is_not_called()
        {
            var inner = new ScriptedWeather();
            var refused = new HttpRequestException("injected: connection refused");
            var weather = new WeatherApiSidecar(inner, Options("IWeatherApi.GetAsync", new SidecarPolicyOverride { ChaosFaultRate = 1 }, new SidecarChaos { Fault = _ => refused }));

            HttpRequestException thrown = await Assert.ThrowsAsync<HttpRequestException>(() => ClockDriver.Result(_time, () => weather.GetAsync("Oslo", CancellationToken.None), 100));
            Assert.Same(refused, thrown);
            Assert.Equal(0, inner.Calls); // every attempt was injected
            Assert.True(_circuits.TryGet(WeatherApiSidecar.CircuitName, out CircuitBreaker? circuit));
            Assert.Equal(CircuitState.Open, circuit!.State); // three transient failures in a row, injected or not

            // Other members of the service are left alone.
            var calm = new WeatherApiSidecar(new ScriptedWeather(), Options("IWeatherApi.GetAsync", new SidecarPolicyOverride { ChaosFaultRate = 1 }));
            _circuits.ResetAll();
            await calm.PingAsync(CancellationToken.None);
        }

        [Fact]
        public async Task An_injected_result_stands_for_the_dependency_and_is_classified()
        {
            var inner = new ScriptedWeather();
            var chaos = new SidecarChaos { Result = member => member.Name == "GetAsync" ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : null };
            var weather = new WeatherApiSidecar(inner, Options("IWeatherApi", new SidecarPolicyOverride { ChaosResultRate = 1 }, chaos));

            HttpResponseMessage response = await ClockDriver.Result(_time, () => weather.GetAsync("Oslo", CancellationToken.None), 100);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode); // retried as Transient, then handed back
            Assert.Equal(0, inner.Calls);
            Assert.True(_circuits.TryGet(WeatherApiSidecar.CircuitName, out CircuitBreaker? circuit));
            Assert.Equal(CircuitState.Open, circuit!.State);
        }

        [Fact]
        public async Task Injected_latency_is_cut_short_by_the_attempts_timeout()
        {
            var inner = new ControlledDeadlineService { FailAtOnce = () => new ConnectionError("never reached") };
            var sidecar = new DeadlineServiceSidecar(inner, Options("IDeadlineService.TimedAsync", new SidecarPolicyOverride { ChaosLatencyRate = 1, ChaosLatency = 5_000 }));

            Task<int> call = sidecar.TimedAsync(1, CancellationToken.None);
            int moved = await ClockDriver.RunUntilDone(_time, call, 10);

            // Each attempt waited in the injected latency until its 90 ms timeout; the deadline of 1 s ended the call.
            SidecarTimeoutException timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);
            Assert.True(timeout.IsTotalTimeout);
            Assert.Equal(0, inner.Calls);
            Assert.Equal(1000, moved);
        }

        [Fact]
        public async Task A_seeded_fault_rate_injects_exactly_what_the_dice_say()
        {
            var inner = new QueuedlessStock();
            var stock = new DefaultClassifiedStock(inner, Options("IStock.CountAsync", new SidecarPolicyOverride { ChaosFaultRate = 0.3 }, new SidecarChaos { Seed = 42 }));
            var dice = new Random(42);
            int expectedCalls = 0;
            int expectedFallbacks = 0;
            for (int call = 0; call < 200; call++)
            {
                // Each call: up to 3 attempts (Retries = 2); an attempt calls the dependency unless the dice say < 0.3.
                bool answered = false;
                for (int attempt = 0; attempt < 3 && !answered; attempt++)
                {
                    answered = dice.NextDouble() >= 0.3;
                    expectedCalls += answered ? 1 : 0;
                }

                expectedFallbacks += answered ? 0 : 1;
            }

            int fallbacks = 0;
            for (int call = 0; call < 200; call++)
            {
                fallbacks += await stock.CountAsync("sku") == -1 ? 1 : 0;
            }

            Assert.Equal(expectedCalls, inner.Calls);
            Assert.Equal(expectedFallbacks, fallbacks); // three injected faults in a row: the fallback answered
            Assert.InRange(expectedFallbacks, 1, 20);
        }

        [Fact]
        public async Task Without_a_rate_nothing_is_injected_and_the_fast_path_returns_the_dependencys_own_task()
        {
            var inner = new ScriptedWeather();
            var weather = new WeatherApiSidecar(inner, new SidecarOptions { TimeProvider = _time, CircuitBreakers = _circuits, Chaos = new SidecarChaos { Seed = 1 } });

            Assert.Equal(HttpStatusCode.OK, (await weather.GetAsync("Oslo", CancellationToken.None)).StatusCode);
            Assert.Equal(1, inner.Calls);
            Assert.Empty(_time.RequestedDelays);
        }
    }

    /// <summary>Counts calls and answers 5 at once.</summary>
    public sealed class QueuedlessStock : IStock
    {
        public int Calls { get; private set; }

        public Task<int> CountAsync(string sku)
        {
            Calls++;
            return Task.FromResult(5);
        }

        public int Count(string sku, int shelf) => 5;
    }
}
