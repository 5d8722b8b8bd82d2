using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>The error a flaky dependency throws.</summary>
    public sealed class ConnectionError : Exception
    {
        public ConnectionError(string message)
            : base(message)
        {
        }
    }

    /// <summary>An inner instance that fails a given number of times, then answers; counts every call.</summary>
    public sealed class FlakyService : IFlakyService, IBackoffs, IBreakerService, IExternalClient
    {
        private int _calls;
        private int _failuresLeft;

        public FlakyService(int failures = 0) => _failuresLeft = failures;

        public int Calls => Volatile.Read(ref _calls);

        /// <summary>What the next failures throw; a new ConnectionError by default.</summary>
        public Func<Exception> Failure { get; set; } = () => new ConnectionError("connection reset");

        /// <summary>When set, async members complete later (after a yield) instead of synchronously.</summary>
        public bool TrulyAsync { get; set; }

        public Task<int>? LastTask { get; private set; }

        public List<Exception> Thrown { get; } = new();

        public void SetFailures(int failures) => Volatile.Write(ref _failuresLeft, failures);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private int Attempt(int value)
        {
            Interlocked.Increment(ref _calls);
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                Exception failure = Failure();
                lock (Thrown)
                {
                    Thrown.Add(failure);
                }

                throw failure;
            }

            return value;
        }

        public int Get(int id) => Attempt(id);

        public void Fire() => Attempt(0);

        public int GetWithToken(int id, CancellationToken cancellationToken) => Attempt(id);

        public Task<int> GetAsync(int id, CancellationToken cancellationToken = default)
        {
            Task<int> task = TrulyAsync ? Later(id) : Task.FromResult(Attempt(id));
            LastTask = task;
            return task;
        }

        private async Task<int> Later(int id)
        {
            await Task.Yield();
            return Attempt(id);
        }

        public async Task SaveAsync(CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            Attempt(0);
        }

        public ValueTask<int> GetValueAsync(int id) => TrulyAsync ? new ValueTask<int>(Later(id)) : new ValueTask<int>(Attempt(id));

        public int Once() => Attempt(1);

        public int Persistent() => Attempt(6);

        public int OnlyTimeouts() => Attempt(7);

        public int NeverArguments() => Attempt(8);

        public bool TryFind(string key, out string value)
        {
            value = key + "!";
            return Attempt(1) == 1;
        }

        public void Bump(ref int counter)
        {
            counter++;
            Attempt(0);
        }

        public int Constant() => Attempt(1);

        public int Linear() => Attempt(2);

        public int Exponential() => Attempt(3);

        public int Capped() => Attempt(4);

        public int NotDecorated() => Attempt(5);

        public int Call() => Attempt(42);

        public Task<int> CallAsync(CancellationToken cancellationToken = default) => GetAsync(42, cancellationToken);

        public string Fetch(string path) => path + ":" + Attempt(1);

        public string Describe() => "inner";
    }

    /// <summary>Records what a sidecar reports.</summary>
    public sealed class RecordingObserver : SidecarObserver
    {
        public ConcurrentQueue<string> Events { get; } = new();

        public ConcurrentQueue<(int Attempt, bool WillRetry, TimeSpan Delay)> Failures { get; } = new();

        public override void OnAttemptFailed(string service, string member, int attempt, Exception exception, bool willRetry, TimeSpan delay)
        {
            Failures.Enqueue((attempt, willRetry, delay));
            Events.Enqueue($"{member} attempt {attempt} failed: {exception.Message}{(willRetry ? $", retry in {delay.TotalMilliseconds} ms" : ", giving up")}");
        }

        public override void OnCircuitStateChanged(string circuitName, CircuitState state) => Events.Enqueue($"{circuitName} -> {state}");

        public override void OnRejected(string service, string member, SidecarRejectedException exception) => Events.Enqueue($"{member} rejected");

        public override void OnRetryDenied(string service, string member, int attempt, Exception exception) => Events.Enqueue($"{member} retry {attempt} denied");
    }
}
