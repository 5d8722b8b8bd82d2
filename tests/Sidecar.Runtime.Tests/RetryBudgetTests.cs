using System;
using System.Linq;
using System.Threading;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class RetryBudgetTests
    {
        private const string Service = "IOrderService";
        private const string Member = "GetAsync";
        private static readonly DateTimeOffset T0 = TimedCalls.T0;
        private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _registry = new();
        private readonly RecordingObserver _observer = new();

        [Fact]
        public void The_constructor_keeps_its_settings()
        {
            var budget = TimedCalls.Budget("orders", 0.2, 3, Window);

            Assert.Equal("orders", budget.Name);
            Assert.Equal(0.2, budget.Ratio);
            Assert.Equal(3, budget.MinRetriesPerSecond);
            Assert.Equal(Window, budget.Window);
            Assert.Equal((0L, 0L), budget.Sample(T0));
        }

        [Fact]
        public void The_constructor_rejects_bad_settings()
        {
            Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => TimedCalls.Budget(null!, 0.1, 1, Window)).ParamName);
            Assert.Equal("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Budget("orders", 0, 1, Window)).ParamName);
            Assert.Equal("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Budget("orders", -0.5, 1, Window)).ParamName);
            Assert.Equal("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Budget("orders", double.NaN, 1, Window)).ParamName);
            Assert.Equal("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Budget("orders", double.PositiveInfinity, 1, Window)).ParamName);
            Assert.Equal("minRetriesPerSecond", Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Budget("orders", 0.1, -1, Window)).ParamName);
            Assert.Equal("window", Assert.Throws<ArgumentOutOfRangeException>(() => TimedCalls.Budget("orders", 0.1, 1, TimeSpan.Zero)).ParamName);
        }

        [Theory]
        [InlineData(1, 10, 10)]
        [InlineData(5, 10, 50)]
        [InlineData(3, 2, 6)]
        [InlineData(0, 10, 0)]
        public void Without_calls_the_floor_alone_allows_min_retries_per_second_times_the_window(int minRetriesPerSecond, int windowSeconds, int expected)
        {
            var budget = TimedCalls.Budget("orders", 0.01, minRetriesPerSecond, TimeSpan.FromSeconds(windowSeconds));

            Assert.Equal(expected, Spend(budget, T0));
            Assert.False(budget.TryRetry(T0));
            Assert.Equal((0L, (long)expected), budget.Sample(T0));
        }

        [Theory]
        [InlineData(20, 100, 0)]    // 0.2 × 100
        [InlineData(20, 100, 1)]    // + 10
        [InlineData(10, 10_000, 0)] // 0.1 × 10,000
        [InlineData(50, 7, 0)]      // 0.5 × 7 = 3.5
        [InlineData(50, 7, 2)]      // 3.5 + 20 = 23.5
        [InlineData(100, 40, 0)]    // one retry per call
        [InlineData(250, 4, 0)]     // more retries than calls
        [InlineData(30, 10, 0)]     // 0.3 × 10
        [InlineData(70, 10, 0)]     // 0.7 × 10
        [InlineData(29, 100, 0)]    // 0.29 × 100 = 29, although 0.29 * 100 is 28.999999999999996 in doubles
        [InlineData(57, 100, 0)]    // 0.57 × 100 = 57, although 0.57 * 100 is 56.99999999999999 in doubles
        public void With_calls_it_allows_ratio_times_calls_plus_the_floor_and_never_more(int percent, int calls, int minRetriesPerSecond)
        {
            double ratio = percent / 100.0;
            var budget = TimedCalls.Budget("orders", ratio, minRetriesPerSecond, Window);
            for (int i = 0; i < calls; i++)
            {
                budget.OnCall(T0);
            }

            long expected = Bound(percent, calls, minRetriesPerSecond * (long)Window.TotalSeconds);

            Assert.Equal(expected, Spend(budget, T0));
            Assert.False(budget.TryRetry(T0));
            Assert.Equal(((long)calls, expected), budget.Sample(T0));
        }

        [Fact]
        public void Each_call_makes_room_for_its_share_of_a_retry()
        {
            var budget = TimedCalls.Budget("orders", 0.5, 0, Window);
            Assert.False(budget.TryRetry(T0));

            budget.OnCall(T0);
            Assert.False(budget.TryRetry(T0)); // 1 > 0.5

            budget.OnCall(T0);
            Assert.True(budget.TryRetry(T0));  // 1 <= 1
            Assert.False(budget.TryRetry(T0)); // 2 > 1
        }

        [Fact]
        public void Calls_and_retries_slide_out_of_the_window()
        {
            var budget = TimedCalls.Budget("orders", 0.5, 0, Window);
            for (int i = 0; i < 10; i++)
            {
                budget.OnCall(T0);
            }

            Assert.Equal(5, Spend(budget, T0));
            Assert.Equal((10L, 5L), budget.Sample(T0 + Window - TimeSpan.FromSeconds(1)));
            Assert.False(budget.TryRetry(T0 + Window - TimeSpan.FromSeconds(1)));

            Assert.Equal((0L, 0L), budget.Sample(T0 + Window));
            Assert.False(budget.TryRetry(T0 + Window)); // the calls of T0 are forgotten too: no room

            budget.OnCall(T0 + Window);
            budget.OnCall(T0 + Window);
            Assert.True(budget.TryRetry(T0 + Window));
            Assert.False(budget.TryRetry(T0 + Window));
        }

        [Fact]
        public void Retries_still_in_the_window_count_against_new_calls()
        {
            var budget = TimedCalls.Budget("orders", 0.5, 0, Window);
            for (int i = 0; i < 10; i++)
            {
                budget.OnCall(T0);
            }

            DateTimeOffset half = T0 + TimeSpan.FromTicks(Window.Ticks / 2);
            Assert.Equal(5, Spend(budget, half));

            // A window after the calls but half a window after the retries: 10 new calls, 5 retries still counted.
            for (int i = 0; i < 10; i++)
            {
                budget.OnCall(T0 + Window);
            }

            Assert.Equal((10L, 5L), budget.Sample(T0 + Window));
            Assert.False(budget.TryRetry(T0 + Window));

            Assert.Equal((10L, 0L), budget.Sample(half + Window)); // the retries slid out, the new calls did not
            Assert.Equal(5, Spend(budget, half + Window));
        }

        [Fact]
        public void A_slot_reused_a_whole_window_later_starts_from_zero()
        {
            var budget = TimedCalls.Budget("orders", 1, 0, Window);
            for (int i = 0; i < 100; i++)
            {
                budget.OnCall(T0);
            }

            budget.OnCall(T0 + (3 * Window)); // same slot (bucket modulo 10), three windows on

            Assert.Equal((1L, 0L), budget.Sample(T0 + (3 * Window)));
            Assert.Equal(1, Spend(budget, T0 + (3 * Window)));
        }

        [Fact]
        public void Threads_racing_for_the_last_retries_get_exactly_the_budget()
        {
            const int threads = 8;
            const int rounds = 100;
            const int callsPerRound = 30;
            const int triesPerThread = 10;
            long expected = Bound(50, callsPerRound, 2 * (long)Window.TotalSeconds); // 0.5 × 30 + 2/s × 10 s = 35 < 8 × 10
            RetryBudget budget = null!;
            long[] granted = new long[rounds];

            Contention.Rounds(
                threads,
                rounds,
                round =>
                {
                    budget = TimedCalls.Budget("orders", 0.5, 2, Window);
                    for (int i = 0; i < callsPerRound; i++)
                    {
                        budget.OnCall(T0);
                    }
                },
                (round, thread) =>
                {
                    for (int i = 0; i < triesPerThread; i++)
                    {
                        if (budget.TryRetry(T0))
                        {
                            Interlocked.Increment(ref granted[round]);
                        }
                    }
                });

            Assert.All(granted, count => Assert.Equal(expected, count));
        }

        [Fact]
        public void Threads_making_calls_and_retries_at_once_never_exceed_the_budget()
        {
            const int threads = 8;
            const int callsPerThread = 5_000;
            var budget = TimedCalls.Budget("orders", 0.2, 0, Window);
            long granted = 0;

            Contention.Run(threads, _ =>
            {
                for (int i = 0; i < callsPerThread; i++)
                {
                    budget.OnCall(T0);
                    if (budget.TryRetry(T0))
                    {
                        Interlocked.Increment(ref granted);
                    }
                }
            });

            (long calls, long retries) = budget.Sample(T0);
            Assert.Equal(threads * callsPerThread, calls);
            Assert.Equal(granted, retries);
            Assert.InRange(granted, 1, Bound(20, threads * callsPerThread, 0));
        }

        [Fact]
        public void The_registry_gives_one_budget_per_name()
        {
            RetryBudget first = _registry.GetOrAddRetryBudget("orders", name => TimedCalls.Budget(name, 0.1, 5, Window));
            RetryBudget again = _registry.GetOrAddRetryBudget("orders", name => TimedCalls.Budget(name, 0.9, 1, TimeSpan.FromSeconds(1)));

            Assert.Same(first, again);
            Assert.Equal(0.1, again.Ratio);
            Assert.Same(first, Assert.Single(_registry.RetryBudgets));
        }

        [Fact]
        public void The_pipeline_has_a_budget_only_with_a_retry_budget_ratio()
        {
            Assert.Null(Pipeline(new SidecarPolicy(Service, retryBudget: 0)).RetryBudget);

            RetryBudget budget = Pipeline(new SidecarPolicy("orders-budget", retryBudget: 0.25, minRetriesPerSecond: 4)).RetryBudget!;

            Assert.NotNull(budget);
            Assert.Equal("orders-budget", budget.Name);
            Assert.Equal(0.25, budget.Ratio);
            Assert.Equal(4, budget.MinRetriesPerSecond);
            Assert.Equal(TimeSpan.FromMilliseconds(SidecarDefaults.RetryBudgetWindow), budget.Window);
            Assert.Same(budget, Assert.Single(_registry.RetryBudgets));
        }

        [Fact]
        public void Enter_marks_retries_only_when_there_is_a_budget()
        {
            SidecarPipeline withBudget = Pipeline(new SidecarPolicy("a", retryBudget: 0.1));
            SidecarPipeline without = Pipeline(new SidecarPolicy("b"));

            Assert.False(withBudget.Enter(Member, 0).IsRetry);
            Assert.True(withBudget.Enter(Member, 1).IsRetry);
            Assert.True(withBudget.Enter(Member, 3).IsRetry);
            Assert.False(without.Enter(Member, 1).IsRetry);
        }

        [Fact]
        public void Every_call_is_deposited_once_whether_it_succeeds_at_once_fails_or_succeeds_on_a_retry()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, delay: 0, retryBudget: 1, minRetriesPerSecond: 0));
            RetryBudget budget = pipeline.RetryBudget!;

            pipeline.OnSuccess(Member, pipeline.Enter(Member, 0));                      // call 1: succeeds at once
            Assert.Equal((1L, 0L), budget.Sample(_time.GetUtcNow()));

            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member, 0), CancellationToken.None, out _)); // call 2
            Assert.Equal((2L, 1L), budget.Sample(_time.GetUtcNow()));
            pipeline.OnSuccess(Member, pipeline.Enter(Member, 1));                      // its retry succeeds: not a new call
            Assert.Equal((2L, 1L), budget.Sample(_time.GetUtcNow()));

            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member, 0), CancellationToken.None, out _)); // call 3
            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 1, pipeline.Enter(Member, 1), CancellationToken.None, out _));
            Assert.Equal((3L, 3L), budget.Sample(_time.GetUtcNow()));
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 2, pipeline.Enter(Member, 2), CancellationToken.None, out TimeSpan delay)); // 4 > 3
            Assert.Equal(TimeSpan.Zero, delay);
            Assert.Equal((3L, 3L), budget.Sample(_time.GetUtcNow()));
        }

        [Fact]
        public void A_failure_that_is_not_retried_anyway_spends_nothing()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 1, retryBudget: 1, minRetriesPerSecond: 0, isTransient: e => e is TimeoutException));
            RetryBudget budget = pipeline.RetryBudget!;

            Assert.False(pipeline.ShouldRetry(Member, new InvalidOperationException(), 0, pipeline.Enter(Member, 0), CancellationToken.None, out _));
            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member, 0), CancellationToken.None, out _));
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 1, pipeline.Enter(Member, 1), CancellationToken.None, out _)); // out of retries

            Assert.Equal((2L, 1L), budget.Sample(_time.GetUtcNow()));
        }

        [Fact]
        public void Over_many_failing_calls_the_pipeline_retries_at_most_the_budget_and_says_so()
        {
            const int calls = 10_000;
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, delay: 100, retryBudget: 0.1, minRetriesPerSecond: 0));
            int granted = 0;
            int denied = 0;

            for (int call = 0; call < calls; call++)
            {
                for (int attempt = 0; ; attempt++)
                {
                    CircuitPermit permit = pipeline.Enter(Member, attempt);
                    if (!pipeline.ShouldRetry(Member, new TimeoutException(), attempt, permit, CancellationToken.None, TimeSpan.Zero, out TimeSpan delay))
                    {
                        Assert.Equal(TimeSpan.Zero, delay);
                        if (attempt < 3)
                        {
                            denied++;
                        }

                        break;
                    }

                    granted++;
                    Assert.True(granted <= 0.1 * (call + 1), $"{granted} retries after {call + 1} calls");
                }
            }

            Assert.Equal(1_000, granted); // 0.1 × 10,000: every call wanted three retries
            Assert.Equal(calls, denied);  // one call in ten gets one retry, then the budget says no; none runs out of retries
            Assert.Equal((long)calls, pipeline.RetryBudget!.Sample(_time.GetUtcNow()).Calls);
            Assert.Equal((long)granted, pipeline.RetryBudget!.Sample(_time.GetUtcNow()).Retries);

            RecordingObserver.AttemptFailure[] failures = _observer.Failures.ToArray();
            Assert.Equal(calls + granted, failures.Length);
            Assert.Equal(granted, failures.Count(f => f.WillRetry));
            Assert.Equal(denied, failures.Count(f => !f.WillRetry && f.Attempt <= 3));
            Assert.All(failures.Where(f => !f.WillRetry), f => Assert.Equal(TimeSpan.Zero, f.Delay));
        }

        [Fact]
        public void Once_the_window_has_passed_the_pipeline_may_retry_again()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, delay: 0, retryBudget: 0.5, minRetriesPerSecond: 0));
            for (int i = 0; i < 4; i++)
            {
                pipeline.OnSuccess(Member, pipeline.Enter(Member, 0));
            }

            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member, 0), CancellationToken.None, out _));  // 5 calls: 2.5
            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 1, pipeline.Enter(Member, 1), CancellationToken.None, out _));
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 2, pipeline.Enter(Member, 2), CancellationToken.None, out _));
            Assert.False(_observer.Failures[^1].WillRetry);

            _time.Advance(Window);
            for (int i = 0; i < 4; i++)
            {
                pipeline.OnSuccess(Member, pipeline.Enter(Member, 0));
            }

            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 0, pipeline.Enter(Member, 0), CancellationToken.None, out _));
            Assert.True(_observer.Failures[^1].WillRetry);
        }

        /// <summary>floor(percent / 100 × calls + floor), in exact arithmetic.</summary>
        private static long Bound(int percent, long calls, long floor) => ((percent * calls) / 100) + floor;

        /// <summary>Takes retries at <paramref name="now"/> until the budget says no; how many it got.</summary>
        private static int Spend(RetryBudget budget, DateTimeOffset now)
        {
            int granted = 0;
            while (budget.TryRetry(now))
            {
                granted++;
                Assert.True(granted <= 1_000_000, "The budget never ran out.");
            }

            return granted;
        }

        private SidecarPipeline Pipeline(SidecarPolicy policy)
            => new(Service, policy, new SidecarOptions { TimeProvider = _time, CircuitBreakers = _registry, Observer = _observer });
    }
}
