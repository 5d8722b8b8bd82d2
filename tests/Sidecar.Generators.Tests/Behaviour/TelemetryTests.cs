using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>A generated sidecar reports to the "Sidecar" meter, so OpenTelemetry's AddMeter("Sidecar") sees it.</summary>
    public class TelemetryTests
    {
        private const string Service = "Sidecar.Generators.Tests.Behaviour.IMeteredService";

        [Fact]
        public void Calls_retries_and_fallbacks_are_measured_with_low_cardinality_tags()
        {
            var measurements = new ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == "Sidecar")
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var map = new Dictionary<string, object?>();
                foreach (var tag in tags)
                {
                    map[tag.Key] = tag.Value;
                }

                if (Equals(map.GetValueOrDefault("sidecar.service"), Service))
                {
                    measurements.Enqueue((instrument.Name, value, map));
                }
            });
            listener.Start();

            var inner = new MeteredInner();
            IMeteredService sidecar = new MeteredServiceSidecar(inner, new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            Assert.Equal(1, sidecar.Read(1));   // success
            inner.Failures = 1;
            Assert.Equal(2, sidecar.Read(2));   // one retry, then success
            inner.Failures = 5;
            Assert.Equal(-3, sidecar.Read(3));  // retried, failed again: the fallback answers

            string[] calls = measurements.Where(m => m.Instrument == "sidecar.calls").Select(m => (string)m.Tags["sidecar.outcome"]! + "/" + m.Tags["sidecar.method"]).ToArray();
            Assert.Equal(new[] { "success/Read", "success/Read", "fallback/Read" }, calls);
            Assert.Equal(2, measurements.Count(m => m.Instrument == "sidecar.retries"));
            string[] lowCardinality = { "sidecar.service", "sidecar.method", "sidecar.outcome", "exception.type" };
            Assert.All(measurements.SelectMany(m => m.Tags.Keys), key => Assert.Contains(key, lowCardinality)); // no argument values
        }

        private sealed class MeteredInner : IMeteredService
        {
            public int Failures { get; set; }

            public int Read(int id) => Failures-- > 0 ? throw new ConnectionError("down") : id;
        }
    }
}
