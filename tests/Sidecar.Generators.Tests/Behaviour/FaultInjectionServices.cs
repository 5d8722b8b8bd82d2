using System;
using System.Threading;
using System.Threading.Tasks;

// Interfaces for the fault-injection suite (FaultInjectionTests): their sidecars are generated while this project builds.
namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>Retries only: every failed call makes exactly three attempts.</summary>
    [Sidecar(Retries = 2, Delay = 0)]
    public interface IFaultyService
    {
        int Call(int id);

        Task<int> CallAsync(int id, CancellationToken ct);
    }

    /// <summary>Retries and a circuit breaker.</summary>
    [Sidecar(Retries = 2, Delay = 0, FailureThreshold = 5, BreakDuration = 100)]
    public interface IFaultyBreakerService
    {
        int Call(int id);

        Task<int> CallAsync(int id, CancellationToken ct);
    }

    /// <summary>Retries and a time limit per attempt.</summary>
    [Sidecar(Retries = 2, Delay = 0, Timeout = 50)]
    public interface IFaultyTimedService
    {
        Task<int> CallAsync(int id, CancellationToken ct);
    }

    /// <summary>The failure the fault injector throws; <see cref="Attempt"/> is its attempt's number for its call id (1-based).</summary>
    public sealed class InjectedFault : Exception
    {
        public InjectedFault(int id, int attempt)
            : base("injected fault: call " + id + ", attempt " + attempt)
        {
            Id = id;
            Attempt = attempt;
        }

        public int Id { get; }

        public int Attempt { get; }
    }

    /// <summary>
    /// An inner instance that fails each attempt with probability <see cref="FailureRate"/>, drawing from a seeded
    /// <see cref="Random"/> bound to the calling thread (<see cref="BindThread"/>): a thread's sequence of outcomes depends
    /// on its seed only. Counts attempts, successes and failures with <see cref="Interlocked"/>, and per call id the
    /// attempts made and the last exception thrown.
    /// </summary>
    public sealed class RandomFaults : IFaultyService
    {
        [ThreadStatic]
        private static Random? t_random;

        private readonly int[] _attemptsById;
        private readonly InjectedFault?[] _lastFaultById;
        private long _attempts;
        private long _successes;
        private long _failures;
        private long _unboundDraws;

        public RandomFaults(double failureRate, int calls)
        {
            FailureRate = failureRate;
            _attemptsById = new int[calls];
            _lastFaultById = new InjectedFault?[calls];
        }

        public double FailureRate { get; }

        public long Attempts => Interlocked.Read(ref _attempts);

        public long Successes => Interlocked.Read(ref _successes);

        public long Failures => Interlocked.Read(ref _failures);

        /// <summary>Draws made on a thread without a seeded random (would break determinism; expected 0).</summary>
        public long UnboundDraws => Interlocked.Read(ref _unboundDraws);

        /// <summary>Gives the calling thread its own random sequence.</summary>
        public static void BindThread(int seed) => t_random = new Random(seed);

        public static void UnbindThread() => t_random = null;

        /// <summary>Whether the attempt that follows <paramref name="random"/>'s state fails; the rule the replay in the tests mirrors.</summary>
        public static bool Fails(Random random, double failureRate) => random.NextDouble() < failureRate;

        public int AttemptsOf(int id) => Volatile.Read(ref _attemptsById[id]);

        public InjectedFault? LastFaultOf(int id) => Volatile.Read(ref _lastFaultById[id]);

        public int Call(int id)
        {
            int attempt = Interlocked.Increment(ref _attemptsById[id]);
            Interlocked.Increment(ref _attempts);
            Random? random = t_random;
            if (random is null)
            {
                Interlocked.Increment(ref _unboundDraws);
                random = Random.Shared;
            }

            if (Fails(random, FailureRate))
            {
                var fault = new InjectedFault(id, attempt);
                Volatile.Write(ref _lastFaultById[id], fault);
                Interlocked.Increment(ref _failures);
                throw fault;
            }

            Interlocked.Increment(ref _successes);
            return id;
        }

        public Task<int> CallAsync(int id, CancellationToken ct)
        {
            try
            {
                return Task.FromResult(Call(id));
            }
            catch (InjectedFault fault)
            {
                return Task.FromException<int>(fault);
            }
        }
    }
}
