using System;
using System.Threading.Tasks;

namespace Sidecar
{
    /// <summary>
    /// The caller cancelled while an attempt with a time limit was still running and the sidecar stopped waiting for it.
    /// An <see cref="OperationCanceledException"/> like any other to the caller; inside, it carries the attempt so that its
    /// bulkhead slot is kept until the dependency really lets go.
    /// </summary>
    internal sealed class AttemptAbandonedException : OperationCanceledException
    {
        public AttemptAbandonedException(OperationCanceledException cancelled, Task abandoned)
            : base(cancelled.Message, cancelled, cancelled.CancellationToken)
        {
            Abandoned = abandoned;
        }

        public Task Abandoned { get; }
    }
}
