using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar.Generators.Tests.Behaviour
{
    // The failure modes of the resilience layer itself: a dependency that hangs, callers that cancel, clocks that jump,
    // implementations that misbehave. Each interface carries the policy of one regression test in ReliabilityTests.

    [Sidecar(Retries = 0, FailureThreshold = 1, BreakDuration = 100)]
    public interface IHangingProbe
    {
        Task<int> CallAsync(CancellationToken cancellationToken);
    }

    [Sidecar(Retries = 0, FailureThreshold = 1, BreakDuration = 100, HalfOpenProbes = 1, Timeout = 60_000)]
    public interface ICancelledProbe
    {
        Task<int> CallAsync(CancellationToken cancellationToken);
    }

    [Sidecar(Retries = 0, FailureThreshold = 1, BreakDuration = 100)]
    public interface IWallClockBreaker
    {
        int Call();
    }

    [Sidecar(Retries = 1, Delay = 0, RetryBudget = 0.2, MinRetriesPerSecond = 10)]
    public interface IWallClockBudget
    {
        int Call();
    }

    [Sidecar(Retries = 0, FailureRatio = 0.5, MinimumThroughput = 10, SamplingDuration = 10_000)]
    public interface IWallClockRatio
    {
        int Call();
    }

    [Sidecar(Retries = 0, Timeout = 20, FailureThreshold = 3, RetryOn = new[] { typeof(HttpRequestException) })]
    public interface ITimedOutDependency
    {
        Task<int> CallAsync(CancellationToken cancellationToken);
    }

    [Sidecar(Retries = 2, Delay = 0, Timeout = 1_000)]
    public interface IThrowsBeforeTask
    {
        Task<int> CallAsync(CancellationToken cancellationToken);
    }

    [Sidecar(Retries = 0, FailureThreshold = 1)]
    public interface INullTask
    {
        Task<int> GetAsync();
    }

    [Sidecar(Retries = 0, FailureThreshold = 1, MaxConcurrency = 2)]
    public interface INullTaskWithBulkhead
    {
        Task<int> GetAsync();
    }

    [Sidecar(Retries = 0, FailureThreshold = 1, BreakDuration = 100)]
    public interface ISlowVerdict
    {
        Task<int> CallAsync(int id);
    }

    [Sidecar(Retries = 0, FailureThreshold = 1)]
    public interface IForeverOpen
    {
        int Call();
    }

    [Sidecar(Retries = 1, Delay = 0, MaxConcurrency = 1)]
    public interface IUnwinding
    {
        int Call();
    }

    [Sidecar(Retries = 0, FailureThreshold = 2, BreakDuration = 100)]
    public interface IWatchedCircuit
    {
        int Call();
    }

    /// <summary>An inner instance whose every call waits for the test to finish it (or fail it), ignoring cancellation.</summary>
    public sealed class ControlledDependency : IHangingProbe, ICancelledProbe, ITimedOutDependency, ISlowVerdict
    {
        private readonly object _gate = new();
        private readonly List<TaskCompletionSource<int>> _pending = new();
        private int _running;
        private int _maxRunning;
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public int Running => Volatile.Read(ref _running);

        public int MaxRunning => Volatile.Read(ref _maxRunning);

        /// <summary>When set, a call answers at once with this instead of waiting.</summary>
        public Func<int, Task<int>>? Answer { get; set; }

        public Task<int> CallAsync(CancellationToken cancellationToken) => Call(0);

        public Task<int> CallAsync(int id) => Call(id);

        /// <summary>Completes the oldest pending call with <paramref name="value"/> or fails it with <paramref name="failure"/>.</summary>
        public void FinishOldest(int value = 1, Exception? failure = null) => Finish(oldest: true, value, failure);

        /// <summary>Completes the newest pending call with <paramref name="value"/> or fails it with <paramref name="failure"/>.</summary>
        public void FinishNewest(int value = 1, Exception? failure = null) => Finish(oldest: false, value, failure);

        private void Finish(bool oldest, int value, Exception? failure)
        {
            TaskCompletionSource<int> next;
            lock (_gate)
            {
                int index = oldest ? 0 : _pending.Count - 1;
                next = _pending[index];
                _pending.RemoveAt(index);
            }

            if (failure is null)
            {
                next.SetResult(value);
            }
            else
            {
                next.SetException(failure);
            }
        }

        private Task<int> Call(int id)
        {
            Interlocked.Increment(ref _calls);
            if (Answer is { } answer)
            {
                return answer(id);
            }

            int running = Interlocked.Increment(ref _running);
            int max;
            while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
            {
            }

            var pending = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _pending.Add(pending);
            }

            return Finished(pending.Task);
        }

        private async Task<int> Finished(Task<int> work)
        {
            try
            {
                return await work.ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }

    /// <summary>A synchronous inner instance that fails or answers as told, counting calls.</summary>
    public sealed class SwitchableDependency : IWallClockBreaker, IWallClockBudget, IWallClockRatio, IForeverOpen, IWatchedCircuit
    {
        private int _calls;

        public bool Failing { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public int Call()
        {
            Interlocked.Increment(ref _calls);
            if (Failing)
            {
                throw new ConnectionError("down");
            }

            return 42;
        }
    }

    /// <summary>Throws before it returns a task, as an argument check or a synchronous part of an async method would.</summary>
    public sealed class ThrowsBeforeTask : IThrowsBeforeTask
    {
        public int Calls;

        public Task<int> CallAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            throw new ConnectionError("refused at once");
        }
    }

    /// <summary>Returns null where a task is due: a bug in an implementation.</summary>
    public sealed class NullTaskService : INullTask, INullTaskWithBulkhead
    {
        public Task<int> GetAsync() => null!;
    }

    /// <summary>Fails from inside a try block whose finally records what it sees while the failure is unwinding.</summary>
    public sealed class UnwindingDependency : IUnwinding
    {
        public Func<string>? WhileUnwinding { get; set; }

        public List<string> Log { get; } = new();

        public int Call()
        {
            try
            {
                throw new ConnectionError("failed while holding a lock");
            }
            finally
            {
                lock (Log)
                {
                    Log.Add("finally: " + WhileUnwinding?.Invoke());
                }
            }
        }
    }
}
