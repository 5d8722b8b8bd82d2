using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
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
    /// A <see cref="MetricCollector{T}"/> on each instrument of the "Sidecar" meter, read back as readable lines:
    /// <c>instrument value tag=value, tag=value</c>, tags by name.
    /// </summary>
    internal sealed class SidecarMetrics : IDisposable
    {
        private static readonly string[] s_nameTags = { "sidecar.service", "sidecar.circuit", "sidecar.bulkhead" };

        private readonly MetricCollector<long> _calls = new(SidecarTelemetry.Calls);
        private readonly MetricCollector<long> _retries = new(SidecarTelemetry.Retries);
        private readonly MetricCollector<double> _retryDelay = new(SidecarTelemetry.RetryDelay);
        private readonly MetricCollector<long> _retriesDenied = new(SidecarTelemetry.RetriesDenied);
        private readonly MetricCollector<long> _transitions = new(SidecarTelemetry.CircuitTransitions);
        private readonly MetricCollector<int> _circuitState = new(SidecarTelemetry.CircuitStateGauge);
        private readonly MetricCollector<int> _bulkheadRunning = new(SidecarTelemetry.BulkheadRunningGauge);

        /// <summary>Reads the observable instruments (the circuit state and bulkhead gauges) now.</summary>
        public void Observe()
        {
            _circuitState.RecordObservableInstruments();
            _bulkheadRunning.RecordObservableInstruments();
        }

        /// <summary>
        /// The measurements whose <c>sidecar.service</c>, <c>sidecar.circuit</c> or <c>sidecar.bulkhead</c> tag is
        /// <paramref name="name"/> (other tests' sidecars use other names): instrument by instrument, in the order
        /// calls, retries, retry delay, retries denied, circuit transitions, circuit state, bulkhead running; each
        /// instrument's measurements in the order they were made.
        /// </summary>
        public string[] For(string name)
            => Lines(_calls, name)
                .Concat(Lines(_retries, name))
                .Concat(Lines(_retryDelay, name))
                .Concat(Lines(_retriesDenied, name))
                .Concat(Lines(_transitions, name))
                .Concat(Lines(_circuitState, name))
                .Concat(Lines(_bulkheadRunning, name))
                .ToArray();

        public void Dispose()
        {
            _calls.Dispose();
            _retries.Dispose();
            _retryDelay.Dispose();
            _retriesDenied.Dispose();
            _transitions.Dispose();
            _circuitState.Dispose();
            _bulkheadRunning.Dispose();
        }

        private static IEnumerable<string> Lines<T>(MetricCollector<T> collector, string name)
            where T : struct, IFormattable
            => collector.GetMeasurementSnapshot()
                .Where(m => s_nameTags.Any(tag => m.Tags.TryGetValue(tag, out object? value) && Equals(value, name)))
                .Select(m => collector.Instrument!.Name + " " + m.Value.ToString(null, CultureInfo.InvariantCulture) + " "
                    + string.Join(", ", m.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + Convert.ToString(t.Value, CultureInfo.InvariantCulture))));
    }
}
