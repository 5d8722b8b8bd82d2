using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>
    /// Hedging: an attempt unanswered after 100 ms gets another beside it, up to two more. The circuit opens after three
    /// failed attempts in a row, so a test can see each hedged attempt counted.
    /// </summary>
    [Sidecar(Retries = 0, Hedging = 2, HedgingDelay = 100, FailureThreshold = 3, BreakDuration = 1000, NeverRetryOn = new[] { typeof(ArgumentException) })]
    public interface IHedgedService
    {
        Task<int> GetAsync(int id, CancellationToken cancellationToken);

        Task SendAsync(int id, CancellationToken cancellationToken);

        /// <summary>One retry, 50 ms after a round that failed: the retry is hedged again (a circuit of its own, that three failures do not open).</summary>
        [Sidecar(Retries = 1, Delay = 50, Backoff = Backoff.Constant, FailureThreshold = 10)]
        Task<int> RetriedAsync(int id, CancellationToken cancellationToken);

        /// <summary>Each hedged attempt under its own 250 ms limit.</summary>
        [Sidecar(Timeout = 250)]
        ValueTask<int> TimedAsync(int id, CancellationToken cancellationToken);

        /// <summary>Both more attempts start with the first.</summary>
        [Sidecar(HedgingDelay = 0)]
        Task<int> AtOnceAsync(int id, CancellationToken cancellationToken);

        [Sidecar(Fallback = nameof(HedgedServiceSidecar.Spare))]
        Task<int> AnsweredAsync(int id, CancellationToken cancellationToken);
    }

    public partial class HedgedServiceSidecar
    {
        internal Task<int> Spare(int id, CancellationToken cancellationToken) => Task.FromResult(-id);
    }

    /// <summary>Hedging with a bulkhead of one slot: a hedge the bulkhead would refuse is not started.</summary>
    [Sidecar(Retries = 0, Hedging = 1, HedgingDelay = 100, MaxConcurrency = 1)]
    public interface IHedgedBulkheadService
    {
        Task<int> GetAsync(int id, CancellationToken cancellationToken);
    }

    /// <summary>Hedging beside a retry budget that allows no retry at all (1 % of the calls, no floor).</summary>
    [Sidecar(Retries = 1, Delay = 0, Hedging = 1, HedgingDelay = 100, RetryBudget = 0.01, MinRetriesPerSecond = 0)]
    public interface IHedgedBudgetService
    {
        Task<int> GetAsync(int id, CancellationToken cancellationToken);
    }

    /// <summary>A reply that knows whether it was disposed (an HttpResponseMessage holds a connection until then).</summary>
    public sealed class Reply : IDisposable
    {
        public Reply(int value) => Value = value;

        public int Value { get; }

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    public interface IReplies
    {
        Task<Reply> AskAsync(int id, CancellationToken cancellationToken);
    }

    /// <summary>Class form over an interface it does not own, with a classifier for results: a negative reply is Transient.</summary>
    [Sidecar(Retries = 0, Hedging = 1, HedgingDelay = 100, Classify = nameof(Judge))]
    public partial class HedgedReplies : IReplies
    {
        private int _exceptionsJudged;

        /// <summary>How many times Classify was asked about an exception.</summary>
        public int ExceptionsJudged => Volatile.Read(ref _exceptionsJudged);

        private static Outcome Judge(Reply reply) => reply.Value < 0 ? Outcome.Transient : Outcome.Success;

        private Outcome Judge(Exception exception)
        {
            Interlocked.Increment(ref _exceptionsJudged);
            return exception is ArgumentException ? Outcome.Ignored : Outcome.Transient;
        }
    }

    /// <summary>Each attempt waits until the test ends it or its token fires; records every attempt and its token.</summary>
    public sealed class ControlledHedgedService : IHedgedService, IHedgedBulkheadService, IHedgedBudgetService, IReplies
    {
        private readonly List<TaskCompletionSource<int>> _attempts = new();
        private readonly List<CancellationToken> _tokens = new();
        private readonly List<TaskCompletionSource<Reply>> _replies = new();

        /// <summary>When set, attempts ignore their token (a dependency that cannot be told to stop).</summary>
        public bool IgnoresToken { get; set; }

        public int Calls
        {
            get
            {
                lock (_attempts)
                {
                    return _attempts.Count + _replies.Count;
                }
            }
        }

        public TaskCompletionSource<int> Attempt(int index)
        {
            lock (_attempts)
            {
                return _attempts[index];
            }
        }

        public TaskCompletionSource<Reply> ReplyTo(int index)
        {
            lock (_attempts)
            {
                return _replies[index];
            }
        }

        public CancellationToken Token(int index)
        {
            lock (_attempts)
            {
                return _tokens[index];
            }
        }

        private Task<T> Next<T>(List<TaskCompletionSource<T>> attempts, CancellationToken cancellationToken)
        {
            var attempt = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_attempts)
            {
                attempts.Add(attempt);
                _tokens.Add(cancellationToken);
            }

            if (!IgnoresToken)
            {
                cancellationToken.Register(() => attempt.TrySetCanceled(cancellationToken));
            }

            return attempt.Task;
        }

        public Task<int> GetAsync(int id, CancellationToken cancellationToken) => Next(_attempts, cancellationToken);

        public Task SendAsync(int id, CancellationToken cancellationToken) => Next(_attempts, cancellationToken);

        public Task<int> RetriedAsync(int id, CancellationToken cancellationToken) => Next(_attempts, cancellationToken);

        public ValueTask<int> TimedAsync(int id, CancellationToken cancellationToken) => new(Next(_attempts, cancellationToken));

        public Task<int> AtOnceAsync(int id, CancellationToken cancellationToken) => Next(_attempts, cancellationToken);

        public Task<int> AnsweredAsync(int id, CancellationToken cancellationToken) => Next(_attempts, cancellationToken);

        public Task<Reply> AskAsync(int id, CancellationToken cancellationToken) => Next(_replies, cancellationToken);
    }
}
