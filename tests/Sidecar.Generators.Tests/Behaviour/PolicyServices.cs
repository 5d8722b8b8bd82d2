using System;
using System.Threading;
using System.Threading.Tasks;

// Interfaces for the policy tests (failure-ratio breaker, half-open probes, bulkhead, retry budget, decorrelated jitter,
// run-time overrides): their sidecars are generated while this project builds.
namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>A failure-ratio breaker: half the attempts of the last second failing, once 10 were seen.</summary>
    [Sidecar(Retries = 0, FailureRatio = 0.5, SamplingDuration = 1000, MinimumThroughput = 10, BreakDuration = 500)]
    public interface IRatioService
    {
        int Call(int id);

        Task<int> CallAsync(int id, CancellationToken ct);
    }

    /// <summary>Three half-open probes must all succeed to close the circuit.</summary>
    [Sidecar(Retries = 0, FailureThreshold = 1, BreakDuration = 100, HalfOpenProbes = 3)]
    public interface IProbedService
    {
        int Call(int id);

        Task<int> CallAsync(int id, CancellationToken ct);
    }

    /// <summary>At most three attempts at once.</summary>
    [Sidecar(Retries = 0, MaxConcurrency = 3)]
    public interface IBulkheadService
    {
        int Call(int id);

        Task<int> CallAsync(int id, CancellationToken ct);
    }

    /// <summary>A bulkhead whose rejections the fallback answers.</summary>
    [Sidecar(Retries = 0, MaxConcurrency = 1, Fallback = nameof(DegradedBulkheadSidecar.Degraded))]
    public interface IDegradedBulkhead
    {
        Task<int> CallAsync(int id, CancellationToken ct);
    }

    public partial class DegradedBulkheadSidecar
    {
        internal Task<int> Degraded(int id, CancellationToken ct, Exception exception)
            => Task.FromResult(exception is BulkheadRejectedException ? -id : 0);
    }

    /// <summary>Every call may retry 3 times, but retries may not exceed 20 % of the calls plus 10 per second.</summary>
    [Sidecar(Retries = 3, Delay = 0, RetryBudget = 0.2, MinRetriesPerSecond = 10)]
    public interface IBudgetedService
    {
        int Call(int id);

        Task<int> CallAsync(int id, CancellationToken ct);
    }

    /// <summary>A bulkhead of one slot around attempts that may time out.</summary>
    [Sidecar(Retries = 2, Delay = 0, Timeout = 100, MaxConcurrency = 1)]
    public interface ITimedBulkhead
    {
        Task<int> CallAsync(int id);
    }

    /// <summary>An inner whose call never ends until <see cref="Finish"/>, whatever token it is given.</summary>
    public sealed class StuckInner : ITimedBulkhead
    {
        private readonly TaskCompletionSource<int> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls;

        public Task<int> CallAsync(int id)
        {
            Interlocked.Increment(ref Calls);
            return _done.Task;
        }

        public void Finish() => _done.SetResult(0);
    }

    /// <summary>A service bulkhead for most members, and one member with a bulkhead of its own.</summary>
    [Sidecar(Retries = 0)]
    public interface IMixedService
    {
        int Shared(int id);

        [Sidecar(MaxConcurrency = 2)]
        int Own(int id);
    }

    public sealed class MixedInner : IMixedService
    {
        public int Shared(int id) => id;

        public int Own(int id) => id;
    }

    /// <summary>Retries with a delay, a time limit per attempt and a bulkhead: what the cancellation suite cancels.</summary>
    [Sidecar(Retries = 5, Delay = 100, Timeout = 1000, MaxConcurrency = 4)]
    public interface ICancellable
    {
        Task<int> CallAsync(int id, CancellationToken ct);
    }

    /// <summary>Does what <see cref="Behaviour"/> says; counts calls.</summary>
    public sealed class CancellableInner : ICancellable
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Func<int, CancellationToken, Task<int>> Behaviour { get; set; } = (id, _) => Task.FromResult(id);

        public Task<int> CallAsync(int id, CancellationToken ct)
        {
            Interlocked.Increment(ref _calls);
            return Behaviour(id, ct);
        }
    }

    public interface IJittered
    {
        [Sidecar(Retries = 4, Delay = 100, Backoff = Backoff.Exponential, Jitter = true, MaxDelay = 1000)]
        int Decorrelated();

        [Sidecar(Retries = 4, Delay = 100, Backoff = Backoff.Linear, Jitter = true)]
        int Spread();
    }

    /// <summary>Fails or succeeds as told; can hold an attempt until a condition holds; counts attempts and the most running at once.</summary>
    public sealed class ScriptedInner : IRatioService, IProbedService, IBulkheadService, IDegradedBulkhead, IBudgetedService, IJittered
    {
        private long _attempts;
        private int _running;
        private int _mostRunning;
        private int _holdTimeouts;

        public long Attempts => Interlocked.Read(ref _attempts);

        public int MostRunning => Volatile.Read(ref _mostRunning);

        public int HoldTimeouts => Volatile.Read(ref _holdTimeouts);

        public volatile bool Succeed = true;

        public volatile Func<bool>? Hold;

        public int Call(int id)
        {
            Interlocked.Increment(ref _attempts);
            int running = Interlocked.Increment(ref _running);
            try
            {
                int most;
                while (running > (most = Volatile.Read(ref _mostRunning)) && Interlocked.CompareExchange(ref _mostRunning, running, most) != most)
                {
                }

                if (Hold is { } hold && !SpinWait.SpinUntil(hold, TimeSpan.FromSeconds(30)))
                {
                    Interlocked.Increment(ref _holdTimeouts);
                }

                return Succeed ? id : throw new InjectedFault(id, 0);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        /// <summary>When set, the asynchronous member returns null instead of a task (a broken inner instance).</summary>
        public volatile bool ReturnNull;

        public Task<int> CallAsync(int id, CancellationToken ct)
        {
            if (ReturnNull)
            {
                return null!;
            }

            try
            {
                return Task.FromResult(Call(id));
            }
            catch (InjectedFault fault)
            {
                return Task.FromException<int>(fault);
            }
        }

        public int Decorrelated() => Call(1);

        public int Spread() => Call(2);
    }
}
