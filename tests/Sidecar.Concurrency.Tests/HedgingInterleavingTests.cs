using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Coyote.Specifications;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Concurrency.Tests
{
    /// <summary>Hedged rounds racing each other and the caller's cancellation, in every interleaving Coyote explores.</summary>
    public class HedgingInterleavingTests
    {
        [Fact]
        public void Hedged_rounds_never_run_more_than_one_plus_Hedging_attempts_and_give_back_every_slot()
        {
            Explore.Run(Scenario, uncontrolledWaits: true);
        }

        /// <summary>The same scenario on real threads, each run under a time limit: a round that hangs fails here.</summary>
        [Fact]
        public async Task Hedged_rounds_on_real_threads_always_end()
        {
            for (int i = 0; i < 5_000; i++)
            {
                await Scenario().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        // Two hedged calls (one cancelled by its caller) and a bulkhead of three slots that every attempt of both shares.
        private static async Task Scenario()
        {
            {
                var registry = new CircuitBreakerRegistry();
                var service = new SidecarService("Orders", new[] { "Get" });
                var policy = new SidecarPolicy("Orders", retries: 0, maxConcurrency: 3, hedging: 2, hedgingDelay: 0);
                var pipeline = new SidecarPipeline(service, policy, new SidecarOptions { CircuitBreakers = registry, TimeProvider = new SteppingClock() });
                SidecarMember member = service.Member("Get");
                Bulkhead bulkhead = registry.Bulkheads.Single();
                var attempts = new ConcurrentBag<Task<int>>();
                int[] running = new int[2];
                int[] started = new int[2];
                int answered = 0, failed = 0, refused = 0, cancelled = 0;
                using var cts = new CancellationTokenSource();

                async Task<int> Inner(int call, CancellationToken token)
                {
                    int number = Interlocked.Increment(ref started[call]);
                    int now = Interlocked.Increment(ref running[call]);
                    Specification.Assert(now <= 3, $"{now} attempts of call {call} at once; 1 + Hedging = 3");
                    Specification.Assert(bulkhead.Running <= 3, $"{bulkhead.Running} bulkhead slots taken, 3 allowed");
                    try
                    {
                        await Task.Yield();
                        token.ThrowIfCancellationRequested();
                        return number % 2 == 1 ? throw new InvalidOperationException("transient") : number;
                    }
                    finally
                    {
                        Interlocked.Decrement(ref running[call]);
                    }
                }

                async Task Call(int call, CancellationToken token)
                {
                    await Task.Yield();
                    CircuitPermit permit = default;
                    try
                    {
                        permit = pipeline.Enter(member, 0);
                        HedgedAttempt<int> round = await pipeline.Hedge(
                            member, 0, permit, call, (c, t) => Track(attempts, Inner(c, t)), 0, null, null, token, default);
                        permit = round.Permit;
                        round.GetResult();
                        pipeline.OnSuccess(member, permit);
                        Interlocked.Increment(ref answered);
                    }
                    catch (BulkheadRejectedException)
                    {
                        Interlocked.Increment(ref refused);
                    }
                    catch (Exception ex)
                    {
                        pipeline.ShouldRetry(member, ex, 0, permit, token, out _);
                        Interlocked.Increment(ref ex is OperationCanceledException ? ref cancelled : ref failed);
                    }
                }

                async Task Canceller()
                {
                    await Task.Yield();
                    cts.Cancel();
                }

                await Explore.All(Task.Run(() => Call(0, CancellationToken.None)), Task.Run(() => Call(1, cts.Token)), Task.Run(Canceller));
                foreach (Task<int> attempt in attempts.ToArray())
                {
                    try
                    {
                        await attempt;
                    }
                    catch (Exception)
                    {
                        // every loser's outcome was observed by the round; here we only wait for it to end
                    }
                }

                // A loser gives its slot back once the round has observed its end, which may come after the attempt itself.
                for (int i = 0; i < 50 && bulkhead.Running > 0; i++)
                {
                    await Task.Delay(1);
                }

                Specification.Assert(answered + failed + refused + cancelled == 2, $"{answered} answered, {failed} failed, {refused} refused, {cancelled} cancelled: a call was lost");
                Specification.Assert(started.All(n => n <= 3), $"{started.Max()} attempts for one call; 1 + Hedging = 3");
                Specification.Assert(bulkhead.Running == 0, $"{bulkhead.Running} bulkhead slots leaked");
            }
        }

        private static Task<int> Track(ConcurrentBag<Task<int>> attempts, Task<int> attempt)
        {
            attempts.Add(attempt);
            return attempt;
        }
    }
}
