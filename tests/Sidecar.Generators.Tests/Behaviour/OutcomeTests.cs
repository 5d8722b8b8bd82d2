using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>Classify: what is retried, what the circuit counts, what the fallback answers, and what the caller gets.</summary>
    public class OutcomeTests
    {
        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _circuits = new();

        private SidecarOptions Options => new() { TimeProvider = _time, CircuitBreakers = _circuits };

        private CircuitState WeatherCircuit => _circuits.TryGet(WeatherApiSidecar.CircuitName, out CircuitBreaker? circuit) ? circuit!.State : CircuitState.Closed;

        [Fact]
        public async Task A_returned_503_is_retried_after_the_delay_and_the_discarded_response_is_disposed()
        {
            var inner = new ScriptedWeather().Then(HttpStatusCode.ServiceUnavailable).Then(HttpStatusCode.OK);
            var weather = new WeatherApiSidecar(inner, Options);

            Task<HttpResponseMessage> call = weather.GetAsync("Oslo", CancellationToken.None);
            Assert.False(call.IsCompleted); // waiting out the delay
            Assert.Equal(1, inner.Calls);
            _time.Advance(TimeSpan.FromMilliseconds(99));
            Assert.Equal(1, inner.Calls);
            _time.Advance(TimeSpan.FromMilliseconds(1));

            HttpResponseMessage response = await call;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, inner.Calls);
            Assert.True(inner.Returned[0].Disposed, "the 503 nobody will read holds a connection until disposed");
            Assert.False(inner.Returned[1].Disposed);
        }

        [Fact]
        public async Task When_retries_run_out_the_caller_gets_the_last_result_not_an_exception()
        {
            var inner = new ScriptedWeather { Otherwise = () => new TrackedResponse(HttpStatusCode.BadGateway) };
            var weather = new WeatherApiSidecar(inner, new SidecarOptions { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry() });

            HttpResponseMessage response = await ClockDriver.Result(_time, () => weather.GetAsync("Oslo", CancellationToken.None), 100);

            // The third failed attempt in a row opened the circuit (FailureThreshold = 3), so no fourth attempt was made.
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal(3, inner.Calls);
            Assert.Same(inner.Returned[2], response);
            Assert.All(inner.Returned.Take(2), r => Assert.True(r.Disposed));
            Assert.False(inner.Returned[2].Disposed);
        }

        [Fact]
        public async Task A_404_is_neither_retried_nor_counted_by_the_circuit()
        {
            var inner = new ScriptedWeather { Otherwise = () => new TrackedResponse(HttpStatusCode.NotFound) };
            var weather = new WeatherApiSidecar(inner, Options);

            for (int i = 0; i < 10; i++)
            {
                HttpResponseMessage response = await weather.GetAsync("Atlantis", CancellationToken.None);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }

            Assert.Equal(10, inner.Calls); // one attempt each
            Assert.Equal(CircuitState.Closed, WeatherCircuit); // FailureThreshold = 3, yet ten 404s open nothing
        }

        [Fact]
        public async Task Transient_results_count_as_failures_and_open_the_circuit_and_a_good_probe_closes_it()
        {
            var inner = new ScriptedWeather { Otherwise = () => new TrackedResponse(HttpStatusCode.InternalServerError) };
            var weather = new WeatherApiSidecar(inner, Options);

            // Three failed attempts in a row open the circuit during the first call's retries: it stops retrying.
            HttpResponseMessage first = await ClockDriver.Result(_time, () => weather.GetAsync("Oslo", CancellationToken.None), 100);
            Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
            Assert.Equal(3, inner.Calls);
            Assert.Equal(CircuitState.Open, WeatherCircuit);
            await Assert.ThrowsAsync<BrokenCircuitException>(() => weather.GetAsync("Oslo", CancellationToken.None));
            Assert.Equal(3, inner.Calls);

            _time.Advance(TimeSpan.FromMilliseconds(1000));
            inner.Otherwise = () => new TrackedResponse(HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.OK, (await weather.GetAsync("Oslo", CancellationToken.None)).StatusCode);
            Assert.Equal(CircuitState.Closed, WeatherCircuit);
        }

        [Fact]
        public async Task A_bad_probe_result_opens_the_circuit_again()
        {
            var inner = new ScriptedWeather { Otherwise = () => new TrackedResponse(HttpStatusCode.ServiceUnavailable) };
            var weather = new WeatherApiSidecar(inner, Options);
            await ClockDriver.Result(_time, () => weather.GetAsync("Oslo", CancellationToken.None), 100);
            Assert.Equal(CircuitState.Open, WeatherCircuit);

            _time.Advance(TimeSpan.FromMilliseconds(1000));
            HttpResponseMessage probe = await weather.GetAsync("Oslo", CancellationToken.None);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, probe.StatusCode);
            Assert.Equal(4, inner.Calls);
            Assert.Equal(CircuitState.Open, WeatherCircuit);
        }

        [Fact]
        public async Task Retry_After_on_a_429_is_the_least_the_next_attempt_waits()
        {
            var inner = new ScriptedWeather().Then(HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(2)).Then(HttpStatusCode.OK);
            var weather = new WeatherApiSidecar(inner, Options);

            Task<HttpResponseMessage> call = weather.GetAsync("Oslo", CancellationToken.None);
            _time.Advance(TimeSpan.FromMilliseconds(1999));
            Assert.Equal(1, inner.Calls); // not after the 100 ms backoff: the server asked for 2 s
            _time.Advance(TimeSpan.FromMilliseconds(1));

            Assert.Equal(HttpStatusCode.OK, (await call).StatusCode);
            Assert.Equal(2, inner.Calls);
        }

        [Fact]
        public async Task An_HttpClient_timeout_is_retried_and_an_HttpRequestException_with_404_is_not()
        {
            var inner = new ScriptedWeather()
                .Throws(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException()))
                .Then(HttpStatusCode.OK);
            var weather = new WeatherApiSidecar(inner, Options);
            Assert.Equal(HttpStatusCode.OK, (await ClockDriver.Result(_time, () => weather.GetAsync("Oslo", CancellationToken.None), 100)).StatusCode);
            Assert.Equal(2, inner.Calls);

            var missing = new HttpRequestException("Not found", null, HttpStatusCode.NotFound);
            var notFound = new ScriptedWeather().Throws(missing).Throws(missing).Throws(missing).Throws(missing);
            var strict = new WeatherApiSidecar(notFound, Options);
            for (int i = 0; i < 4; i++)
            {
                Assert.Same(missing, await Assert.ThrowsAsync<HttpRequestException>(() => strict.PingAsync(CancellationToken.None)));
            }

            Assert.Equal(4, notFound.Calls);
            Assert.Equal(CircuitState.Closed, WeatherCircuit);
        }

        [Fact]
        public async Task ValueTask_and_synchronous_members_classify_their_results_too()
        {
            var inner = new ScriptedWeather().Then(HttpStatusCode.ServiceUnavailable).Then(HttpStatusCode.OK).Then(HttpStatusCode.GatewayTimeout).Then(HttpStatusCode.OK);
            var weather = new WeatherApiSidecar(inner, new SidecarOptions { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry() });

            Assert.Equal(HttpStatusCode.OK, (await ClockDriver.Result(_time, () => weather.GetValueAsync("Oslo", CancellationToken.None).AsTask(), 100)).StatusCode);
            Assert.Equal(2, inner.Calls);

            Task<HttpResponseMessage> sync = Task.Run(() => weather.Get("Oslo", CancellationToken.None));
            HttpResponseMessage response = await ClockDriver.Result(_time, () => sync, 100);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(4, inner.Calls);
            Assert.True(inner.Returned[2].Disposed);
        }

        [Fact]
        public async Task The_caller_cancelling_during_the_delay_after_a_bad_result_ends_the_call()
        {
            var inner = new ScriptedWeather { Otherwise = () => new TrackedResponse(HttpStatusCode.ServiceUnavailable) };
            var weather = new WeatherApiSidecar(inner, Options);
            using var cts = new CancellationTokenSource();

            Task<HttpResponseMessage> call = weather.GetAsync("Oslo", cts.Token);
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            Assert.Equal(1, inner.Calls);
        }

        [Fact]
        public async Task Class_form_the_fallback_answers_a_final_transient_result_and_sees_it()
        {
            var inner = new ScriptedStock().Then(-1, -2, -3);
            var stock = new ResilientStock(inner, Options);

            Assert.Equal(1003, await stock.CountAsync("sku")); // the fallback got the last result, -3
            Assert.Equal(3, inner.Calls);
            Assert.Equal(3, stock.ResultsJudged); // once per attempt: the fast path's verdict is not asked again
            SidecarResultException seen = Assert.IsType<SidecarResultException>(Assert.Single(stock.FallbackSaw));
            Assert.Equal(Outcome.Transient, seen.Outcome);
            Assert.Equal(3, seen.Attempt);

            inner.Then(-1, -2, -3);
            Assert.Equal(1003, stock.Count("sku", 1));
            Assert.Equal(6, inner.Calls);
        }

        [Fact]
        public async Task Class_form_an_ignored_result_or_exception_is_handed_back_without_the_fallback()
        {
            var unknown = new ArgumentException("no such SKU");
            var inner = new ScriptedStock().Then(0, unknown, 0);
            var stock = new ResilientStock(inner, Options);

            Assert.Equal(0, await stock.CountAsync("nope"));
            Assert.Same(unknown, await Assert.ThrowsAsync<ArgumentException>(() => stock.CountAsync("nope")));
            Assert.Equal(0, stock.Count("nope", 1));

            Assert.Equal(3, inner.Calls);
            Assert.Empty(stock.FallbackSaw);
            Assert.Equal(1, stock.ExceptionsJudged);
        }

        [Fact]
        public async Task Class_form_an_exception_classified_Failure_is_not_retried_but_the_fallback_answers_it()
        {
            var broken = new NotSupportedException("schema changed");
            var inner = new ScriptedStock().Then(broken);
            var stock = new ResilientStock(inner, Options);

            Assert.Equal(999, await stock.CountAsync("sku"));
            Assert.Equal(1, inner.Calls);
            Assert.Same(broken, Assert.Single(stock.FallbackSaw));
        }

        [Fact]
        public async Task A_classifier_that_throws_gives_back_the_bulkhead_slot_and_the_fallback_answers_its_exception()
        {
            var inner = new ScriptedStock().Then(5, 5, 5);
            var stock = new ResilientStock(inner, Options) { ClassifierThrows = true };

            Assert.Equal(999, await stock.CountAsync("sku"));
            Assert.IsType<InvalidOperationException>(Assert.Single(stock.FallbackSaw));
            Assert.Equal(1, inner.Calls); // a bug in Classify is not retried

            // MaxConcurrency = 1: a slot kept by the failed classification would refuse this call.
            stock.ClassifierThrows = false;
            Assert.Equal(5, await stock.CountAsync("sku"));
            Assert.Equal(5, stock.Count("sku", 1));
        }

        [Fact]
        public async Task Without_Classify_a_NeverRetryOn_exception_is_ignored_so_the_fallback_leaves_it_to_the_caller()
        {
            var wrong = new ArgumentException("bad SKU");
            var inner = new ScriptedStock().Then(wrong, new InvalidOperationException("down"), new InvalidOperationException("down"), new InvalidOperationException("down"));
            var stock = new DefaultClassifiedStock(inner, Options);

            Assert.Same(wrong, await Assert.ThrowsAsync<ArgumentException>(() => stock.CountAsync("x")));
            Assert.Equal(-1, await stock.CountAsync("x")); // transient, retried twice, then answered
            Assert.Equal(4, inner.Calls);
        }
    }
}
