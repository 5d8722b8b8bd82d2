using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>One call at a time, one more waiting in line.</summary>
    [Sidecar(Retries = 0, MaxConcurrency = 1, MaxQueue = 1)]
    public interface IQueuedService
    {
        Task<int> GetAsync(int id, CancellationToken cancellationToken);

        int Get(int id);
    }

    /// <summary>Each asynchronous call waits until the test answers it; counts calls.</summary>
    public sealed class GatedService : IQueuedService
    {
        public List<(int Id, TaskCompletionSource<int> Answer)> Calls { get; } = new();

        public Task<int> GetAsync(int id, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Calls)
            {
                Calls.Add((id, answer));
            }

            return answer.Task;
        }

        public int Get(int id) => id;

        public int Count
        {
            get
            {
                lock (Calls)
                {
                    return Calls.Count;
                }
            }
        }
    }
}
