using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Refit;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Http.Tests
{
    /// <summary>
    /// Sidecars in front of real HTTP: requests go over loopback to <see cref="FlakyServer"/>, and the server's own
    /// request counts say what the policy did. Backoff delays run on a clock that fires at once (their lengths are
    /// recorded); timeouts run on the real clock, against a server that really hangs.
    /// </summary>
    public sealed class RealHttpTests : IClassFixture<FlakyServer>, IDisposable
    {
        private readonly FlakyServer _server;
        private readonly HttpClient _http;
        private readonly SteppingClock _time = new() { AutoAdvance = true };
        private readonly CircuitBreakerRegistry _circuits = new();

        public RealHttpTests(FlakyServer server)
        {
            _server = server;
            _http = new HttpClient { BaseAddress = server.BaseAddress };
        }

        public void Dispose() => _http.Dispose();

        private static string Key() => Guid.NewGuid().ToString("N");

        private IWeatherApi Weather(TimeProvider? time = null)
            => new WeatherApiSidecar(RestService.For<IWeatherApi>(_http), new SidecarOptions { TimeProvider = time ?? _time, CircuitBreakers = _circuits });

        [Fact]
        public async Task A_503_is_retried_with_backoff_until_the_server_answers_and_the_server_sees_exactly_the_attempts()
        {
            string key = Key();

            using HttpResponseMessage response = await Weather().FlakyAsync(key, 2, CancellationToken.None);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(3, _server.Requests("flaky/" + key)); // two 503s, then the answer
            Assert.Equal(new[] { 20d, 20d }, _time.RequestedDelays.Select(d => d.TotalMilliseconds));
        }

        [Fact]
        public async Task When_the_503s_outlast_the_retries_the_caller_gets_the_last_response()
        {
            string key = Key();

            using HttpResponseMessage response = await Weather().FlakyAsync(key, 100, CancellationToken.None);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode); // a result, not an exception
            Assert.Equal(3, _server.Requests("flaky/" + key)); // the third failure in a row opened the circuit: no fourth attempt
        }

        [Fact]
        public async Task A_429_waits_as_long_as_Retry_After_says()
        {
            string key = Key();

            using HttpResponseMessage response = await Weather().ThrottledAsync(key, CancellationToken.None);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, _server.Requests("throttled/" + key));
            Assert.Equal(new[] { TimeSpan.FromSeconds(2) }, _time.RequestedDelays); // the server's 2 s, not the policy's 20 ms
        }

        [Fact]
        public async Task A_404_is_the_callers_mistake_not_retried_and_not_counted_by_the_circuit()
        {
            string key = Key();
            IWeatherApi weather = Weather();

            for (int i = 0; i < 5; i++)
            {
                using HttpResponseMessage response = await weather.MissingAsync(key, CancellationToken.None);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }

            Assert.Equal(5, _server.Requests("missing/" + key)); // one request per call
            Assert.True(_circuits.TryGet(WeatherApiSidecar.CircuitName, out CircuitBreaker? circuit));
            Assert.Equal(CircuitState.Closed, circuit!.State); // five 404s, FailureThreshold = 3: still closed
        }

        [Fact]
        public async Task The_circuit_opens_on_503s_refuses_without_a_request_and_recovers_after_its_break()
        {
            string down = Key();
            string up = Key();
            IWeatherApi weather = Weather();

            using (await weather.FlakyAsync(down, 100, CancellationToken.None))
            {
            }

            Assert.True(_circuits.TryGet(WeatherApiSidecar.CircuitName, out CircuitBreaker? circuit));
            Assert.Equal(CircuitState.Open, circuit!.State);
            await Assert.ThrowsAsync<BrokenCircuitException>(() => weather.FlakyAsync(up, 0, CancellationToken.None));
            Assert.Equal(0, _server.Requests("flaky/" + up)); // refused before any request

            _time.Advance(TimeSpan.FromMilliseconds(1000)); // BreakDuration: the next call is the probe
            using HttpResponseMessage probe = await weather.FlakyAsync(up, 0, CancellationToken.None);

            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
            Assert.Equal(CircuitState.Closed, circuit.State);
            Assert.Equal(1, _server.Requests("flaky/" + up));
        }

        [Fact]
        public async Task The_attempt_timeout_cuts_off_a_hanging_server_and_the_server_sees_each_attempt_cancelled()
        {
            string key = Key();
            var watch = Stopwatch.StartNew();

            SidecarTimeoutException timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(() => Weather(TimeProvider.System).HangAsync(key, CancellationToken.None));

            Assert.False(timeout.IsTotalTimeout);
            Assert.Equal(2, _server.Requests("hang/" + key)); // the attempt and its retry
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(1990), "two attempts of 1 s took " + watch.ElapsedMilliseconds + " ms");
            Assert.True(SpinWait.SpinUntil(() => _server.Requests("aborted/hang/" + key) == 2, TimeSpan.FromSeconds(10)), "the server saw both attempts given up");
        }

        [Fact]
        public async Task The_deadline_cuts_off_a_hanging_server_and_no_retry_follows()
        {
            string key = Key();

            SidecarTimeoutException timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(() => Weather(TimeProvider.System).HangWithDeadlineAsync(key, CancellationToken.None));

            Assert.True(timeout.IsTotalTimeout);
            Assert.Equal(1, _server.Requests("hang/" + key)); // five retries allowed, none after the deadline
            Assert.True(SpinWait.SpinUntil(() => _server.Requests("aborted/hang/" + key) == 1, TimeSpan.FromSeconds(10)), "the server saw the attempt given up");
        }

        [Fact]
        public async Task A_class_form_sidecar_over_a_Refit_interface_retries_what_Refit_throws()
        {
            string key = Key();
            var forecast = new ResilientForecast(RestService.For<IForecastApi>(_http), new SidecarOptions { TimeProvider = _time, CircuitBreakers = _circuits });

            Assert.Equal("ok", await forecast.TextAsync(key, 2, CancellationToken.None));
            Assert.Equal(3, _server.Requests("flaky/" + key));

            string missing = Key();
            await Assert.ThrowsAsync<ApiException>(() => forecast.TextAsync(missing, 100, CancellationToken.None)); // 503 × 3: retries spent
            Assert.Equal(3, _server.Requests("flaky/" + missing));
        }

        [Fact]
        public async Task A_typed_HttpClient_from_the_factory_is_decorated_and_retried()
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(_time);
            services.AddSingleton(_circuits);
            services.AddHttpClient<IStatusClient, StatusClient>(client => client.BaseAddress = _server.BaseAddress);
            services.AddStatusClientSidecar();
            using ServiceProvider provider = services.BuildServiceProvider();
            string key = Key();

            IStatusClient client = provider.GetRequiredService<IStatusClient>();
            using HttpResponseMessage response = await client.GetAsync("/flaky/" + key + "/1", CancellationToken.None);

            Assert.IsType<StatusClientSidecar>(client);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, _server.Requests("flaky/" + key));
        }
    }
}
