using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar
{
    // How the attempts of a hedged round end: what each gives back, how it counts, and what happens to results nobody sees.
    public sealed partial class SidecarPipeline
    {
        private abstract partial class HedgeRound<T>
        {
            // An attempt that failed transiently but does not speak for the round: a failure for the circuit, like any.
            private void SettleFailed(Running failed)
            {
                Release(failed);
                DiscardOf(failed);
            }

            // Gives back what a failed attempt holds (when it really ends) and counts its failure for the circuit.
            private void Release(Running failed)
            {
                bool ended = _pipeline.ReleaseSlot(failed.Permit, FailureOf(failed)); // not inside ?.(): it must run without a breaker too
                _pipeline._breaker?.OnFailure(failed.Permit, ended);
            }

            // An attempt whose outcome says nothing about the dependency (it lost and was cancelled, or was Ignored): its result
            // is discarded, and what it holds given back now or when it really ends.
            private void SettleIgnored(Running ended)
            {
                DiscardOf(ended);
                if (_pipeline.ReleaseSlot(ended.Permit, FailureOf(ended)))
                {
                    _pipeline._breaker?.OnIgnored(ended.Permit);
                }
            }

            private static Exception? FailureOf(Running ended) => ended.Task.Status == TaskStatus.RanToCompletion ? null : ExceptionOf(ended.Task);

            // The result of an attempt nobody will see, now or (an abandoned attempt) when it comes.
            private static void DiscardOf(Running ended)
            {
                if (ended.Task.Status == TaskStatus.RanToCompletion)
                {
                    Discard(ended.Task.Result);
                }
                else
                {
                    DiscardWhenEnded(AbandonedAttempts.Left(ExceptionOf(ended.Task)));
                }
            }

            // An attempt that ended, but after another decided the round: its outcome counts for the circuit, its result is discarded.
            private void SettleFinished(Running other)
            {
                switch (OutcomeOf(other.Task))
                {
                    case Outcome.Transient or Outcome.Failure:
                        SettleFailed(other);
                        break;
                    case Outcome.Success:
                        Discard(other.Task.Result);
                        _pipeline.ReleaseSlot(other.Permit, null);
                        _pipeline._breaker?.OnSuccess(other.Permit);
                        break;
                    default:
                        SettleIgnored(other);
                        break;
                }
            }

            // An attempt still running when the round was decided: cancelled, and whatever it does next says nothing about
            // the dependency. What it holds is given back when it really ends.
            private async Task SettleLoser(Running loser)
            {
                try
                {
                    await loser.Task.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Observed here; its end is what counts.
                }

                try
                {
                    SettleIgnored(loser);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Nobody awaits a loser: nothing may escape it.
                }
            }

            // A result nobody will see (a loser's, or a transient one another attempt's outcome replaced): an
            // HttpResponseMessage and the like hold a connection until disposed.
            private static void Discard(T result)
            {
                try
                {
                    (result as IDisposable)?.Dispose();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A result that fails to dispose is still discarded.
                }
            }

            // An abandoned attempt may answer after all (or did, just now): its answer is discarded too, when it comes.
            private static void DiscardWhenEnded(Task? abandoned)
            {
                if (abandoned is Task<T> late)
                {
                    _ = late.ContinueWith(
                        static t =>
                        {
                            if (t.Status == TaskStatus.RanToCompletion)
                            {
                                Discard(t.Result);
                            }
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }
            }

            private static Running Take(List<Running> running, Task done)
            {
                for (int i = 0; i < running.Count; i++)
                {
                    if (ReferenceEquals(running[i].Task, done))
                    {
                        Running found = running[i];
                        running.RemoveAt(i);
                        return found;
                    }
                }

                throw new InvalidOperationException("The finished attempt is not one of the round's."); // unreachable
            }

            // The exception a finished task ended with: the very instance (abandoned attempts are found by it).
            private static Exception ExceptionOf(Task task)
            {
                try
                {
                    task.GetAwaiter().GetResult();
                }
                catch (Exception ex)
                {
                    return ex;
                }

                return new InvalidOperationException("The attempt did not fail."); // unreachable: only called on a failed task
            }
        }
    }
}
