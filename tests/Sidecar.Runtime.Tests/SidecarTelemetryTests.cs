using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>
    /// Metrics and trace events, as a MeterListener and an ActivityListener see them. Each test uses a service (and
    /// circuit) name of its own and looks only at measurements tagged with it.
    /// </summary>
    [Collection(TelemetryCollection.Name)]
    public sealed class SidecarTelemetryTests
    {
        private const string Member = "GetAsync";
        private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);

        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _registry = new();

        /// <summary>The service and circuit name of this test.</summary>
        private readonly string _service = "Shop.IOrders" + Guid.NewGuid().ToString("N");

        [Fact]
        public void The_meter_and_the_activity_source_are_called_Sidecar_and_carry_the_assembly_version()
        {
            string version = typeof(SidecarPipeline).Assembly.GetName().Version!.ToString();
            var sources = new List<ActivitySource>();
            using var activities = new ActivityListener
            {
                ShouldListenTo = source =>
                {
                    if (source.Name == SidecarTelemetry.ActivitySourceName)
                    {
                        sources.Add(source);
                    }

                    return false;
                },
            };
            ActivitySource.AddActivityListener(activities);

            var published = new List<Instrument>();
            using var instruments = new MeterListener
            {
                InstrumentPublished = (instrument, _) =>
                {
                    if (instrument.Meter.Name == SidecarTelemetry.MeterName)
                    {
                        published.Add(instrument);
                    }
                },
            };
            instruments.Start();

            Assert.Equal("Sidecar", SidecarTelemetry.MeterName);
            Assert.Equal("Sidecar", SidecarTelemetry.ActivitySourceName);
            Assert.Equal(version, Assert.Single(sources).Version);
            Assert.Equal(
                new[]
                {
                    "sidecar.bulkhead.running {call} ObservableGauge`1",
                    "sidecar.calls {call} Counter`1",
                    "sidecar.circuit.state {state} ObservableGauge`1",
                    "sidecar.circuit.transitions {transition} Counter`1",
                    "sidecar.hedges {attempt} Counter`1",
                    "sidecar.retries {retry} Counter`1",
                    "sidecar.retries.denied {retry} Counter`1",
                    "sidecar.retry.delay s Histogram`1",
                },
                published.Select(i => i.Name + " " + i.Unit + " " + i.GetType().Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(published, i => Assert.Equal(version, i.Meter.Version));
            Assert.All(published, i => Assert.False(string.IsNullOrEmpty(i.Description)));
        }

        [Fact]
        public void A_successful_call_is_counted_once_as_success()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline();

            pipeline.OnSuccess(Member);
            pipeline.OnSuccess(Member, pipeline.Enter(Member));

            Assert.Equal(
                new[]
                {
                    $"sidecar.calls 1 sidecar.method=GetAsync, sidecar.outcome=success, sidecar.service={_service}",
                    $"sidecar.calls 1 sidecar.method=GetAsync, sidecar.outcome=success, sidecar.service={_service}",
                },
                metrics.For(_service));
        }

        [Fact]
        public void A_retry_is_counted_with_the_exception_type_and_its_delay_is_recorded()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline(retries: 3, delay: 100, backoff: Backoff.Linear);

            Assert.True(ShouldRetry(pipeline, new TimeoutException(), 0));
            Assert.True(ShouldRetry(pipeline, new InvalidOperationException(), 1));
            pipeline.OnSuccess(Member);

            Assert.Equal(
                new[]
                {
                    $"sidecar.calls 1 sidecar.method=GetAsync, sidecar.outcome=success, sidecar.service={_service}",
                    $"sidecar.retries 1 exception.type=System.TimeoutException, sidecar.method=GetAsync, sidecar.service={_service}",
                    $"sidecar.retries 1 exception.type=System.InvalidOperationException, sidecar.method=GetAsync, sidecar.service={_service}",
                    $"sidecar.retry.delay 0.1 sidecar.method=GetAsync, sidecar.service={_service}",
                    $"sidecar.retry.delay 0.2 sidecar.method=GetAsync, sidecar.service={_service}",
                },
                metrics.For(_service));
        }

        [Fact]
        public void A_call_whose_last_attempt_fails_is_counted_once_as_failure()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline(retries: 1, delay: 50);

            Assert.True(ShouldRetry(pipeline, new TimeoutException(), 0));
            Assert.False(ShouldRetry(pipeline, new TimeoutException(), 1));

            Assert.Equal(
                new[]
                {
                    $"sidecar.calls 1 exception.type=System.TimeoutException, sidecar.method=GetAsync, sidecar.outcome=failure, sidecar.service={_service}",
                    $"sidecar.retries 1 exception.type=System.TimeoutException, sidecar.method=GetAsync, sidecar.service={_service}",
                    $"sidecar.retry.delay 0.05 sidecar.method=GetAsync, sidecar.service={_service}",
                },
                metrics.For(_service));
        }

        [Fact]
        public void An_exception_the_policy_does_not_retry_is_counted_as_ignored_without_retries()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline(retries: 3, isTransient: e => e is TimeoutException);

            Assert.False(ShouldRetry(pipeline, new ArgumentException(), 0));

            Assert.Equal(
                new[] { $"sidecar.calls 1 exception.type=System.ArgumentException, sidecar.method=GetAsync, sidecar.outcome=ignored, sidecar.service={_service}" },
                metrics.For(_service));
        }

        [Fact]
        public async Task An_injected_fault_is_tagged_as_injected()
        {
            using var metrics = new SidecarMetrics();
            var options = new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() };
            options.Overrides[_service] = new SidecarPolicyOverride { ChaosFaultRate = 1 };
            var pipeline = new SidecarPipeline(_service, new SidecarPolicy(_service, retries: 0), options);
            CircuitPermit permit = pipeline.Enter(Member);
            Assert.True(permit.InjectsChaos);

            Exception injected = await Assert.ThrowsAsync<SidecarInjectedFaultException>(() => pipeline.Chaotic(Member, 0, static (_, _) => Task.FromResult(1), CancellationToken.None));
            Assert.False(ShouldRetry(pipeline, injected, 0, permit));

            Assert.Equal(
                new[] { $"sidecar.calls 1 exception.type=Sidecar.SidecarInjectedFaultException, sidecar.injected=True, sidecar.method=GetAsync, sidecar.outcome=failure, sidecar.service={_service}" },
                metrics.For(_service));
        }

        [Fact]
        public async Task A_retried_injected_fault_is_tagged_as_injected_on_the_retries_too()
        {
            using var metrics = new SidecarMetrics();
            var options = new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() };
            options.Overrides[_service] = new SidecarPolicyOverride { ChaosFaultRate = 1 };
            var pipeline = new SidecarPipeline(_service, new SidecarPolicy(_service, retries: 1, delay: 0), options);
            CircuitPermit permit = pipeline.Enter(Member);

            Exception injected = await Assert.ThrowsAsync<SidecarInjectedFaultException>(() => pipeline.Chaotic(Member, 0, static (_, _) => Task.FromResult(1), CancellationToken.None));
            Assert.True(ShouldRetry(pipeline, injected, 0, permit));

            Assert.Contains(
                $"sidecar.retries 1 exception.type=Sidecar.SidecarInjectedFaultException, sidecar.injected=True, sidecar.method=GetAsync, sidecar.service={_service}",
                metrics.For(_service));
        }

        [Fact]
        public void A_timeout_the_policy_does_not_retry_is_still_counted_as_failure()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline(retries: 3, isTransient: e => e is ArgumentException);

            Assert.False(ShouldRetry(pipeline, new SidecarTimeoutException(_service, "GetAsync", TimeSpan.FromSeconds(1)), 0));

            Assert.Equal(
                new[] { $"sidecar.calls 1 exception.type=Sidecar.SidecarTimeoutException, sidecar.method=GetAsync, sidecar.outcome=failure, sidecar.service={_service}" },
                metrics.For(_service));
        }

        [Fact]
        public void A_call_cancelled_by_the_caller_is_counted_as_canceled()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline(retries: 3);
            using var cts = new CancellationTokenSource();
            cts.Cancel();

            Assert.False(pipeline.ShouldRetry(Member, new OperationCanceledException(cts.Token), 0, default, cts.Token, out _));

            Assert.Equal(
                new[] { $"sidecar.calls 1 sidecar.method=GetAsync, sidecar.outcome=canceled, sidecar.service={_service}" },
                metrics.For(_service));
        }

        [Fact]
        public void A_refused_call_is_counted_once_as_rejected()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline(failureThreshold: 1);
            Assert.False(ShouldRetry(pipeline, new TimeoutException(), 0, pipeline.Enter(Member)));

            var rejected = Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member));
            // Asynchronous generated code enters inside its try block: its exception filter sees the refusal too.
            Assert.False(ShouldRetry(pipeline, rejected, 1));

            Assert.Equal(
                new[]
                {
                    $"sidecar.calls 1 exception.type=System.TimeoutException, sidecar.method=GetAsync, sidecar.outcome=failure, sidecar.service={_service}",
                    $"sidecar.calls 1 sidecar.method=GetAsync, sidecar.outcome=rejected, sidecar.service={_service}",
                    $"sidecar.circuit.transitions 1 sidecar.circuit={_service}, sidecar.circuit.state=open",
                },
                metrics.For(_service));
        }

        [Fact]
        public void A_refusal_by_a_sidecar_further_in_is_a_failure_of_this_one()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline(retries: 3);
            var refusedInside = new BrokenCircuitException("Shop.IStock", _time.GetUtcNow(), Break);

            Assert.False(ShouldRetry(pipeline, refusedInside, 0));

            Assert.Equal(
                new[] { $"sidecar.calls 1 exception.type=Sidecar.BrokenCircuitException, sidecar.method=GetAsync, sidecar.outcome=failure, sidecar.service={_service}" },
                metrics.For(_service));
        }

        [Fact]
        public void With_a_fallback_a_failed_or_refused_call_is_counted_once_as_fallback()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline(retries: 1, delay: 10, failureThreshold: 2, fallback: true);

            // First call: both attempts fail (the second opens the circuit), the fallback answers.
            Assert.True(ShouldRetry(pipeline, new TimeoutException(), 0, pipeline.Enter(Member)));
            var last = new TimeoutException();
            Assert.False(ShouldRetry(pipeline, last, 1, pipeline.Enter(Member)));
            Assert.True(pipeline.ShouldFallBack(last, CancellationToken.None));
            pipeline.OnFallback(Member, last);

            // Second call: refused by the open circuit, the fallback answers.
            var rejected = Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member));
            Assert.True(pipeline.ShouldFallBack(rejected, CancellationToken.None));
            pipeline.OnFallback(Member, rejected);

            Assert.True(pipeline.Policy.HasFallback);
            Assert.Equal(
                new[]
                {
                    $"sidecar.calls 1 exception.type=System.TimeoutException, sidecar.method=GetAsync, sidecar.outcome=fallback, sidecar.service={_service}",
                    $"sidecar.calls 1 exception.type=Sidecar.BrokenCircuitException, sidecar.method=GetAsync, sidecar.outcome=fallback, sidecar.service={_service}",
                    $"sidecar.retries 1 exception.type=System.TimeoutException, sidecar.method=GetAsync, sidecar.service={_service}",
                    $"sidecar.retry.delay 0.01 sidecar.method=GetAsync, sidecar.service={_service}",
                    $"sidecar.circuit.transitions 1 sidecar.circuit={_service}, sidecar.circuit.state=open",
                },
                metrics.For(_service));
        }

        [Fact]
        public void With_a_fallback_a_cancelled_call_is_still_counted_as_canceled()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline(retries: 3, fallback: true);
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var cancelled = new OperationCanceledException(cts.Token);

            Assert.False(pipeline.ShouldRetry(Member, cancelled, 0, default, cts.Token, out _));
            Assert.False(pipeline.ShouldFallBack(cancelled, cts.Token));

            Assert.Equal(
                new[] { $"sidecar.calls 1 sidecar.method=GetAsync, sidecar.outcome=canceled, sidecar.service={_service}" },
                metrics.For(_service));
        }

        [Fact]
        public void Circuit_transitions_are_counted_and_the_gauge_reports_the_state()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = Pipeline(failureThreshold: 1);

            metrics.Observe();
            Assert.False(ShouldRetry(pipeline, new TimeoutException(), 0, pipeline.Enter(Member)));
            metrics.Observe();
            _time.Advance(Break);
            CircuitPermit probe = pipeline.Enter(Member);
            metrics.Observe();
            pipeline.OnSuccess(Member, probe);
            metrics.Observe();

            Assert.Equal(
                new[]
                {
                    $"sidecar.calls 1 exception.type=System.TimeoutException, sidecar.method=GetAsync, sidecar.outcome=failure, sidecar.service={_service}",
                    $"sidecar.calls 1 sidecar.method=GetAsync, sidecar.outcome=success, sidecar.service={_service}",
                    $"sidecar.circuit.transitions 1 sidecar.circuit={_service}, sidecar.circuit.state=open",
                    $"sidecar.circuit.transitions 1 sidecar.circuit={_service}, sidecar.circuit.state=half_open",
                    $"sidecar.circuit.transitions 1 sidecar.circuit={_service}, sidecar.circuit.state=closed",
                    $"sidecar.circuit.state 0 sidecar.circuit={_service}",
                    $"sidecar.circuit.state 1 sidecar.circuit={_service}",
                    $"sidecar.circuit.state 2 sidecar.circuit={_service}",
                    $"sidecar.circuit.state 0 sidecar.circuit={_service}",
                },
                metrics.For(_service));
        }

        [Fact]
        public void The_bulkhead_gauge_reports_the_attempts_running()
        {
            using var metrics = new SidecarMetrics();
            SidecarPipeline pipeline = new(_service, new SidecarPolicy(_service, maxConcurrency: 2), new SidecarOptions { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry() });

            metrics.Observe();
            CircuitPermit first = pipeline.Enter(Member);
            CircuitPermit second = pipeline.Enter(Member);
            metrics.Observe();
            pipeline.OnSuccess(Member, first);
            pipeline.OnSuccess(Member, second);
            metrics.Observe();

            Assert.Equal(
                new[] { $"sidecar.bulkhead.running 0 sidecar.bulkhead={_service}", $"sidecar.bulkhead.running 2 sidecar.bulkhead={_service}", $"sidecar.bulkhead.running 0 sidecar.bulkhead={_service}" },
                metrics.For(_service).Where(m => m.StartsWith("sidecar.bulkhead", StringComparison.Ordinal)));
        }

        [Fact]
        public void The_gauge_reports_the_circuits_of_the_shared_registry()
        {
            using var metrics = new SidecarMetrics();
            var pipeline = new SidecarPipeline(_service, new SidecarPolicy(_service, failureThreshold: 1), null);

            metrics.Observe();

            Assert.Same(CircuitBreakerRegistry.Shared.Breakers.Single(b => b.Name == _service), pipeline.CircuitBreaker);
            Assert.Equal(new[] { $"sidecar.circuit.state 0 sidecar.circuit={_service}" }, metrics.For(_service));
        }

        [Fact]
        public void The_gauge_does_not_keep_a_dropped_registry_alive()
        {
            WeakReference registry = RegistryWithCircuit(_service);

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var metrics = new SidecarMetrics();
            metrics.Observe();

            Assert.False(registry.IsAlive, "the telemetry kept a registry alive");
            Assert.Empty(metrics.For(_service));
        }

        [Fact]
        public void A_listener_that_throws_does_not_change_what_the_pipeline_decides()
        {
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == SidecarTelemetry.MeterName)
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("listener bug"));
            listener.SetMeasurementEventCallback<double>((_, _, _, _) => throw new InvalidOperationException("listener bug"));
            listener.Start();
            SidecarPipeline pipeline = Pipeline(retries: 2, failureThreshold: 2);

            pipeline.OnSuccess(Member);
            Assert.True(ShouldRetry(pipeline, new TimeoutException(), 0, pipeline.Enter(Member)));
            Assert.False(ShouldRetry(pipeline, new TimeoutException(), 1, pipeline.Enter(Member))); // the circuit opened
            Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member));
            pipeline.OnFallback(Member, new TimeoutException());
        }

        [Fact]
        public void A_retry_adds_an_event_to_the_current_activity()
        {
            using ActivityListener listener = ListenToSidecar();
            using Activity activity = new Activity("GET /orders/42").Start();
            SidecarPipeline pipeline = Pipeline(retries: 2, delay: 100, backoff: Backoff.Linear);

            Assert.True(ShouldRetry(pipeline, new TimeoutException(), 0));
            Assert.True(ShouldRetry(pipeline, new InvalidOperationException(), 1));

            Assert.Equal(
                new[]
                {
                    $"sidecar.retry sidecar.service={_service}, sidecar.method=GetAsync, sidecar.attempt=1, sidecar.retry.delay_ms=100, exception.type=System.TimeoutException",
                    $"sidecar.retry sidecar.service={_service}, sidecar.method=GetAsync, sidecar.attempt=2, sidecar.retry.delay_ms=200, exception.type=System.InvalidOperationException",
                },
                Events(activity));
            Assert.IsType<int>(activity.Events.First().Tags.Single(t => t.Key == "sidecar.attempt").Value);
            Assert.IsType<double>(activity.Events.First().Tags.Single(t => t.Key == "sidecar.retry.delay_ms").Value);
        }

        [Fact]
        public void Refusals_circuit_changes_and_fallbacks_add_events_to_the_current_activity()
        {
            using ActivityListener listener = ListenToSidecar();
            using Activity activity = new Activity("GET /orders/42").Start();
            SidecarPipeline pipeline = Pipeline(failureThreshold: 1);

            Assert.False(ShouldRetry(pipeline, new TimeoutException(), 0, pipeline.Enter(Member)));
            var rejected = Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member));
            pipeline.OnFallback(Member, rejected);
            _time.Advance(Break);
            CircuitPermit probe = pipeline.Enter(Member);
            Assert.Throws<BrokenCircuitException>(() => pipeline.Enter(Member));
            pipeline.OnSuccess(Member, probe);

            Assert.Equal(
                new[]
                {
                    $"sidecar.circuit_state sidecar.circuit={_service}, sidecar.circuit.state=open",
                    $"sidecar.circuit_open sidecar.service={_service}, sidecar.method=GetAsync, sidecar.circuit={_service}, sidecar.circuit.state=open",
                    $"sidecar.fallback sidecar.service={_service}, sidecar.method=GetAsync, exception.type=Sidecar.BrokenCircuitException",
                    $"sidecar.circuit_state sidecar.circuit={_service}, sidecar.circuit.state=half_open",
                    $"sidecar.circuit_open sidecar.service={_service}, sidecar.method=GetAsync, sidecar.circuit={_service}, sidecar.circuit.state=half_open",
                    $"sidecar.circuit_state sidecar.circuit={_service}, sidecar.circuit.state=closed",
                },
                Events(activity));
        }

        [Fact]
        public void No_event_is_added_without_a_listener_of_the_source_or_to_an_activity_that_records_nothing()
        {
            SidecarPipeline pipeline = Pipeline(retries: 3);
            using (Activity unheard = new Activity("nobody listens to Sidecar").Start())
            {
                Assert.True(ShouldRetry(pipeline, new TimeoutException(), 0));
                Assert.Empty(unheard.Events);
            }

            using ActivityListener listener = ListenToSidecar();
            using Activity unrecorded = new Activity("propagated only").Start();
            unrecorded.IsAllDataRequested = false;

            Assert.True(ShouldRetry(pipeline, new TimeoutException(), 1));
            Assert.Empty(unrecorded.Events);
        }

        [Fact]
        public void Without_an_activity_a_retry_still_works()
        {
            using ActivityListener listener = ListenToSidecar();
            Activity.Current = null;

            Assert.True(ShouldRetry(Pipeline(retries: 1), new TimeoutException(), 0));
        }

        private static readonly SidecarMember MemberHandle = Member;

        [Fact]
        public void Without_listeners_a_successful_call_allocates_nothing()
        {
            // Made once, as generated code makes its handles (a name converted at each call would allocate a handle).
            // A correctness check of the happy path (telemetry guarded by Enabled, tags built only when it is), not a timing claim.
            SidecarPipeline plain = Pipeline();
            SidecarPipeline withBreaker = Pipeline(failureThreshold: 5);
            Succeed(plain);
            Succeed(withBreaker);

            long before = GC.GetAllocatedBytesForCurrentThread();
            Succeed(plain);
            Succeed(withBreaker);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(0L, allocated);

            static void Succeed(SidecarPipeline pipeline)
            {
                for (int i = 0; i < 1000; i++)
                {
                    pipeline.OnSuccess(MemberHandle);
                    pipeline.OnSuccess(MemberHandle, pipeline.Enter(MemberHandle));
                }
            }
        }

        private static bool ShouldRetry(SidecarPipeline pipeline, Exception exception, int attempt, CircuitPermit permit = default)
            => pipeline.ShouldRetry(Member, exception, attempt, permit, CancellationToken.None, out _);

        private static ActivityListener ListenToSidecar()
        {
            var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == SidecarTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            };
            ActivitySource.AddActivityListener(listener);
            return listener;
        }

        private static string[] Events(Activity activity)
            => activity.Events
                .Select(e => e.Name + " " + string.Join(", ", e.Tags.Select(t => t.Key + "=" + Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture))))
                .ToArray();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference RegistryWithCircuit(string name)
        {
            var registry = new CircuitBreakerRegistry();
            registry.GetOrAdd(name, 1, Break);
            return new WeakReference(registry);
        }

        private SidecarPipeline Pipeline(int retries = 0, int delay = 100, Backoff backoff = Backoff.Constant, int failureThreshold = 0, bool fallback = false, Func<Exception, bool>? isTransient = null)
            => new(
                _service,
                new SidecarPolicy(_service, retries: retries, delay: delay, backoff: backoff, failureThreshold: failureThreshold, breakDuration: (int)Break.TotalMilliseconds, isTransient: isTransient, fallback: fallback),
                new SidecarOptions { TimeProvider = _time, CircuitBreakers = _registry });
    }
}
