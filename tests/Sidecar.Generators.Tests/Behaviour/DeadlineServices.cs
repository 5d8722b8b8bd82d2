using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>A deadline over the whole call: five retries 100 ms apart fit in 1 s, if the attempts are quick.</summary>
    [Sidecar(Retries = 5, Delay = 100, Backoff = Backoff.Constant, TotalTimeout = 1000)]
    public interface IDeadlineService
    {
        Task<int> GetAsync(int id, CancellationToken cancellationToken);

        /// <summary>Each attempt is limited to 90 ms, the call to 1 s: six attempts at most, the last cut by the deadline.</summary>
        [Sidecar(Timeout = 90)]
        Task<int> TimedAsync(int id, CancellationToken cancellationToken);

        [Sidecar(Fallback = "Late")]
        ValueTask<int> AnsweredAsync(int id, CancellationToken cancellationToken);
    }

    public partial class DeadlineServiceSidecar
    {
        private ValueTask<int> Late(int id, CancellationToken cancellationToken, Exception exception)
            => new(exception is SidecarTimeoutException { IsTotalTimeout: true } ? -1 : -2);
    }

    /// <summary>Each attempt waits until the test ends it (answer, fail) or its token fires; records every attempt.</summary>
    public sealed class ControlledDeadlineService : IDeadlineService
    {
        private readonly List<TaskCompletionSource<int>> _attempts = new();

        public List<CancellationToken> Tokens { get; } = new();

        public int Calls
        {
            get
            {
                lock (_attempts)
                {
                    return _attempts.Count;
                }
            }
        }

        /// <summary>Attempts fail at once with this instead of waiting, when set.</summary>
        public Func<Exception>? FailAtOnce { get; set; }

        public TaskCompletionSource<int> Attempt(int index)
        {
            lock (_attempts)
            {
                return _attempts[index];
            }
        }

        private Task<int> Next(CancellationToken cancellationToken)
        {
            var attempt = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_attempts)
            {
                _attempts.Add(attempt);
                Tokens.Add(cancellationToken);
            }

            if (FailAtOnce is { } failure)
            {
                attempt.SetException(failure());
            }
            else
            {
                cancellationToken.Register(() => attempt.TrySetCanceled(cancellationToken));
            }

            return attempt.Task;
        }

        public Task<int> GetAsync(int id, CancellationToken cancellationToken) => Next(cancellationToken);

        public Task<int> TimedAsync(int id, CancellationToken cancellationToken) => Next(cancellationToken);

        public ValueTask<int> AnsweredAsync(int id, CancellationToken cancellationToken) => new(Next(cancellationToken));
    }
}
