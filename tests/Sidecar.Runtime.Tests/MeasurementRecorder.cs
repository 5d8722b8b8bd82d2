using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Linq;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>
    /// The tests that listen to the static "Sidecar" meter and activity source. They run one at a time, after the
    /// parallel tests, so that a listener of one test cannot allocate on the thread another test measures.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class TelemetryCollection
    {
        public const string Name = "Sidecar telemetry";
    }

    /// <summary>
    /// Listens to every instrument of the "Sidecar" meter and keeps each measurement as one readable line:
    /// <c>instrument value tag=value, tag=value</c> (tags in the order they were recorded).
    /// </summary>
    internal sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<Measured> _measurements = new();

        public MeasurementRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SidecarTelemetry.MeterName)
                {
                    Published.Enqueue(instrument);
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
            _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
            _listener.Start();
        }

        /// <summary>The Sidecar instruments this listener was told about.</summary>
        public ConcurrentQueue<Instrument> Published { get; } = new();

        /// <summary>Reads the observable instruments (the circuit state gauge) now.</summary>
        public void Observe() => _listener.RecordObservableInstruments();

        /// <summary>
        /// The measurements whose <c>sidecar.service</c>, <c>sidecar.circuit</c> or <c>sidecar.bulkhead</c> tag is <paramref name="name"/>, in the
        /// order they were made: other tests' sidecars use other names.
        /// </summary>
        public string[] For(string name)
            => _measurements
                .Where(m => m.Tags.Any(t => (t.Key == "sidecar.service" || t.Key == "sidecar.circuit" || t.Key == "sidecar.bulkhead") && Equals(t.Value, name)))
                .Select(m => m.ToString())
                .ToArray();

        public void Dispose() => _listener.Dispose();

        private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct, IFormattable
            => _measurements.Enqueue(new Measured(instrument.Name, value.ToString(null, CultureInfo.InvariantCulture), tags.ToArray()));

        private sealed record Measured(string Instrument, string Value, KeyValuePair<string, object?>[] Tags)
        {
            public override string ToString()
                => Instrument + " " + Value + " " + string.Join(", ", Tags.Select(t => t.Key + "=" + Convert.ToString(t.Value, CultureInfo.InvariantCulture)));
        }
    }
}
