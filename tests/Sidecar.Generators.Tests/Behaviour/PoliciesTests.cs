using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>
    /// Generated sidecars with the failure-ratio breaker, several half-open probes, a bulkhead, a retry budget,
    /// decorrelated jitter and run-time overrides (single-threaded; the contended cases are in <see cref="PolicyFaultTests"/>).
    /// </summary>
    public class PoliciesTests
    {
        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _registry = new();
        private readonly RecordingObserver _observer = new();

        private SidecarOptions Options => new() { TimeProvider = _time, CircuitBreakers = _registry, Observer = _observer };

        /// <summary>Runs <paramref name="call"/> on a thread of its own: held calls must not wait for the thread pool to grow.</summary>
        private static Task<int> OnOwnThread(Func<int> call)
        {
            var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            new Thread(() =>
            {
                try
                {
                    done.SetResult(call());
                }
                catch (Exception ex)
                {
                    done.SetException(ex);
                }
            }) { IsBackground = true }.Start();
            return done.Task;
        }

        [Fact]
        public void The_ratio_breaker_waits_for_the_minimum_throughput_then_opens_at_the_ratio()
        {
            var inner = new ScriptedInner();
            var sidecar = new RatioServiceSidecar(inner, Options);

            // 5 successes and 4 failures: 9 attempts, below the minimum throughput of 10.
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(i, sidecar.Call(i));
            }

            inner.Succeed = false;
            for (int i = 0; i < 4; i++)
            {
                Assert.Throws<InjectedFault>(() => sidecar.Call(i));
            }

            CircuitBreaker breaker = _registry.Breakers.Single();
            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.Equal((9, 4), breaker.Sample());

            // The 10th attempt fails: 5 of 10 = the ratio of 0.5.
            Assert.Throws<InjectedFault>(() => sidecar.Call(9));
            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Throws<BrokenCircuitException>(() => sidecar.Call(10));
            Assert.Equal(10, inner.Attempts);
        }

        [Fact]
        public async Task The_ratio_breaker_forgets_what_slid_out_of_the_sampling_window()
        {
            var inner = new ScriptedInner { Succeed = false };
            var sidecar = new RatioServiceSidecar(inner, Options);

            // 9 failures, then the window (1 s) moves on: they no longer count.
            for (int i = 0; i < 9; i++)
            {
                await Assert.ThrowsAsync<InjectedFault>(() => sidecar.CallAsync(i, default));
            }

            _time.Advance(TimeSpan.FromMilliseconds(1100));
            inner.Succeed = true;
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal(i, await sidecar.CallAsync(i, default)); // the async fast path feeds the window too
            }

            inner.Succeed = false;
            for (int i = 0; i < 4; i++)
            {
                await Assert.ThrowsAsync<InjectedFault>(() => sidecar.CallAsync(i, default));
            }

            // 4 of 10 failed in the window: below the ratio.
            CircuitBreaker breaker = _registry.Breakers.Single();
            Assert.Equal((10, 4), breaker.Sample());
            Assert.Equal(CircuitState.Closed, breaker.State);
        }

        [Fact]
        public void Three_probes_must_succeed_before_the_circuit_closes_and_a_fourth_is_refused()
        {
            var inner = new ScriptedInner { Succeed = false };
            var sidecar = new ProbedServiceSidecar(inner, Options);
            Assert.Throws<InjectedFault>(() => sidecar.Call(0));
            CircuitBreaker breaker = _registry.Breakers.Single();
            Assert.Equal(CircuitState.Open, breaker.State);

            _time.Advance(TimeSpan.FromMilliseconds(100));
            inner.Succeed = true;
            Assert.Equal(1, sidecar.Call(1));
            Assert.Equal(2, sidecar.Call(2));
            Assert.Equal(CircuitState.HalfOpen, breaker.State);
            Assert.Equal(3, sidecar.Call(3));
            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.Equal(
                new[] { "Open", "HalfOpen", "Closed" },
                _observer.Events.Where(e => e.Contains("->")).Select(e => e.Substring(e.LastIndexOf(' ') + 1)));
        }

        [Fact]
        public void A_failing_probe_reopens_the_circuit_even_after_good_ones()
        {
            var inner = new ScriptedInner { Succeed = false };
            var sidecar = new ProbedServiceSidecar(inner, Options);
            Assert.Throws<InjectedFault>(() => sidecar.Call(0));

            _time.Advance(TimeSpan.FromMilliseconds(100));
            inner.Succeed = true;
            Assert.Equal(1, sidecar.Call(1));
            Assert.Equal(2, sidecar.Call(2));
            inner.Succeed = false;
            Assert.Throws<InjectedFault>(() => sidecar.Call(3));

            CircuitBreaker breaker = _registry.Breakers.Single();
            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.Equal(_time.GetUtcNow().AddMilliseconds(100), breaker.OpenUntil);
            Assert.Throws<BrokenCircuitException>(() => sidecar.Call(4));
            Assert.Equal(4, inner.Attempts);
        }

        [Fact]
        public async Task A_full_bulkhead_refuses_at_once_without_calling_the_inner()
        {
            var inner = new ScriptedInner();
            var sidecar = new BulkheadServiceSidecar(inner, Options);
            using var release = new ManualResetEventSlim();
            inner.Hold = () => release.IsSet;

            // Three calls hold the three slots.
            Task<int>[] running = Enumerable.Range(1, 3).Select(i => OnOwnThread(() => sidecar.Call(i))).ToArray();
            Assert.True(SpinWait.SpinUntil(() => _registry.Bulkheads.SingleOrDefault()?.Running == 3, TimeSpan.FromSeconds(10)));

            var refused = Assert.Throws<BulkheadRejectedException>(() => sidecar.Call(4));
            Assert.Equal("Sidecar.Generators.Tests.Behaviour.IBulkheadService", refused.BulkheadName);
            Assert.Equal(3, refused.MaxConcurrency);
            Assert.Contains("MaxConcurrency = 3", refused.Message);

            // The async member fails with a faulted task (thrown at the caller's await, not at the call).
            Task<int> asyncRefused = sidecar.CallAsync(5, default);
            Assert.True(asyncRefused.IsFaulted);
            await Assert.ThrowsAsync<BulkheadRejectedException>(() => asyncRefused);
            Assert.Equal(3, inner.Attempts);
            Assert.Equal(2, _observer.Events.Count(e => e.EndsWith("rejected", StringComparison.Ordinal)));

            release.Set();
            Assert.Equal(new[] { 1, 2, 3 }, await Task.WhenAll(running));
            Assert.Equal(0, _registry.Bulkheads.Single().Running);
            Assert.Equal(6, await sidecar.CallAsync(6, default));
            Assert.Equal(0, _registry.Bulkheads.Single().Running);
        }

        [Fact]
        public async Task An_inner_that_returns_a_null_task_fails_the_call_and_gives_the_slot_back()
        {
            var inner = new ScriptedInner { ReturnNull = true };
            var sidecar = new BulkheadServiceSidecar(inner, Options);

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sidecar.CallAsync(1, default));
            Assert.Contains("CallAsync returned null instead of a task", error.Message);
            Assert.Equal(0, _registry.Bulkheads.Single().Running);
        }

        [Fact]
        public async Task A_failed_attempt_gives_its_bulkhead_slot_back()
        {
            var inner = new ScriptedInner { Succeed = false };
            var sidecar = new BulkheadServiceSidecar(inner, Options);

            for (int i = 0; i < 10; i++)
            {
                Assert.Throws<InjectedFault>(() => sidecar.Call(i));
                await Assert.ThrowsAsync<InjectedFault>(() => sidecar.CallAsync(i, default));
            }

            Assert.Equal(0, _registry.Bulkheads.Single().Running);
            Assert.Equal(20, inner.Attempts);
        }

        [Fact]
        public async Task The_fallback_answers_a_bulkhead_rejection()
        {
            var inner = new ScriptedInner();
            var sidecar = new DegradedBulkheadSidecar(inner, Options);
            using var release = new ManualResetEventSlim();
            inner.Hold = () => release.IsSet;

            Task<int> first = OnOwnThread(() => sidecar.CallAsync(1, default).GetAwaiter().GetResult());
            Assert.True(SpinWait.SpinUntil(() => _registry.Bulkheads.SingleOrDefault()?.Running == 1, TimeSpan.FromSeconds(10)));

            Assert.Equal(-2, await sidecar.CallAsync(2, default)); // degraded answer, not an exception
            release.Set();
            Assert.Equal(1, await first);
            Assert.Equal(1, inner.Attempts);
        }

        [Fact]
        public async Task An_attempt_that_timed_out_keeps_its_bulkhead_slot_until_it_really_ends_and_is_not_retried_into_a_full_bulkhead()
        {
            var inner = new StuckInner();
            var sidecar = new TimedBulkheadSidecar(inner, Options);

            Task<int> call = sidecar.CallAsync(1);
            Assert.True(SpinWait.SpinUntil(() => _time.PendingTimers > 0, TimeSpan.FromSeconds(10)));
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);

            // The caller has its answer (the timeout, not a rejection of the retry: the bulkhead is full, so no retry is
            // made), but the dependency still holds the call: the slot stays taken.
            Bulkhead bulkhead = _registry.Bulkheads.Single();
            Assert.Equal(1, bulkhead.Running);
            await Assert.ThrowsAsync<BulkheadRejectedException>(() => sidecar.CallAsync(2));
            Assert.Equal(1, inner.Calls);

            inner.Finish();
            Assert.True(SpinWait.SpinUntil(() => bulkhead.Running == 0, TimeSpan.FromSeconds(10)));
        }

        [Fact]
        public void The_retry_budget_stops_retrying_once_spent_and_the_failure_is_final()
        {
            var inner = new ScriptedInner { Succeed = false };
            var sidecar = new BudgetedServiceSidecar(inner, Options);

            // With the clock standing still: 10 retries a second over 10 s = a floor of 100 retries, plus 0.2 per call.
            const int calls = 1_000;
            int allRetries = 0;
            for (int i = 0; i < calls; i++)
            {
                long attemptsBefore = inner.Attempts;
                Assert.Throws<InjectedFault>(() => sidecar.Call(i));
                allRetries += inner.Attempts - attemptsBefore == 4 ? 1 : 0;
            }

            // Every call that did not get its 3 retries was told so once.
            Assert.Equal(calls - allRetries, _observer.Events.Count(e => e.StartsWith("Call retry", StringComparison.Ordinal) && e.EndsWith("denied", StringComparison.Ordinal)));

            long retries = inner.Attempts - calls;
            Assert.Equal(300, retries); // 100 + 0.2 × 1000, exactly: every call wanted 3
            Assert.Equal(300, _observer.Failures.Count(f => f.WillRetry));
            Assert.Equal(calls, _observer.Failures.Count(f => !f.WillRetry));

            // Ten seconds later the spent retries have left the window: the first call may retry again.
            _time.Advance(TimeSpan.FromSeconds(10));
            long before = inner.Attempts;
            Assert.Throws<InjectedFault>(() => sidecar.Call(0));
            Assert.Equal(4, inner.Attempts - before);
        }

        [Fact]
        public void Successful_calls_fund_the_retry_budget()
        {
            var inner = new ScriptedInner();
            var sidecar = new BudgetedServiceSidecar(inner, Options);
            for (int i = 0; i < 5_000; i++)
            {
                Assert.Equal(i, sidecar.Call(i));
            }

            RetryBudget budget = _registry.RetryBudgets.Single();
            Assert.Equal((5_000L, 0L), budget.Sample());

            // 100 + 0.2 × (5000 + the failing calls themselves)
            inner.Succeed = false;
            long before = inner.Attempts;
            for (int i = 0; i < 1_000; i++)
            {
                Assert.Throws<InjectedFault>(() => sidecar.Call(i));
            }

            Assert.Equal(1_000 + 1_300, inner.Attempts - before);
        }

        [Fact]
        public void Exponential_backoff_with_jitter_is_decorrelated()
        {
            _time.AutoAdvance = true;
            var inner = new ScriptedInner { Succeed = false };
            SidecarOptions options = Options;
            options.Random = () => 0.5;
            var sidecar = new JitteredSidecar(inner, options);

            Assert.Throws<InjectedFault>(() => sidecar.Decorrelated());

            // Each delay is uniform in [Delay, 3 × previous]; at 0.5 the middle: 200, 350, 575, 912.5 ms; capped at 1000.
            Assert.Equal(
                new[] { 200, 350, 575, 912.5 },
                _observer.Failures.Where(f => f.WillRetry).Select(f => f.Delay.TotalMilliseconds));
        }

        [Fact]
        public void Linear_backoff_with_jitter_stays_within_a_quarter_either_way()
        {
            _time.AutoAdvance = true;
            var inner = new ScriptedInner { Succeed = false };
            SidecarOptions options = Options;
            double[] draws = { 0, 0.999_999, 0.5, 0.25 };
            int next = 0;
            options.Random = () => draws[next++];
            var sidecar = new JitteredSidecar(inner, options);

            Assert.Throws<InjectedFault>(() => sidecar.Spread());

            double[] delays = _observer.Failures.Where(f => f.WillRetry).Select(f => Math.Round(f.Delay.TotalMilliseconds)).ToArray();
            Assert.Equal(new double[] { 75, 250, 300, 350 }, delays);
        }

        [Fact]
        public void Overrides_change_the_compiled_in_retries_per_service_and_per_member()
        {
            var inner = new FlakyService(failures: 100);
            SidecarOptions options = Options;
            options.Overrides["IFlakyService"] = new SidecarPolicyOverride { Retries = 1, Delay = 0 };
            options.Overrides["Sidecar.Generators.Tests.Behaviour.IFlakyService.Persistent"] = new SidecarPolicyOverride { Retries = 0 };
            var sidecar = new FlakyServiceSidecar(inner, options);

            Assert.Throws<ConnectionError>(() => sidecar.Get(1));
            Assert.Equal(2, inner.Calls); // 1 + 1 retry instead of 1 + 3

            Assert.Throws<ConnectionError>(() => sidecar.Persistent());
            Assert.Equal(3, inner.Calls); // no retry instead of 6
        }

        [Fact]
        public void A_service_wide_override_leaves_alone_what_a_methods_own_attribute_set()
        {
            var inner = new FlakyService(failures: 100);
            SidecarOptions options = Options;
            options.Overrides["IFlakyService"] = new SidecarPolicyOverride { Retries = 1, Delay = 0 };
            var sidecar = new FlakyServiceSidecar(inner, options);

            Assert.Throws<ConnectionError>(() => sidecar.Persistent());
            Assert.Equal(7, inner.Calls); // its own Retries = 6 stands; the service's Delay = 0 applies (no waiting here)
        }

        [Fact]
        public void A_member_with_its_own_bulkhead_is_reshaped_by_its_own_entry_only()
        {
            SidecarOptions options = Options;
            options.Overrides["IMixedService"] = new SidecarPolicyOverride { MaxConcurrency = 64 };
            options.Overrides["IMixedService.Own"] = new SidecarPolicyOverride { MaxConcurrency = 5 };
            var sidecar = new MixedServiceSidecar(new MixedInner(), options);

            Assert.Equal(1, sidecar.Shared(1));
            Assert.Equal(2, sidecar.Own(2));
            Assert.Equal(
                new[] { ("Sidecar.Generators.Tests.Behaviour.IMixedService", 64), ("Sidecar.Generators.Tests.Behaviour.IMixedService.Own", 5) },
                _registry.Bulkheads.Select(b => (b.Name, b.MaxConcurrency)).OrderBy(b => b.Name, StringComparer.Ordinal));
        }

        [Fact]
        public void A_member_with_its_own_bulkhead_keeps_it_under_a_service_wide_override()
        {
            SidecarOptions options = Options;
            options.Overrides["IMixedService"] = new SidecarPolicyOverride { MaxConcurrency = 64 };
            _ = new MixedServiceSidecar(new MixedInner(), options);

            Assert.Equal(2, _registry.Bulkheads.Single(b => b.Name.EndsWith(".Own", StringComparison.Ordinal)).MaxConcurrency);
        }

        [Fact]
        public void An_override_that_names_no_member_is_refused()
        {
            SidecarOptions options = Options;
            options.Overrides["Sidecar.Generators.Tests.Behaviour.IFlakyService.Gte"] = new SidecarPolicyOverride { Retries = 0 };

            var error = Assert.Throws<ArgumentException>(() => new FlakyServiceSidecar(new FlakyService(), options));
            Assert.Contains("'Sidecar.Generators.Tests.Behaviour.IFlakyService.Gte' names no member", error.Message);
            Assert.Contains("GetAsync", error.Message);
        }

        [Fact]
        public void An_override_can_turn_on_a_breaker_the_attribute_did_not_have()
        {
            var inner = new FlakyService(failures: 100);
            SidecarOptions options = Options;
            options.Overrides["IFlakyService"] = new SidecarPolicyOverride { Retries = 0, FailureThreshold = 2 };
            var sidecar = new FlakyServiceSidecar(inner, options);

            Assert.Throws<ConnectionError>(() => sidecar.Get(1));
            Assert.Throws<ConnectionError>(() => sidecar.Get(1));
            Assert.Throws<BrokenCircuitException>(() => sidecar.Get(1));
            Assert.Equal(2, inner.Calls);
        }

        [Fact]
        public void A_member_override_of_a_shared_setting_is_refused_with_its_key()
        {
            SidecarOptions options = Options;
            options.Overrides["IFlakyService.Get"] = new SidecarPolicyOverride { MaxConcurrency = 4 };

            var error = Assert.Throws<ArgumentException>(() => new FlakyServiceSidecar(new FlakyService(), options));
            Assert.Contains("'IFlakyService.Get'", error.Message);
            Assert.Contains("MaxConcurrency", error.Message);
        }
    }
}
