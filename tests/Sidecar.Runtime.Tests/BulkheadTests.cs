using System;
using System.Linq;
using System.Threading;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class BulkheadTests
    {
        private const string Service = "IOrderService";
        private const string Member = "GetAsync";
        private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);

        private readonly SteppingClock _time = new();
        private readonly CircuitBreakerRegistry _registry = new();
        private readonly RecordingObserver _observer = new();

        [Fact]
        public void The_constructor_requires_a_name_and_room_for_one_call()
        {
            Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new Bulkhead(null!, 1)).ParamName);
            Assert.Equal("maxConcurrency", Assert.Throws<ArgumentOutOfRangeException>(() => new Bulkhead("orders", 0)).ParamName);
            Assert.Equal("maxConcurrency", Assert.Throws<ArgumentOutOfRangeException>(() => new Bulkhead("orders", -1)).ParamName);
        }

        [Fact]
        public void TryEnter_takes_slots_up_to_the_maximum_then_refuses()
        {
            var bulkhead = new Bulkhead("orders", 3);
            Assert.Equal("orders", bulkhead.Name);
            Assert.Equal(3, bulkhead.MaxConcurrency);
            Assert.Equal(0, bulkhead.Running);

            Assert.True(bulkhead.TryEnter());
            Assert.True(bulkhead.TryEnter());
            Assert.True(bulkhead.TryEnter());
            Assert.Equal(3, bulkhead.Running);

            Assert.False(bulkhead.TryEnter());
            Assert.False(bulkhead.TryEnter());
            Assert.Equal(3, bulkhead.Running); // a refusal takes nothing
        }

        [Fact]
        public void Release_makes_room_for_another_call()
        {
            var bulkhead = new Bulkhead("orders", 1);
            Assert.True(bulkhead.TryEnter());
            Assert.False(bulkhead.TryEnter());

            bulkhead.Release();

            Assert.Equal(0, bulkhead.Running);
            Assert.True(bulkhead.TryEnter());
        }

        [Fact]
        public void Releasing_more_often_than_entering_throws_and_changes_nothing()
        {
            var bulkhead = new Bulkhead("orders", 2);
            Assert.True(bulkhead.TryEnter());
            bulkhead.Release();

            var ex = Assert.Throws<InvalidOperationException>(() => bulkhead.Release());

            Assert.Contains("orders", ex.Message, StringComparison.Ordinal);
            Assert.Equal(0, bulkhead.Running);
            Assert.True(bulkhead.TryEnter());
            Assert.True(bulkhead.TryEnter());
            Assert.False(bulkhead.TryEnter()); // the maximum is still 2
        }

        [Fact]
        public void The_registry_gives_one_bulkhead_per_name()
        {
            Bulkhead first = _registry.GetOrAddBulkhead("orders", 2);
            Bulkhead again = _registry.GetOrAddBulkhead("orders", 9);
            Bulkhead other = _registry.GetOrAddBulkhead("billing", 4);

            Assert.Same(first, again);
            Assert.Equal(2, again.MaxConcurrency);
            Assert.NotSame(first, other);
            Assert.Equal(2, _registry.Bulkheads.Count());
        }

        [Fact]
        public void The_pipeline_has_a_bulkhead_only_with_a_max_concurrency()
        {
            Assert.Null(Pipeline(new SidecarPolicy(Service)).Bulkhead);

            SidecarPipeline pipeline = Pipeline(new SidecarPolicy("orders-bulkhead", maxConcurrency: 2));

            Assert.NotNull(pipeline.Bulkhead);
            Assert.Same(_registry.GetOrAddBulkhead("orders-bulkhead", 99), pipeline.Bulkhead);
            Assert.Equal(2, pipeline.Bulkhead!.MaxConcurrency);
            Assert.False(pipeline.IsClosed); // every attempt must go through Enter
            Assert.Null(pipeline.CircuitBreaker);
        }

        [Fact]
        public void Enter_holds_a_slot_until_the_attempt_succeeds()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, maxConcurrency: 2));

            CircuitPermit permit = pipeline.Enter(Member);

            Assert.True(permit.HoldsBulkheadSlot);
            Assert.False(permit.IsProbe);
            Assert.Equal(1, pipeline.Bulkhead!.Running);

            pipeline.OnSuccess(Member, permit);

            Assert.Equal(0, pipeline.Bulkhead.Running);
        }

        [Fact]
        public void Enter_past_the_maximum_throws_BulkheadRejectedException_naming_the_bulkhead_and_its_limit()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy("orders-bulkhead", maxConcurrency: 2));
            pipeline.Enter(Member);
            pipeline.Enter(Member);

            var rejected = Assert.Throws<BulkheadRejectedException>(() => pipeline.Enter(Member));

            Assert.IsAssignableFrom<SidecarRejectedException>(rejected);
            Assert.Equal("orders-bulkhead", rejected.BulkheadName);
            Assert.Equal(2, rejected.MaxConcurrency);
            Assert.Contains("'orders-bulkhead'", rejected.Message, StringComparison.Ordinal);
            Assert.Contains("MaxConcurrency = 2", rejected.Message, StringComparison.Ordinal);
            Assert.Equal(2, pipeline.Bulkhead!.Running);
            var (service, member, exception) = Assert.Single(_observer.Rejections);
            Assert.Equal(Service, service);
            Assert.Equal(Member, member);
            Assert.Same(rejected, exception);
        }

        [Fact]
        public void Refusal_returns_the_rejection_when_full_and_takes_no_slot()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, maxConcurrency: 1));
            Assert.Null(pipeline.Refusal(Member));
            Assert.Equal(0, pipeline.Bulkhead!.Running);

            CircuitPermit held = pipeline.Enter(Member);

            var refused = Assert.IsType<BulkheadRejectedException>(pipeline.Refusal(Member));
            Assert.Equal(1, refused.MaxConcurrency);
            Assert.Equal(1, pipeline.Bulkhead.Running);

            pipeline.OnSuccess(Member, held);
            Assert.Null(pipeline.Refusal(Member));
        }

        [Fact]
        public void ShouldRetry_gives_the_slot_back_whether_or_not_it_retries()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 1, maxConcurrency: 1));

            CircuitPermit first = pipeline.Enter(Member);
            Assert.True(pipeline.ShouldRetry(Member, new TimeoutException(), 0, first, CancellationToken.None, out _));
            Assert.Equal(0, pipeline.Bulkhead!.Running);

            CircuitPermit second = pipeline.Enter(Member, 1);
            Assert.True(second.HoldsBulkheadSlot);
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 1, second, CancellationToken.None, out _));
            Assert.Equal(0, pipeline.Bulkhead.Running);
        }

        [Fact]
        public void A_bulkhead_rejection_is_not_retried_and_does_not_release_a_slot_it_never_took()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 3, maxConcurrency: 1));
            CircuitPermit held = pipeline.Enter(Member);
            var rejected = Assert.Throws<BulkheadRejectedException>(() => pipeline.Enter(Member));

            Assert.False(pipeline.ShouldRetry(Member, rejected, 0, default, CancellationToken.None, out TimeSpan delay));

            Assert.Equal(TimeSpan.Zero, delay);
            Assert.Equal(1, pipeline.Bulkhead!.Running);
            pipeline.OnSuccess(Member, held);
            Assert.Equal(0, pipeline.Bulkhead.Running);
        }

        [Fact]
        public void A_half_open_probe_refused_by_a_full_bulkhead_gives_its_probe_slot_back()
        {
            SidecarPipeline pipeline = Pipeline(new SidecarPolicy(Service, retries: 0, failureThreshold: 1, breakDuration: (int)Break.TotalMilliseconds, halfOpenProbes: 1, maxConcurrency: 1));
            CircuitPermit held = pipeline.Enter(Member); // a slow call, admitted while closed, fills the bulkhead
            Assert.False(pipeline.ShouldRetry(Member, new TimeoutException(), 0, default, CancellationToken.None, out _)); // another caller's failure opens the circuit
            _time.Advance(Break);

            Assert.Throws<BulkheadRejectedException>(() => pipeline.Enter(Member));

            CircuitBreaker breaker = pipeline.CircuitBreaker!;
            Assert.Equal(CircuitState.HalfOpen, breaker.State);
            Assert.Equal(0, breaker.ProbesRunning);
            Assert.False(breaker.WouldRefuse(_time.GetUtcNow(), out _));

            pipeline.OnSuccess(Member, held); // frees the bulkhead; an ordinary success does not close a half-open circuit
            Assert.Equal(CircuitState.HalfOpen, breaker.State);

            CircuitPermit probe = pipeline.Enter(Member);
            Assert.True(probe.IsProbe);
            Assert.True(probe.HoldsBulkheadSlot);
            pipeline.OnSuccess(Member, probe);

            Assert.True(breaker.IsClosed);
            Assert.Equal(0, pipeline.Bulkhead!.Running);
            Assert.Equal(new[] { CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed }, _observer.Transitions.Select(t => t.State));
        }

        [Fact]
        public void Threads_racing_for_a_bulkhead_never_run_more_than_its_maximum()
        {
            const int threads = 8;
            const int iterations = 20_000;
            const int max = 3;
            var bulkhead = new Bulkhead("orders", max);
            int inside = 0;
            int mostInside = 0;
            int mostRunning = 0;
            int admitted = 0;
            int refused = 0;

            Contention.Run(threads, _ =>
            {
                for (int i = 0; i < iterations; i++)
                {
                    Contention.Max(ref mostRunning, bulkhead.Running);
                    if (!bulkhead.TryEnter())
                    {
                        Interlocked.Increment(ref refused);
                        continue;
                    }

                    Interlocked.Increment(ref admitted);
                    Contention.Max(ref mostInside, Interlocked.Increment(ref inside));
                    Contention.Max(ref mostRunning, bulkhead.Running);
                    Interlocked.Decrement(ref inside);
                    bulkhead.Release();
                }
            });

            Assert.InRange(mostInside, 1, max);
            Assert.InRange(mostRunning, 1, max);
            Assert.Equal(0, bulkhead.Running);
            Assert.Equal(threads * iterations, admitted + refused);
            Assert.True(admitted > 0);
        }

        [Fact]
        public void Callers_refused_by_a_full_bulkhead_never_make_it_report_more_than_its_maximum()
        {
            // Half the threads keep knocking on a full bulkhead, the other half read Running (as Refusal does).
            const int threads = 8;
            const int iterations = 50_000;
            var bulkhead = new Bulkhead("orders", 2);
            Assert.True(bulkhead.TryEnter());
            Assert.True(bulkhead.TryEnter());
            int mostRunning = 0;
            int admitted = 0;

            Contention.Run(threads, id =>
            {
                for (int i = 0; i < iterations; i++)
                {
                    if (id % 2 == 0)
                    {
                        if (bulkhead.TryEnter())
                        {
                            Interlocked.Increment(ref admitted);
                        }
                    }
                    else
                    {
                        Contention.Max(ref mostRunning, bulkhead.Running);
                    }
                }
            });

            Assert.Equal(0, admitted);
            Assert.Equal(2, mostRunning);
            Assert.Equal(2, bulkhead.Running);
        }

        [Fact]
        public void Threads_racing_through_the_pipeline_never_run_more_than_its_maximum()
        {
            const int threads = 8;
            const int iterations = 5_000;
            const int max = 2;
            SidecarPipeline pipeline = new(Service, new SidecarPolicy(Service, retries: 1, maxConcurrency: max), new SidecarOptions { TimeProvider = _time, CircuitBreakers = _registry });
            Bulkhead bulkhead = pipeline.Bulkhead!;
            int inside = 0;
            int mostInside = 0;
            int mostRunning = 0;
            int rejected = 0;

            Contention.Run(threads, id =>
            {
                for (int i = 0; i < iterations; i++)
                {
                    CircuitPermit permit;
                    try
                    {
                        permit = pipeline.Enter(Member);
                    }
                    catch (BulkheadRejectedException)
                    {
                        Interlocked.Increment(ref rejected);
                        continue;
                    }

                    Contention.Max(ref mostInside, Interlocked.Increment(ref inside));
                    Contention.Max(ref mostRunning, bulkhead.Running);
                    Interlocked.Decrement(ref inside);
                    if ((i + id) % 2 == 0)
                    {
                        pipeline.OnSuccess(Member, permit);
                    }
                    else
                    {
                        pipeline.ShouldRetry(Member, new TimeoutException(), 1, permit, CancellationToken.None, out _);
                    }
                }
            });

            Assert.InRange(mostInside, 1, max);
            Assert.InRange(mostRunning, 1, max);
            Assert.Equal(0, bulkhead.Running);
            Assert.True(rejected < threads * iterations);
        }

        private SidecarPipeline Pipeline(SidecarPolicy policy)
            => new(Service, policy, new SidecarOptions { TimeProvider = _time, CircuitBreakers = _registry, Observer = _observer });
    }
}
