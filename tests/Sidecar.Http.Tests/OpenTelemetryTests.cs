using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Refit;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Http.Tests
{
    /// <summary>A service of its own, so that no other test's calls reach this test's meter readings.</summary>
    [Sidecar(Retries = 3, Delay = 20, Backoff = Backoff.Constant, Classify = "Classify")]
    public interface IMeteredApi
    {
        [Get("/flaky/{key}/{failures}")]
        Task<HttpResponseMessage> FlakyAsync(string key, int failures, CancellationToken cancellationToken);
    }

    public partial class MeteredApiSidecar
    {
        private static Outcome Classify(HttpResponseMessage response) => SidecarHttp.Classify(response);
    }

    /// <summary>The OpenTelemetry SDK, with AddMeter("Sidecar") alone, reads the sidecar's metrics back.</summary>
    public sealed class OpenTelemetryTests : IClassFixture<FlakyServer>
    {
        private readonly FlakyServer _server;

        public OpenTelemetryTests(FlakyServer server) => _server = server;

        [Fact]
        public async Task The_meter_reports_the_call_its_retries_and_their_delays_in_seconds()
        {
            var exported = new List<Metric>();
            using MeterProvider meters = Sdk.CreateMeterProviderBuilder().AddMeter(SidecarTelemetry.MeterName).AddInMemoryExporter(exported).Build()!;
            using var http = new HttpClient { BaseAddress = _server.BaseAddress };
            var api = new MeteredApiSidecar(RestService.For<IMeteredApi>(http), new SidecarOptions { TimeProvider = new SteppingClock { AutoAdvance = true }, CircuitBreakers = new CircuitBreakerRegistry() });

            using HttpResponseMessage response = await api.FlakyAsync(Guid.NewGuid().ToString("N"), 2, CancellationToken.None);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            meters.ForceFlush();

            Metric calls = exported.Last(m => m.Name == "sidecar.calls");
            Assert.Equal("{call}", calls.Unit);
            Assert.Equal(1, Sum(calls, ("sidecar.outcome", "success")));
            Metric retries = exported.Last(m => m.Name == "sidecar.retries");
            Assert.Equal("{retry}", retries.Unit);
            Assert.Equal(2, Sum(retries));
            Metric delays = exported.Last(m => m.Name == "sidecar.retry.delay");
            Assert.Equal("s", delays.Unit); // durations in seconds, as the semantic conventions say
            (long count, double sum) = Histogram(delays);
            Assert.Equal(2, count);
            Assert.Equal(0.04, sum, 6);
        }

        private static IEnumerable<MetricPoint> Points(Metric metric)
        {
            foreach (ref readonly MetricPoint point in metric.GetMetricPoints())
            {
                if (Has(point, ("sidecar.service", MeteredApiSidecar.CircuitName)))
                {
                    yield return point;
                }
            }
        }

        private static long Sum(Metric metric, params (string Key, string Value)[] tags)
            => Points(metric).Where(p => tags.All(t => Has(p, t))).Sum(p => p.GetSumLong());

        private static (long Count, double Sum) Histogram(Metric metric)
        {
            MetricPoint[] points = Points(metric).ToArray();
            return (points.Sum(p => p.GetHistogramCount()), points.Sum(p => p.GetHistogramSum()));
        }

        private static bool Has(MetricPoint point, (string Key, string Value) tag)
        {
            foreach (KeyValuePair<string, object?> pair in point.Tags)
            {
                if (pair.Key == tag.Key && Equals(pair.Value, tag.Value))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
