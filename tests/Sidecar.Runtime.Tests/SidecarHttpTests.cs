using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>The HTTP rules: which statuses and exceptions are retried, counted or left to the caller.</summary>
    public sealed class SidecarHttpTests
    {
        [Theory]
        [InlineData(200, Outcome.Success)]
        [InlineData(204, Outcome.Success)]
        [InlineData(302, Outcome.Success)]
        [InlineData(400, Outcome.Ignored)]
        [InlineData(401, Outcome.Ignored)]
        [InlineData(404, Outcome.Ignored)]
        [InlineData(407, Outcome.Ignored)]
        [InlineData(408, Outcome.Transient)]
        [InlineData(409, Outcome.Ignored)]
        [InlineData(429, Outcome.Transient)]
        [InlineData(499, Outcome.Ignored)]
        [InlineData(500, Outcome.Transient)]
        [InlineData(501, Outcome.Transient)]
        [InlineData(503, Outcome.Transient)]
        [InlineData(504, Outcome.Transient)]
        [InlineData(599, Outcome.Transient)]
        public void Statuses_are_classified_as_Microsoft_Extensions_Http_Resilience_does(int status, Outcome expected)
        {
            Assert.Equal(expected, SidecarHttp.Classify((HttpStatusCode)status));
            using var response = new HttpResponseMessage((HttpStatusCode)status);
            Assert.Equal(expected, SidecarHttp.Classify(response));
        }

        [Fact]
        public void Exceptions_an_HTTP_call_throws_are_classified()
        {
            Assert.Equal(Outcome.Transient, SidecarHttp.Classify(new HttpRequestException("connection refused")));
            Assert.Equal(Outcome.Transient, SidecarHttp.Classify(new HttpRequestException("bad gateway", null, HttpStatusCode.BadGateway)));
            Assert.Equal(Outcome.Ignored, SidecarHttp.Classify(new HttpRequestException("not found", null, HttpStatusCode.NotFound)));
            Assert.Equal(Outcome.Failure, SidecarHttp.Classify(new HttpRequestException("odd", null, HttpStatusCode.OK)));

            // HttpClient.Timeout: a TaskCanceledException around a TimeoutException.
            Assert.Equal(Outcome.Transient, SidecarHttp.Classify(new TaskCanceledException("timed out", new TimeoutException())));
            Assert.Equal(Outcome.Failure, SidecarHttp.Classify(new TaskCanceledException("cancelled")));
            Assert.Equal(Outcome.Transient, SidecarHttp.Classify(new TimeoutException()));
            Assert.Equal(Outcome.Transient, SidecarHttp.Classify(new SidecarTimeoutException("Weather", "GetAsync", TimeSpan.FromSeconds(1))));
            Assert.Equal(Outcome.Failure, SidecarHttp.Classify(new FormatException("bad JSON")));
            Assert.Throws<ArgumentNullException>(() => SidecarHttp.Classify((Exception)null!));
        }

        [Fact]
        public void Retry_After_is_read_as_seconds_or_as_a_date_on_the_given_clock()
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
            using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            seconds.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            Assert.Equal(TimeSpan.FromSeconds(7), SidecarHttp.RetryAfter(seconds, clock));

            using var date = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            date.Headers.RetryAfter = new RetryConditionHeaderValue(clock.GetUtcNow().AddSeconds(30));
            Assert.Equal(TimeSpan.FromSeconds(30), SidecarHttp.RetryAfter(date, clock));
            clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(TimeSpan.Zero, SidecarHttp.RetryAfter(date, clock)); // a date in the past: come back now

            using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            Assert.Null(SidecarHttp.RetryAfter(none, clock));
        }

        private sealed record Secret(string CardNumber);

        [Fact]
        public void A_result_exception_describes_the_result_on_one_line()
        {
            using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            var exception = new SidecarResultException("GetAsync", response, Outcome.Transient, 2, TimeSpan.FromSeconds(3));

            Assert.Equal("GetAsync returned a result classified Transient (attempt 2): an HTTP response with status 503 ServiceUnavailable.", exception.Message);
            Assert.Equal(
                "GetAsync returned a result classified Failure (attempt 1): a Sidecar.Runtime.Tests.SidecarHttpTests+Secret.",
                new SidecarResultException("GetAsync", new Secret("4111 1111 1111 1111"), Outcome.Failure, 1).Message); // never the result's text
            Assert.DoesNotContain("\n", exception.Message, StringComparison.Ordinal);
            Assert.Same(response, exception.Result);
            Assert.Equal(TimeSpan.FromSeconds(3), ((IRetryAfter)exception).RetryAfter);
        }
    }
}
