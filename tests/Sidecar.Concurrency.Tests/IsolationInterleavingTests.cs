using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Coyote.Specifications;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Concurrency.Tests
{
    /// <summary>The bulkhead's and the retry budget's limits, checked in every interleaving Coyote explores.</summary>
    public class IsolationInterleavingTests
    {
        [Fact]
        public void A_bulkhead_never_runs_more_than_its_limit_and_gives_every_slot_back()
        {
            Explore.Run(async () =>
            {
                var bulkhead = new Bulkhead("orders", maxConcurrency: 2);
                int running = 0;

                async Task Caller()
                {
                    await Task.Yield();
                    if (!bulkhead.TryEnter())
                    {
                        return;
                    }

                    int now = Interlocked.Increment(ref running);
                    Specification.Assert(now <= 2, $"{now} attempts running, 2 allowed");
                    Specification.Assert(bulkhead.Running <= 2, $"the bulkhead counts {bulkhead.Running}");
                    await Task.Yield();
                    Interlocked.Decrement(ref running);
                    bulkhead.Release();
                }

                await Explore.All(Task.Run(Caller), Task.Run(Caller), Task.Run(Caller), Task.Run(Caller));
                Specification.Assert(bulkhead.Running == 0, $"{bulkhead.Running} slots leaked");
            });
        }

        [Fact]
        public void A_queued_bulkhead_never_runs_or_queues_more_than_its_limits_and_serves_every_waiter()
        {
            Explore.Run(async () =>
            {
                var bulkhead = new Bulkhead("orders", maxConcurrency: 1, maxQueue: 2);
                using var cts = new CancellationTokenSource();
                int running = 0;
                int served = 0;
                int refused = 0;
                int cancelled = 0;

                async Task Caller(CancellationToken token)
                {
                    await Task.Yield();
                    bool entered;
                    try
                    {
                        entered = await bulkhead.EnterAsync(token);
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref cancelled);
                        return;
                    }

                    if (!entered)
                    {
                        Interlocked.Increment(ref refused);
                        return;
                    }

                    int now = Interlocked.Increment(ref running);
                    Specification.Assert(now <= 1, $"{now} attempts running, 1 allowed");
                    Specification.Assert(bulkhead.Queued <= 2, $"{bulkhead.Queued} callers queued, 2 allowed");
                    await Task.Yield();
                    Interlocked.Decrement(ref running);
                    Interlocked.Increment(ref served);
                    bulkhead.Release();
                }

                async Task Canceller()
                {
                    await Task.Yield();
                    cts.Cancel();
                }

                await Explore.All(
                    Task.Run(() => Caller(CancellationToken.None)),
                    Task.Run(() => Caller(CancellationToken.None)),
                    Task.Run(() => Caller(cts.Token)),
                    Task.Run(() => Caller(CancellationToken.None)),
                    Task.Run(Canceller));
                Specification.Assert(served + refused + cancelled == 4, $"{served} served, {refused} refused, {cancelled} cancelled: a caller was lost");
                Specification.Assert(served >= 1, "nobody was served");
                Specification.Assert(bulkhead.Running == 0 && bulkhead.Queued == 0, $"{bulkhead.Running} slots and {bulkhead.Queued} queue places leaked");
            });
        }

        [Fact]
        public void Racing_attempts_never_take_more_permits_than_the_rate_limit()
        {
            Explore.Run(async () =>
            {
                var limiter = new SidecarRateLimiter("orders", permitLimit: 2, TimeSpan.FromSeconds(1), new SteppingClock());
                int granted = 0;

                async Task Attempt()
                {
                    await Task.Yield();
                    using System.Threading.RateLimiting.RateLimitLease lease = limiter.AttemptAcquire();
                    if (lease.IsAcquired)
                    {
                        Interlocked.Increment(ref granted);
                    }
                }

                await Explore.All(Task.Run(Attempt), Task.Run(Attempt), Task.Run(Attempt), Task.Run(Attempt));
                Specification.Assert(granted == 2, $"{granted} permits granted in one window, 2 allowed");
                Specification.Assert(limiter.GetStatistics()!.TotalFailedLeases == 2, "two refusals counted");
            });
        }

        [Fact]
        public void Racing_retries_never_spend_more_than_the_budget()
        {
            Explore.Run(async () =>
            {
                // No floor: 0.5 retries per call, and two calls made, so exactly one retry may be spent.
                var budget = new RetryBudget("orders", ratio: 0.5, minRetriesPerSecond: 0, window: TimeSpan.FromSeconds(10), new SteppingClock());
                budget.OnCall();
                budget.OnCall();
                int granted = 0;

                async Task Retry()
                {
                    await Task.Yield();
                    if (budget.TryRetry())
                    {
                        Interlocked.Increment(ref granted);
                    }
                }

                await Explore.All(Task.Run(Retry), Task.Run(Retry), Task.Run(Retry));
                Specification.Assert(granted == 1, $"{granted} retries granted, 1 allowed");
                Specification.Assert(budget.Sample().Retries == 1, $"the budget counts {budget.Sample().Retries} retries");
            });
        }
    }
}
