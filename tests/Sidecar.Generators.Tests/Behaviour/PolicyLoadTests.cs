using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>A quota far below the demand, retries included: the rate limit must grant exactly its permits, no more.</summary>
    [Sidecar(Retries = 2, Delay = 0, RateLimit = 400_000, RateLimitWindow = 1000)]
    public interface IQuotaLoad
    {
        int Call(int id);
    }

    /// <summary>Two slots and a line of three, for asynchronous calls that really wait.</summary>
    [Sidecar(Retries = 0, MaxConcurrency = 2, MaxQueue = 3)]
    public interface IQueueLoad
    {
        Task<int> CallAsync(int id, CancellationToken cancellationToken);
    }

    /// <summary>Hedged rounds of up to three attempts, one retry, and a bulkhead every attempt shares.</summary>
    [Sidecar(Retries = 1, Delay = 0, Hedging = 2, HedgingDelay = 0, MaxConcurrency = 48)]
    public interface IHedgeLoad
    {
        Task<int> CallAsync(int id, CancellationToken cancellationToken);
    }

    /// <summary>Counts the attempts of each call, and how many of them run at once; fails some, answers some later.</summary>
    public sealed class HedgeLoadInner : IHedgeLoad
    {
        [ThreadStatic]
        private static Random? t_random;

        private readonly int[] _attempts;
        private readonly int[] _running;
        private int _mostAtOnce;
        private long _total;

        public HedgeLoadInner(int calls)
        {
            _attempts = new int[calls];
            _running = new int[calls];
        }

        public long Total => Interlocked.Read(ref _total);

        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public int MostPerCall => _attempts.Max();

        public long Sum => _attempts.Sum(a => (long)a);

        public async Task<int> CallAsync(int id, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _total);
            Interlocked.Increment(ref _attempts[id]);
            int now = Interlocked.Increment(ref _running[id]);
            int seen;
            while (now > (seen = Volatile.Read(ref _mostAtOnce)) && Interlocked.CompareExchange(ref _mostAtOnce, now, seen) != seen)
            {
            }

            Random random = t_random ??= new Random(Environment.CurrentManagedThreadId);
            bool fails = random.NextDouble() < 0.3;
            try
            {
                if (random.NextDouble() < 0.5)
                {
                    await Task.Yield(); // answers later: the round may have started another attempt beside it
                }

                return fails ? throw new ConnectionError("load") : id;
            }
            finally
            {
                Interlocked.Decrement(ref _running[id]);
            }
        }
    }

    /// <summary>Fails an attempt with a seeded probability; counts attempts; for the queue, how many run at once.</summary>
    public sealed class LoadInner : IQuotaLoad, IQueueLoad
    {
        [ThreadStatic]
        private static Random? t_random;

        private long _attempts;
        private int _running;
        private int _mostRunning;

        public double FailureRate { get; init; }

        public Func<int>? QueueLength { get; set; }

        public long Attempts => Interlocked.Read(ref _attempts);

        public int MostRunning => Volatile.Read(ref _mostRunning);

        public int LongestQueueSeen { get; private set; }

        public static void Seed(int seed) => t_random = new Random(seed);

        public int Call(int id)
        {
            Interlocked.Increment(ref _attempts);
            if (t_random!.NextDouble() < FailureRate)
            {
                throw new ConnectionError("load");
            }

            return id;
        }

        public async Task<int> CallAsync(int id, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            int now = Interlocked.Increment(ref _running);
            int seen;
            while (now > (seen = Volatile.Read(ref _mostRunning)) && Interlocked.CompareExchange(ref _mostRunning, now, seen) != seen)
            {
            }

            if (QueueLength?.Invoke() is int queued && queued > LongestQueueSeen)
            {
                LongestQueueSeen = queued;
            }

            await Task.Yield();
            Interlocked.Decrement(ref _running);
            return id;
        }
    }

    /// <summary>The new policies under load: 1/2/8 threads, every call accounted for, and their limits never exceeded.</summary>
    [Collection(FaultInjectionCollection.Name)]
    public class PolicyLoadTests
    {
        private readonly ITestOutputHelper _output;

        public PolicyLoadTests(ITestOutputHelper output) => _output = output;

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(8)]
        public void A_rate_limit_grants_exactly_its_permits_whatever_the_threads(int threads)
        {
            const int Calls = 1_000_000;
            var inner = new LoadInner { FailureRate = 0.3 };
            var frozen = new FakeTimeProvider(); // one window for the whole run: every permit counts against the same quota
            var sidecar = new QuotaLoadSidecar(inner, new SidecarOptions { TimeProvider = frozen, CircuitBreakers = new CircuitBreakerRegistry() });
            long ok = 0, failed = 0, refused = 0;

            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, thread =>
            {
                LoadInner.Seed(20_261_204 + thread);
                long mineOk = 0, mineFailed = 0, mineRefused = 0;
                for (int id = thread; id < Calls; id += threads)
                {
                    try
                    {
                        Assert.Equal(id, sidecar.Call(id));
                        mineOk++;
                    }
                    catch (ConnectionError)
                    {
                        mineFailed++;
                    }
                    catch (RateLimitRejectedException)
                    {
                        mineRefused++;
                    }
                }

                Interlocked.Add(ref ok, mineOk);
                Interlocked.Add(ref failed, mineFailed);
                Interlocked.Add(ref refused, mineRefused);
            });

            _output.WriteLine($"threads={threads} calls={Calls:N0} attempts={inner.Attempts:N0} ok={ok:N0} failed={failed:N0} refused={refused:N0}");
            Assert.Equal(Calls, ok + failed + refused); // every call accounted for
            Assert.Equal(400_000, inner.Attempts); // the demand (about 1.4 million attempts) is far above the quota: all of it, not one more
            Assert.True(refused > 0);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(8)]
        public async Task A_bulkhead_queue_never_runs_or_queues_more_than_its_limits_and_every_call_ends(int threads)
        {
            const int Calls = 1_000_000;
            var registry = new CircuitBreakerRegistry();
            var inner = new LoadInner();
            var sidecar = new QueueLoadSidecar(inner, new SidecarOptions { CircuitBreakers = registry });
            inner.QueueLength = () => registry.Bulkheads.Single().Queued;
            long ok = 0, refused = 0, issued = 0;

            await Task.WhenAll(Enumerable.Range(0, threads).Select(thread => Task.Run(async () =>
            {
                var pending = new System.Collections.Generic.List<Task<int>>(16);
                for (int id = thread; id < Calls; id += threads * 16)
                {
                    pending.Clear();
                    for (int i = 0; i < 16 && id + (i * threads) < Calls; i++)
                    {
                        pending.Add(sidecar.CallAsync(id + (i * threads), CancellationToken.None));
                        Interlocked.Increment(ref issued);
                    }

                    foreach (Task<int> call in pending)
                    {
                        try
                        {
                            await call.WaitAsync(TimeSpan.FromSeconds(60)); // a caller left in line for good fails the test, not the run
                            Interlocked.Increment(ref ok);
                        }
                        catch (BulkheadRejectedException)
                        {
                            Interlocked.Increment(ref refused);
                        }
                    }
                }
            })));

            Bulkhead bulkhead = registry.Bulkheads.Single();
            _output.WriteLine($"threads={threads} calls={ok + refused:N0} ok={ok:N0} refused={refused:N0} most running={inner.MostRunning} longest line seen={inner.LongestQueueSeen}");
            Assert.True(inner.MostRunning <= 2, inner.MostRunning + " attempts ran at once, 2 allowed");
            Assert.True(inner.LongestQueueSeen <= 3, inner.LongestQueueSeen + " callers waited, 3 allowed");
            Assert.Equal(Calls, issued);
            Assert.Equal(issued, ok + refused); // every call ended, answered or refused
            Assert.Equal(ok, inner.Attempts); // a refused call never reached the dependency
            Assert.Equal(0, bulkhead.Running);
            Assert.Equal(0, bulkhead.Queued);
            Assert.True(refused > 0 && ok > 0, "the line both served and refused");
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(8)]
        public async Task Hedged_calls_never_make_more_attempts_than_the_policy_allows_and_give_back_every_slot(int threads)
        {
            const int Calls = 1_000_000;
            var registry = new CircuitBreakerRegistry();
            var inner = new HedgeLoadInner(Calls);
            var sidecar = new HedgeLoadSidecar(inner, new SidecarOptions { CircuitBreakers = registry });
            long ok = 0, failed = 0, refused = 0;

            await Task.WhenAll(Enumerable.Range(0, threads).Select(thread => Task.Run(async () =>
            {
                var pending = new Task<int>[8];
                long mineOk = 0, mineFailed = 0, mineRefused = 0;
                for (int first = thread * pending.Length; first < Calls; first += threads * pending.Length)
                {
                    int count = Math.Min(pending.Length, Calls - first);
                    for (int i = 0; i < count; i++)
                    {
                        pending[i] = sidecar.CallAsync(first + i, CancellationToken.None);
                    }

                    for (int i = 0; i < count; i++)
                    {
                        try
                        {
                            Assert.Equal(first + i, await pending[i].WaitAsync(TimeSpan.FromSeconds(60)));
                            mineOk++;
                        }
                        catch (ConnectionError)
                        {
                            mineFailed++;
                        }
                        catch (BulkheadRejectedException)
                        {
                            mineRefused++;
                        }
                    }
                }

                Interlocked.Add(ref ok, mineOk);
                Interlocked.Add(ref failed, mineFailed);
                Interlocked.Add(ref refused, mineRefused);
            })));

            Bulkhead bulkhead = registry.Bulkheads.Single();
            Assert.True(SpinWait.SpinUntil(() => bulkhead.Running == 0, TimeSpan.FromSeconds(30)), bulkhead.Running + " slots still taken");
            _output.WriteLine($"threads={threads} calls={Calls:N0} attempts={inner.Total:N0} ok={ok:N0} failed={failed:N0} refused={refused:N0} most per call={inner.MostPerCall} most at once for a call={inner.MostAtOnce}");
            Assert.Equal(Calls, ok + failed + refused); // every call accounted for
            Assert.Equal(inner.Total, inner.Sum); // every attempt belongs to a call
            Assert.True(inner.MostAtOnce <= 3, inner.MostAtOnce + " attempts of one call ran at once; a round holds 1 + Hedging = 3");
            Assert.True(inner.MostPerCall <= 6, inner.MostPerCall + " attempts for one call; (1 + Retries) × (1 + Hedging) = 6 allowed");
            Assert.True(inner.Total > Calls, "some calls were hedged");
        }
    }
}
