using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Sidecar
{
    /// <summary>
    /// The names under which sidecars publish metrics (<see cref="Meter"/>) and trace events
    /// (<see cref="ActivitySource"/>). With OpenTelemetry: <c>AddMeter(SidecarTelemetry.MeterName)</c> and
    /// <c>AddSource(SidecarTelemetry.ActivitySourceName)</c>. The instruments are listed in docs/telemetry.md.
    /// </summary>
    /// <remarks>
    /// Nothing is measured while nobody listens: every recording is guarded by the instrument's
    /// <see cref="Instrument.Enabled"/>, and trace events are added only while the source has a listener and the
    /// current activity records data. Tags are low-cardinality (service, method, outcome, exception type, circuit
    /// name and state), never argument values. Telemetry never throws into a call.
    /// </remarks>
    public static partial class SidecarTelemetry
    {
        /// <summary>The name of the <see cref="Meter"/>: <c>"Sidecar"</c>.</summary>
        public const string MeterName = "Sidecar";

        /// <summary>The name of the <see cref="ActivitySource"/>: <c>"Sidecar"</c>.</summary>
        public const string ActivitySourceName = "Sidecar";

        // Instrument names.
        internal const string CallsName = "sidecar.calls";
        internal const string RetriesName = "sidecar.retries";
        internal const string RetryDelayName = "sidecar.retry.delay";
        internal const string CircuitTransitionsName = "sidecar.circuit.transitions";
        internal const string CircuitStateName = "sidecar.circuit.state";
        internal const string RetriesDeniedName = "sidecar.retries.denied";
        internal const string BulkheadRunningName = "sidecar.bulkhead.running";

        // Tag names.
        internal const string ServiceTag = "sidecar.service";
        internal const string MethodTag = "sidecar.method";
        internal const string OutcomeTag = "sidecar.outcome";
        internal const string ExceptionTypeTag = "exception.type";
        internal const string CircuitTag = "sidecar.circuit";
        internal const string BulkheadTag = "sidecar.bulkhead";
        internal const string CircuitStateTag = "sidecar.circuit.state";
        internal const string AttemptTag = "sidecar.attempt";
        internal const string RetryDelayTag = "sidecar.retry.delay_ms";
        internal const string InjectedTag = "sidecar.injected";

        // Values of sidecar.outcome.
        internal const string Success = "success";
        internal const string Failure = "failure";
        internal const string Rejected = "rejected";
        internal const string Fallback = "fallback";
        internal const string Canceled = "canceled";
        internal const string Ignored = "ignored";

        // Trace event names.
        internal const string RetryEvent = "sidecar.retry";
        internal const string CircuitOpenEvent = "sidecar.circuit_open";
        internal const string CircuitStateEvent = "sidecar.circuit_state";
        internal const string FallbackEvent = "sidecar.fallback";

        private static readonly string? s_version = typeof(SidecarTelemetry).Assembly.GetName().Version?.ToString();

        // Registries whose circuits the sidecar.circuit.state gauge reports, held weakly so that a registry a test
        // drops is collected. Dead entries are swept whenever the list has doubled since the last sweep.
        private static readonly object s_registriesGate = new();
        private static readonly List<WeakReference<CircuitBreakerRegistry>> s_registries = new();
        private static int s_sweepAt = 16;

        internal static readonly Meter Meter = new(MeterName, s_version);

        internal static readonly ActivitySource Source = new(ActivitySourceName, s_version);

        internal static readonly Counter<long> Calls = Meter.CreateCounter<long>(
            CallsName,
            "{call}",
            "Calls that finished, by outcome: success, failure, rejected (circuit open), fallback, canceled.");

        internal static readonly Counter<long> Retries = Meter.CreateCounter<long>(
            RetriesName,
            "{retry}",
            "Failed attempts that are tried again.");

        // In seconds, as the OpenTelemetry semantic conventions measure durations.
        internal static readonly Histogram<double> RetryDelay = Meter.CreateHistogram<double>(
            RetryDelayName,
            "s",
            "The wait before each retry.");

        internal static readonly Counter<long> RetriesDenied = Meter.CreateCounter<long>(
            RetriesDeniedName,
            unit: "{retry}",
            description: "Retries not made because the service's retry budget was spent.");

        internal static readonly Counter<long> CircuitTransitions = Meter.CreateCounter<long>(
            CircuitTransitionsName,
            "{transition}",
            "Circuit state changes, by the state entered.");

        internal static readonly ObservableGauge<int> CircuitStateGauge = Meter.CreateObservableGauge<int>(
            CircuitStateName,
            ObserveCircuits,
            "{state}",
            "The state of each circuit: 0 closed, 1 open, 2 half-open.");

        internal static readonly ObservableGauge<int> BulkheadRunningGauge = Meter.CreateObservableGauge<int>(
            BulkheadRunningName,
            ObserveBulkheads,
            "{call}",
            "Attempts running inside each bulkhead (MaxConcurrency); a bulkhead at its limit refuses more.");

        /// <summary>The value of <c>sidecar.circuit.state</c> for a state.</summary>
        internal static string StateName(CircuitState state) => state switch
        {
            CircuitState.Closed => "closed",
            CircuitState.Open => "open",
            _ => "half_open",
        };

        /// <summary>Lets the <c>sidecar.circuit.state</c> gauge see the circuits of <paramref name="registry"/>.</summary>
        internal static void Track(CircuitBreakerRegistry registry)
        {
            lock (s_registriesGate)
            {
                if (s_registries.Count >= s_sweepAt)
                {
                    s_registries.RemoveAll(static r => !r.TryGetTarget(out _));
                    s_sweepAt = Math.Max(16, s_registries.Count * 2);
                }

                s_registries.Add(new WeakReference<CircuitBreakerRegistry>(registry));
            }
        }

        /// <summary>Whether anybody listens to <c>sidecar.calls</c> (the one check on the happy path).</summary>
        internal static bool IsRecordingCalls
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Calls.Enabled;
        }

        /// <summary>A successful call.</summary>
        internal static void CallSucceeded(string service, string? member)
        {
            if (Calls.Enabled)
            {
                RecordCall(service, member, Success, null);
            }
        }

        /// <summary>A call that ended with <paramref name="outcome"/> (not success).</summary>
        internal static void CallEnded(string service, string member, string outcome, Exception? exception)
        {
            if (Calls.Enabled)
            {
                RecordCall(service, member, outcome, exception);
            }
        }

        /// <summary>A failed attempt that is tried again after <c>delay</c>; <c>attempt</c> is the one that failed, 1 for the first.</summary>
        internal static void Retrying(string service, string member, int attempt, Exception exception, TimeSpan delay)
        {
            try
            {
                if (Retries.Enabled)
                {
                    var tags = new TagList
                    {
                        { ServiceTag, service },
                        { MethodTag, member },
                        { ExceptionTypeTag, TypeName(exception) },
                    };
                    if (IsInjected(exception))
                    {
                        tags.Add(InjectedTag, true);
                    }

                    Retries.Add(1, tags);
                }

                if (RetryDelay.Enabled)
                {
                    var tags = new TagList
                    {
                        { ServiceTag, service },
                        { MethodTag, member },
                    };
                    RetryDelay.Record(delay.TotalSeconds, tags);
                }

                if (CurrentActivity() is Activity activity)
                {
                    activity.AddEvent(new ActivityEvent(RetryEvent, tags: new ActivityTagsCollection
                    {
                        { ServiceTag, service },
                        { MethodTag, member },
                        { AttemptTag, attempt },
                        { RetryDelayTag, delay.TotalMilliseconds },
                        { ExceptionTypeTag, TypeName(exception) },
                    }));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Telemetry never changes what the call does.
            }
        }

        /// <summary>
        /// A call refused by an open (or half-open, probe running) circuit; <c>countCall</c> when the refusal ends the
        /// call (no fallback answers it).
        /// </summary>
        internal static void CallRejected(string service, string member, string circuit, CircuitState state, bool countCall)
        {
            if (countCall)
            {
                CallEnded(service, member, Rejected, null);
            }

            try
            {
                if (CurrentActivity() is Activity activity)
                {
                    activity.AddEvent(new ActivityEvent(CircuitOpenEvent, tags: new ActivityTagsCollection
                    {
                        { ServiceTag, service },
                        { MethodTag, member },
                        { CircuitTag, circuit },
                        { CircuitStateTag, StateName(state) },
                    }));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Telemetry never changes what the call does.
            }
        }

        /// <summary>A retry the retry budget did not allow.</summary>
        internal static void RetryDenied(string service, string member, string budget)
        {
            if (!RetriesDenied.Enabled)
            {
                return;
            }

            try
            {
                RetriesDenied.Add(1, new KeyValuePair<string, object?>(ServiceTag, service), new KeyValuePair<string, object?>(MethodTag, member), new KeyValuePair<string, object?>(CircuitTag, budget));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Telemetry never changes what the call does.
            }
        }

        /// <summary>A call answered by its fallback.</summary>
        internal static void FellBack(string service, string member, Exception exception)
        {
            CallEnded(service, member, Fallback, exception);
            try
            {
                if (CurrentActivity() is Activity activity)
                {
                    activity.AddEvent(new ActivityEvent(FallbackEvent, tags: new ActivityTagsCollection
                    {
                        { ServiceTag, service },
                        { MethodTag, member },
                        { ExceptionTypeTag, TypeName(exception) },
                    }));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Telemetry never changes what the call does.
            }
        }

        /// <summary>A circuit moved to <paramref name="state"/>.</summary>
        internal static void CircuitChanged(string circuit, CircuitState state)
        {
            try
            {
                if (CircuitTransitions.Enabled)
                {
                    var tags = new TagList
                    {
                        { CircuitTag, circuit },
                        { CircuitStateTag, StateName(state) },
                    };
                    CircuitTransitions.Add(1, tags);
                }

                if (CurrentActivity() is Activity activity)
                {
                    activity.AddEvent(new ActivityEvent(CircuitStateEvent, tags: new ActivityTagsCollection
                    {
                        { CircuitTag, circuit },
                        { CircuitStateTag, StateName(state) },
                    }));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Telemetry never changes what the call does.
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RecordCall(string service, string? member, string outcome, Exception? exception)
        {
            try
            {
                var tags = new TagList { { ServiceTag, service } };
                if (member is not null)
                {
                    tags.Add(MethodTag, member);
                }

                tags.Add(OutcomeTag, outcome);
                if (exception is not null)
                {
                    tags.Add(ExceptionTypeTag, TypeName(exception));
                    if (IsInjected(exception))
                    {
                        tags.Add(InjectedTag, true);
                    }
                }

                Calls.Add(1, tags);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A listener that throws must not change what the call does.
            }
        }

        /// <summary>Whether chaos injected <paramref name="exception"/> (or the timeout or result that stands for it).</summary>
        private static bool IsInjected(Exception exception)
            => exception.Data.Contains(SidecarPipeline.InjectedKey) || (exception.InnerException is { } inner && inner.Data.Contains(SidecarPipeline.InjectedKey));

        /// <summary>The activity to add events to: the current one, when something listens to the source and it records data.</summary>
        private static Activity? CurrentActivity()
            => Source.HasListeners() && Activity.Current is { IsAllDataRequested: true } activity ? activity : null;

        private static string TypeName(Exception exception)
        {
            Type type = exception.GetType();
            return type.FullName ?? type.Name;
        }

        private static IEnumerable<Measurement<int>> ObserveBulkheads()
        {
            var measurements = new List<Measurement<int>>();
            try
            {
                foreach (CircuitBreakerRegistry registry in LiveRegistries())
                {
                    foreach (Bulkhead bulkhead in registry.Bulkheads)
                    {
                        measurements.Add(new Measurement<int>(bulkhead.Running, new KeyValuePair<string, object?>(BulkheadTag, bulkhead.Name)));
                    }
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Report what was gathered.
            }

            return measurements;
        }

        private static List<CircuitBreakerRegistry> LiveRegistries()
        {
            var registries = new List<CircuitBreakerRegistry>();
            lock (s_registriesGate)
            {
                foreach (WeakReference<CircuitBreakerRegistry> reference in s_registries)
                {
                    if (reference.TryGetTarget(out CircuitBreakerRegistry? registry))
                    {
                        registries.Add(registry);
                    }
                }
            }

            return registries;
        }

        private static IEnumerable<Measurement<int>> ObserveCircuits()
        {
            var measurements = new List<Measurement<int>>();
            try
            {
                foreach (CircuitBreakerRegistry registry in LiveRegistries())
                {
                    foreach (CircuitBreaker breaker in registry.Breakers)
                    {
                        measurements.Add(new Measurement<int>((int)breaker.State, new KeyValuePair<string, object?>(CircuitTag, breaker.Name)));
                    }
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Report what was gathered.
            }

            return measurements;
        }
    }
}
