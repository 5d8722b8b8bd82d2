using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar
{
    /// <summary>
    /// Attempts the sidecar stopped waiting for (time was up, or the caller cancelled) while the dependency was still
    /// working on them. What such an attempt holds — a bulkhead slot, a half-open probe slot — is given back only when
    /// the dependency really lets go of it, so the limits hold for the work the dependency is actually doing.
    /// </summary>
    internal static class AbandonedAttempts
    {
        // The attempt a caller's cancellation left behind, by the exception that ended the wait. Weak keys: the entry goes
        // with the exception.
        private static readonly ConditionalWeakTable<OperationCanceledException, Task> s_byCancellation = new();

        /// <summary>Remembers that the wait that ended with <paramref name="cancelled"/> left <paramref name="attempt"/> running.</summary>
        public static void Remember(OperationCanceledException cancelled, Task attempt)
        {
            s_byCancellation.Remove(cancelled);
            s_byCancellation.Add(cancelled, attempt);
        }

        /// <summary>The attempt still running that the failure <paramref name="exception"/> left behind, if any.</summary>
        public static Task? StillRunning(Exception exception) => Left(exception) is { IsCompleted: false } left ? left : null;

        /// <summary>The attempt the failure <paramref name="exception"/> left behind, whether it has ended since or not.</summary>
        public static Task? Left(Exception exception)
            => exception is SidecarTimeoutException timedOut ? timedOut.Abandoned
                : exception is OperationCanceledException cancelled && s_byCancellation.TryGetValue(cancelled, out Task? kept) ? kept
                : null;

        /// <summary>Gives back what <paramref name="permit"/> holds once <paramref name="attempt"/> has ended.</summary>
        public static void ReleaseWhenEnded(Task attempt, CircuitPermit permit, Bulkhead? bulkhead, CircuitBreaker? breaker)
        {
            if (!permit.HoldsBulkheadSlot && !permit.IsProbe)
            {
                return;
            }

            attempt.ContinueWith(
                static (_, state) => ((Holdings)state!).Release(),
                new Holdings(permit, permit.HoldsBulkheadSlot ? bulkhead : null, permit.IsProbe ? breaker : null),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private sealed class Holdings
        {
            private readonly CircuitPermit _permit;
            private readonly Bulkhead? _bulkhead;
            private readonly CircuitBreaker? _breaker;

            public Holdings(CircuitPermit permit, Bulkhead? bulkhead, CircuitBreaker? breaker)
            {
                _permit = permit;
                _bulkhead = bulkhead;
                _breaker = breaker;
            }

            public void Release()
            {
                _bulkhead?.Release();
                _breaker?.ReleaseProbeSlot(_permit);
            }
        }
    }
}
