using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>
    /// The resilience layer's own failure modes, each tried as an adversarial user would: a dependency that hangs, callers
    /// that cancel, a wall clock that steps, implementations that misbehave. Every sidecar here is generated and compiled.
    /// </summary>
    public class ReliabilityTests
    {
        private static readonly TimeSpan Break = TimeSpan.FromMilliseconds(100);

        private readonly SteppingClock _clock = new();
        private readonly CircuitBreakerRegistry _registry = new();
        private readonly RecordingObserver _observer = new();

        private SidecarOptions Options => new() { TimeProvider = _clock, CircuitBreakers = _registry, Observer = _observer };

        private CircuitBreaker Breaker => _registry.Breakers.Single();

        [Fact]
        public async Task A_probe_that_hangs_does_not_keep_the_circuit_half_open()
        {
            var dependency = new ControlledDependency();
            var sidecar = new HangingProbeSidecar(dependency, Options);
            Task<int> first = sidecar.CallAsync(default);
            dependency.FinishOldest(failure: new ConnectionError("down"));
            await Assert.ThrowsAsync<ConnectionError>(() => first);
            Assert.Equal(CircuitState.Open, Breaker.State);

            _clock.Advance(Break);
            Task<int> hung = sidecar.CallAsync(default); // the probe: the dependency never answers
            Assert.Equal(CircuitState.HalfOpen, Breaker.State);
            _clock.Advance(TimeSpan.FromSeconds(59));
            var probing = await Assert.ThrowsAsync<BrokenCircuitException>(() => sidecar.CallAsync(default));
            Assert.True(probing.ProbeInFlight);

            // The probe's time is up: it counts as failed, the circuit opens again, and after the break a new probe goes in.
            _clock.Advance(TimeSpan.FromSeconds(1));
            var reopened = await Assert.ThrowsAsync<BrokenCircuitException>(() => sidecar.CallAsync(default));
            Assert.False(reopened.ProbeInFlight);
            Assert.Equal(CircuitState.Open, Breaker.State);
            _clock.Advance(Break);
            dependency.Answer = _ => Task.FromResult(7);
            Assert.Equal(7, await sidecar.CallAsync(default));
            Assert.Equal(CircuitState.Closed, Breaker.State);
            Assert.Equal(3, dependency.Calls);
            Assert.False(hung.IsCompleted);
        }

        [Fact]
        public async Task Cancelled_probes_keep_their_slot_until_the_dependency_lets_go()
        {
            var dependency = new ControlledDependency();
            var sidecar = new CancelledProbeSidecar(dependency, Options);
            Task<int> first = sidecar.CallAsync(default);
            dependency.FinishOldest(failure: new ConnectionError("down"));
            await Assert.ThrowsAsync<ConnectionError>(() => first);
            _clock.Advance(Break);

            // Three callers in turn start a probe and give up on it; the dependency keeps working on the first.
            for (int caller = 0; caller < 3; caller++)
            {
                using var cancel = new CancellationTokenSource();
                Task<int> call = sidecar.CallAsync(cancel.Token);
                cancel.Cancel();
                Exception refusedOrCancelled = await Assert.ThrowsAnyAsync<Exception>(() => call);
                Assert.True(refusedOrCancelled is OperationCanceledException or BrokenCircuitException, refusedOrCancelled.GetType().Name);
            }

            Assert.Equal(1, dependency.MaxRunning);
            Assert.Equal(1, Breaker.ProbesRunning);

            // Once the dependency really ends the abandoned probe, the slot is free for the next caller.
            dependency.FinishOldest();
            Assert.True(SpinWait.SpinUntil(() => Breaker.ProbesRunning == 0, TimeSpan.FromSeconds(10)));
            dependency.Answer = _ => Task.FromResult(5);
            Assert.Equal(5, await sidecar.CallAsync(default));
            Assert.Equal(CircuitState.Closed, Breaker.State);
        }

        [Fact]
        public void A_wall_clock_step_back_does_not_lengthen_the_break()
        {
            var dependency = new SwitchableDependency { Failing = true };
            var sidecar = new WallClockBreakerSidecar(dependency, Options);
            Assert.Throws<ConnectionError>(() => sidecar.Call());
            Assert.Equal(CircuitState.Open, Breaker.State);

            _clock.StepWallClock(TimeSpan.FromHours(-1));
            _clock.Advance(Break);
            dependency.Failing = false;

            Assert.Equal(42, sidecar.Call());
            Assert.Equal(CircuitState.Closed, Breaker.State);
        }

        [Fact]
        public void A_wall_clock_step_back_does_not_lift_the_retry_budget()
        {
            var dependency = new SwitchableDependency();
            var sidecar = new WallClockBudgetSidecar(dependency, Options);
            Assert.Equal(42, sidecar.Call());
            _clock.StepWallClock(TimeSpan.FromMinutes(-1));
            dependency.Failing = true;

            const int Calls = 2_000;
            for (int i = 0; i < Calls; i++)
            {
                Assert.Throws<ConnectionError>(() => sidecar.Call());
            }

            // 0.2 retries per call plus 10 per second of the 10 s window, whatever the wall clock says.
            int retries = dependency.Calls - 1 - Calls;
            Assert.InRange(retries, 1, (int)(0.2 * (Calls + 1)) + 100);
        }

        [Fact]
        public void A_wall_clock_step_back_does_not_blind_the_failure_ratio()
        {
            var dependency = new SwitchableDependency();
            var sidecar = new WallClockRatioSidecar(dependency, Options);
            Assert.Equal(42, sidecar.Call());
            _clock.StepWallClock(TimeSpan.FromMinutes(-1));
            dependency.Failing = true;

            int failures = 0;
            while (failures < 1_000 && Breaker.State == CircuitState.Closed)
            {
                Assert.Throws<ConnectionError>(() => sidecar.Call());
                failures++;
            }

            Assert.Equal(CircuitState.Open, Breaker.State);
            Assert.Equal(9, failures); // 9 failures of 10 attempts reach the ratio once the window holds 10
        }

        [Fact]
        public async Task The_sidecars_own_timeout_counts_for_the_circuit_whatever_RetryOn_says()
        {
            var dependency = new ControlledDependency();
            var sidecar = new TimedOutDependencySidecar(dependency, Options);
            for (int i = 0; i < 3; i++)
            {
                Task<int> call = sidecar.CallAsync(default);
                _clock.Advance(TimeSpan.FromMilliseconds(20));
                await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);
            }

            Assert.Equal(CircuitState.Open, Breaker.State);
            await Assert.ThrowsAsync<BrokenCircuitException>(() => sidecar.CallAsync(default));
            Assert.Equal(3, dependency.Calls);
        }

        [Fact]
        public async Task An_inner_call_that_throws_before_returning_a_task_leaves_no_timer_behind()
        {
            var dependency = new ThrowsBeforeTask();
            var sidecar = new ThrowsBeforeTaskSidecar(dependency, Options);
            using var host = new CancellationTokenSource(); // a token that lives as long as the host

            for (int i = 0; i < 1_000; i++)
            {
                await Assert.ThrowsAsync<ConnectionError>(() => sidecar.CallAsync(host.Token));
            }

            Assert.Equal(3_000, dependency.Calls);
            Assert.Equal(3_000, _clock.TimersCreated);
            Assert.Equal(_clock.TimersCreated, _clock.TimersDisposed);
        }

        [Fact]
        public async Task A_null_task_is_one_failed_attempt_with_or_without_a_bulkhead()
        {
            var inner = new NullTaskService();
            var plain = new NullTaskSidecar(inner, Options);
            var bulkheaded = new NullTaskWithBulkheadSidecar(inner, Options);

            Task<int> first = plain.GetAsync();
            Task<int> second = bulkheaded.GetAsync();

            var plainError = await Assert.ThrowsAsync<InvalidOperationException>(() => first);
            var bulkheadError = await Assert.ThrowsAsync<InvalidOperationException>(() => second);
            Assert.Equal("GetAsync returned null instead of a task.", plainError.Message);
            Assert.Equal(plainError.Message, bulkheadError.Message);
            Assert.All(_registry.Breakers, breaker => Assert.Equal(CircuitState.Open, breaker.State));
            Assert.All(_registry.Bulkheads, bulkhead => Assert.Equal(0, bulkhead.Running));
        }

        [Fact]
        public async Task A_verdict_from_an_earlier_episode_does_not_reopen_the_circuit()
        {
            var dependency = new ControlledDependency();
            var sidecar = new SlowVerdictSidecar(dependency, Options);
            Task<int> outlives = sidecar.CallAsync(1); // admitted while closed; outlives the outage
            Task<int> failing = sidecar.CallAsync(2);
            dependency.FinishNewest(failure: new ConnectionError("down"));
            await Assert.ThrowsAsync<ConnectionError>(() => failing);
            Assert.Equal(CircuitState.Open, Breaker.State);
            _clock.Advance(Break);
            dependency.Answer = _ => Task.FromResult(9);
            Assert.Equal(9, await sidecar.CallAsync(3)); // the probe closes it
            Assert.Equal(CircuitState.Closed, Breaker.State);

            dependency.FinishOldest(failure: new ConnectionError("late"));
            await Assert.ThrowsAsync<ConnectionError>(() => outlives);
            Assert.Equal(CircuitState.Closed, Breaker.State);
        }

        [Fact]
        public void A_break_duration_of_TimeSpan_MaxValue_keeps_the_circuit_open()
        {
            _registry.GetOrAdd("Sidecar.Generators.Tests.Behaviour.IForeverOpen", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.MaxValue }, _clock);
            var dependency = new SwitchableDependency { Failing = true };
            var sidecar = new ForeverOpenSidecar(dependency, Options);

            Assert.Throws<ConnectionError>(() => sidecar.Call());
            _clock.Advance(TimeSpan.FromDays(365));
            var refused = Assert.Throws<BrokenCircuitException>(() => sidecar.Call());

            Assert.Equal(1, dependency.Calls);
            Assert.Equal(DateTimeOffset.MaxValue, Breaker.OpenUntil);
            Assert.Equal(DateTimeOffset.MaxValue, refused.RetryAt);
        }

        [Fact]
        public void Nothing_is_released_or_observed_before_the_failing_attempt_has_unwound()
        {
            var dependency = new UnwindingDependency();
            var sidecar = new UnwindingSidecar(dependency, Options);
            dependency.WhileUnwinding = () => "running " + _registry.Bulkheads.Single().Running + ", observed " + _observer.Failures.Count;

            var error = Assert.Throws<ConnectionError>(() => sidecar.Call());

            Assert.Equal(new[] { "finally: running 1, observed 0", "finally: running 1, observed 1" }, dependency.Log);
            Assert.Contains(nameof(UnwindingDependency) + "." + nameof(UnwindingDependency.Call), error.StackTrace);
            Assert.Equal(0, _registry.Bulkheads.Single().Running);
        }

        [Fact]
        public void Reset_and_Isolate_are_heard_by_the_observer()
        {
            var dependency = new SwitchableDependency { Failing = true };
            var sidecar = new WatchedCircuitSidecar(dependency, Options);
            Assert.Throws<ConnectionError>(() => sidecar.Call());
            Assert.Throws<ConnectionError>(() => sidecar.Call());

            Breaker.Reset();
            Breaker.Isolate();
            Breaker.Isolate(); // already open: no change to report
            Breaker.Reset();

            const string Circuit = "Sidecar.Generators.Tests.Behaviour.IWatchedCircuit";
            Assert.Equal(
                new[] { Circuit + " -> Open", Circuit + " -> Closed", Circuit + " -> Open", Circuit + " -> Closed" },
                _observer.Events.Where(e => e.Contains("->")));
        }

        [Fact]
        public void An_observer_that_throws_does_not_hide_events_from_the_next_one()
        {
            var second = new RecordingObserver();
            var options = new SidecarOptions
            {
                TimeProvider = _clock,
                CircuitBreakers = _registry,
                Observer = CompositeSidecarObserver.Combine(new ThrowingObserver(), second),
            };
            var dependency = new SwitchableDependency { Failing = true };
            var sidecar = new WatchedCircuitSidecar(dependency, options);

            Assert.Throws<ConnectionError>(() => sidecar.Call());
            Assert.Throws<ConnectionError>(() => sidecar.Call());

            Assert.Equal(2, second.Failures.Count);
            Assert.Contains(second.Events, e => e.EndsWith("-> Open", StringComparison.Ordinal));
        }

        private sealed class ThrowingObserver : SidecarObserver
        {
            public override void OnAttemptFailed(string service, string member, int attempt, Exception exception, bool willRetry, TimeSpan delay)
                => throw new InvalidOperationException("observer bug");

            public override void OnCircuitStateChanged(string circuitName, CircuitState state) => throw new InvalidOperationException("observer bug");
        }
    }
}
