using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar
{
    // A hedged round: its attempts, when the next one starts, and which one speaks for the round.
    public sealed partial class SidecarPipeline
    {
        /// <summary>The attempts of one round and how they end; the result and void members differ only in how they call.</summary>
        private abstract partial class HedgeRound<T>
        {
            private readonly SidecarPipeline _pipeline;
            private readonly SidecarMember _member;
            private readonly SidecarPolicy _policy;
            private readonly int _attempt;
            private readonly CancellationToken _callerToken;
            private readonly CallDeadline _deadline;

            // Cancelled when the round is decided: the losers' tokens fire. Never linked and never timed, so it holds nothing to dispose.
            private readonly CancellationTokenSource _decided = new();

            protected HedgeRound(SidecarPipeline pipeline, SidecarMember member, int attempt, CancellationToken callerToken, CallDeadline deadline)
            {
                _pipeline = pipeline;
                _member = member;
                _policy = pipeline.PolicyFor(member);
                _attempt = attempt;
                _callerToken = callerToken;
                _deadline = deadline;
            }

            protected SidecarPipeline Pipeline => _pipeline;

            protected SidecarMember Member => _member;

            public ValueTask<HedgedAttempt<T>> RunAsync(CircuitPermit primary)
            {
                // The happy path: the first attempt answered before it returned, so no hedge, timer or list is needed.
                Running first = Launch(primary);
                if (!first.Task.IsCompleted)
                {
                    return new ValueTask<HedgedAttempt<T>>(RunRoundAsync(first, classified: false, default));
                }

                Outcome? outcome = OutcomeOf(first.Task);
                return outcome != Outcome.Transient
                    ? new ValueTask<HedgedAttempt<T>>(Representative(first, outcome))
                    : new ValueTask<HedgedAttempt<T>>(RunRoundAsync(first, classified: true, outcome));
            }

            // `classified`: the first attempt has ended already, and `firstOutcome` is how it was classified (Classify is asked once).
            private async Task<HedgedAttempt<T>> RunRoundAsync(Running first, bool classified, Outcome? firstOutcome)
            {
                int allowed = _policy.Hedging;
                var running = new List<Running>(1 + allowed) { first };
                CancellationTokenSource? timer = null;
                Task? delay = null;
                Running? spent = null; // the latest transient failure already settled, whose result is not discarded yet
                int launched = 0;
                Running winner;
                Outcome? outcome;
                try
                {
                    while (true)
                    {
                        if (delay is null && launched < allowed)
                        {
                            timer = new CancellationTokenSource();
                            delay = _pipeline.DelayAsync(_policy.HedgingDelay, timer.Token);
                        }

                        // An array, so that Task.WhenAny(Task[]) is what runs (a systematic-testing scheduler intercepts that one).
                        var waiting = new Task[running.Count + (delay is null ? 0 : 1)];
                        for (int i = 0; i < running.Count; i++)
                        {
                            waiting[i] = running[i].Task;
                        }

                        if (delay is not null)
                        {
                            waiting[running.Count] = delay;
                        }

                        Task done = await Task.WhenAny(waiting).ConfigureAwait(false);
                        if (ReferenceEquals(done, delay))
                        {
                            // The newest attempt has not answered in time: one more beside it.
                            delay = null;
                            timer = null;
                            launched = TryLaunch(running, launched, allowed, afterFailure: false);
                            continue;
                        }

                        Running finished = Take(running, done);
                        Outcome? verdict = classified && ReferenceEquals(finished.Task, first.Task) ? firstOutcome : OutcomeOf(finished.Task);
                        if (verdict != Outcome.Transient)
                        {
                            winner = finished;
                            outcome = verdict;
                            break;
                        }

                        if (running.Count == 0 && launched >= allowed)
                        {
                            // Nothing else is running and nothing more may start: this last failure speaks for the round.
                            winner = finished;
                            outcome = Outcome.Transient;
                            break;
                        }

                        // The round goes on without it: what it holds is given back and its failure counted now, so that
                        // the next hedge can have its bulkhead slot or probe. Its result is kept until another speaks.
                        Release(finished);
                        if (spent is { } earlier)
                        {
                            DiscardOf(earlier);
                        }

                        spent = finished;
                        if (launched < allowed)
                        {
                            // A transient failure need not wait for the delay: the next hedge starts now, and the delay with it.
                            timer?.Cancel();
                            timer = null;
                            delay = null;
                            launched = TryLaunch(running, launched, allowed, afterFailure: true);
                        }

                        if (running.Count == 0)
                        {
                            // No hedge could start: this failure speaks for the round, already counted and given back.
                            winner = new Running(finished.Task, finished.Permit.Settled());
                            outcome = Outcome.Transient;
                            spent = null;
                            break;
                        }
                    }
                }
                finally
                {
                    timer?.Cancel();
                    if (spent is { } replaced)
                    {
                        DiscardOf(replaced);
                    }

                    // Attempts that ended while the round was being decided are counted by their outcome; the others are
                    // cancelled, and what they do next says nothing about the dependency.
                    var stillRunning = new List<Running>(running.Count);
                    foreach (Running other in running)
                    {
                        if (other.Task.IsCompleted)
                        {
                            SettleFinished(other);
                        }
                        else
                        {
                            stillRunning.Add(other);
                        }
                    }

                    Decide();
                    foreach (Running loser in stillRunning)
                    {
                        _ = SettleLoser(loser);
                    }
                }

                return Representative(winner, outcome);
            }

            private static HedgedAttempt<T> Representative(Running winner, Outcome? outcome)
                => winner.Task.Status == TaskStatus.RanToCompletion
                    ? new HedgedAttempt<T>(winner.Permit, winner.Task.Result, null, outcome)
                    : new HedgedAttempt<T>(winner.Permit, default!, ExceptionOf(winner.Task), outcome);

            /// <summary>Calls the inner instance (or the pipeline's chaos, when the permit says so) with the attempt's token.</summary>
            protected abstract Task<T> Call(CircuitPermit permit, CancellationToken token);

            /// <summary>The member's classification of a result; <see cref="Outcome.Success"/> without a <c>Classify</c> for results.</summary>
            protected abstract Outcome ClassifyResult(T result);

            /// <summary>The member's classification of an exception, or <c>null</c> without a <c>Classify</c> for exceptions.</summary>
            protected abstract Outcome? ClassifyException(Exception exception);

            private void Decide()
            {
                try
                {
                    _decided.Cancel();
                }
                catch (AggregateException)
                {
                    // A loser's own cancellation callback threw: it is that attempt's failure, observed when it ends.
                }
            }

            // Starts a hedge if one is allowed and would be admitted; returns the new count of hedges, or `allowed` when none
            // could start (no later hedge of this round is tried either).
            private int TryLaunch(List<Running> running, int launched, int allowed, bool afterFailure)
            {
                if (_callerToken.IsCancellationRequested
                    || (_deadline.IsSet && _deadline.Remaining(_pipeline._time) <= TimeSpan.Zero)
                    || !_pipeline.TryAdmitHedge(_member, _attempt, out CircuitPermit permit))
                {
                    return allowed;
                }

                launched++;
                _pipeline._events.Hedged(_member.Name, _attempt + 1, launched, afterFailure);
                running.Add(Launch(permit));
                return launched;
            }

            private Running Launch(CircuitPermit permit)
            {
                AttemptTimeout timeout;
                try
                {
                    timeout = _pipeline.StartAttempt(_member, _callerToken, _deadline, _decided.Token);
                }
                catch (Exception ex)
                {
                    return new Running(Task.FromException<T>(ex), permit); // the deadline passed before the attempt could start
                }

                Task<T> inner;
                try
                {
                    inner = Call(permit, timeout.Token) ?? throw new InvalidOperationException(_member.Name + " returned null instead of a task.");
                }
                catch (Exception ex)
                {
                    inner = Task.FromException<T>(ex);
                }

                return new Running(_pipeline.Watch(inner, timeout, _member), permit);
            }

            // How an attempt that ended counts in the round: null when Classify threw (the attempt wins; the retry loop
            // classifies it again and ends the call with that exception). Refusals, the caller's cancellation and the call's
            // deadline are final.
            private Outcome? OutcomeOf(Task<T> task)
            {
                try
                {
                    if (task.Status == TaskStatus.RanToCompletion)
                    {
                        return ClassifyResult(task.Result);
                    }

                    Exception failure = ExceptionOf(task);
                    if (failure is SidecarRejectedException || _pipeline.IsOwnDeadline(failure))
                    {
                        return Outcome.Failure;
                    }

                    if (failure is OperationCanceledException && _callerToken.IsCancellationRequested)
                    {
                        return Outcome.Ignored;
                    }

                    return ClassifyException(failure) ?? DefaultOutcome(_policy, failure);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    return null;
                }
            }

            protected readonly struct Running
            {
                public Running(Task<T> task, CircuitPermit permit)
                {
                    Task = task;
                    Permit = permit;
                }

                public Task<T> Task { get; }

                public CircuitPermit Permit { get; }
            }
        }
    }
}
