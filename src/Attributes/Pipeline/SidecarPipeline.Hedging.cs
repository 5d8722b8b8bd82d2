using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar
{
    // Hedging: one attempt of the retry loop becomes a round of up to 1 + Hedging attempts side by side.
    public sealed partial class SidecarPipeline
    {
        /// <summary>
        /// One attempt of a hedged member (<see cref="SidecarAttribute.Hedging"/>), run as a round: the attempt
        /// <paramref name="permit"/> admitted starts at once; whenever the newest attempt has not answered within
        /// <c>HedgingDelay</c>, or an attempt fails with an outcome that is <see cref="Outcome.Transient"/>, another starts
        /// beside it, with a permit of its own (a hedge the circuit, the bulkhead or the rate limit would refuse is not
        /// started), up to <c>Hedging</c> extra. The first outcome that is not <c>Transient</c> wins; the attempts still
        /// running are cancelled through their token and observed, and give back what they hold when they end. Every attempt
        /// runs under <c>Timeout</c> and the call's <paramref name="deadline"/>. Never throws for an attempt's failure: the
        /// returned <see cref="HedgedAttempt{T}"/> carries it.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="attempt">0 for the first attempt of the call (the retry loop's count; a retry is hedged again).</param>
        /// <param name="permit">The permit the retry loop's admission gave the round's first attempt.</param>
        /// <param name="state">The sidecar and the call's arguments, passed to <paramref name="call"/>.</param>
        /// <param name="call">Calls the inner instance with the attempt's token; generated code passes a lambda that captures nothing.</param>
        /// <param name="self">The sidecar, passed to the classifiers.</param>
        /// <param name="classifyResult">The member's <c>Classify</c> for results, or <c>null</c>.</param>
        /// <param name="classifyException">The member's <c>Classify</c> for exceptions, or <c>null</c> for <c>RetryOn</c>/<c>NeverRetryOn</c>.</param>
        /// <param name="cancellationToken">The caller's token.</param>
        /// <param name="deadline">The call's deadline (<see cref="StartCall"/>).</param>
        public ValueTask<HedgedAttempt<T>> Hedge<TState, TSelf, T>(SidecarMember member, int attempt, CircuitPermit permit, TState state, Func<TState, CancellationToken, Task<T>> call, TSelf self, Func<TSelf, T, Outcome>? classifyResult, Func<TSelf, Exception, Outcome>? classifyException, CancellationToken cancellationToken, CallDeadline deadline)
            => new ResultRound<TState, TSelf, T>(this, member, attempt, state, call ?? throw new ArgumentNullException(nameof(call)), self, classifyResult, classifyException, cancellationToken, deadline).RunAsync(permit);

        /// <summary>One attempt of a hedged member without a result; see the overload with a result.</summary>
        public ValueTask<HedgedAttempt<object?>> Hedge<TState, TSelf>(SidecarMember member, int attempt, CircuitPermit permit, TState state, Func<TState, CancellationToken, Task> call, TSelf self, Func<TSelf, Exception, Outcome>? classifyException, CancellationToken cancellationToken, CallDeadline deadline)
            => new VoidRound<TState, TSelf>(this, member, attempt, state, call ?? throw new ArgumentNullException(nameof(call)), self, classifyException, cancellationToken, deadline).RunAsync(permit);

        // A hedge's admission: like Enter, but a refusal starts no hedge rather than failing the call, and is not a rejected call.
        private bool TryAdmitHedge(SidecarMember member, int attempt, out CircuitPermit permit)
        {
            permit = default;
            CircuitBreaker? gate = _fastGate;
            if (gate is not null)
            {
                int status = gate.Status;
                permit = CircuitPermit.Closed(CircuitBreaker.EpisodeOf(status));
                return CircuitBreaker.IsClosedStatus(status);
            }

            CircuitBreaker? breaker = _breaker;
            if (breaker is not null && !breaker.TryEnter(out permit, out _))
            {
                return false;
            }

            if (_bulkhead is not null)
            {
                if (!_bulkhead.TryEnter())
                {
                    breaker?.OnIgnored(permit);
                    return false;
                }

                permit = permit.WithSlot();
            }

            if (HasLimiter)
            {
                bool granted;
                try
                {
                    granted = TryTakePermit(member, out _);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    granted = false; // a limiter that throws starts no hedge; the next attempt's admission reports it
                }

                if (!granted)
                {
                    GiveBack(permit);
                    return false;
                }
            }

            if (_chaosOn)
            {
                permit = permit.WithChaos();
            }

            permit = attempt > 0 && _budget is not null ? permit.AsRetry() : permit;
            return true;
        }

        /// <summary>The attempts of one round and how they end; the result and void members differ only in how they call.</summary>
        private abstract class HedgeRound<T>
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

            // An attempt that failed transiently but does not speak for the round: a failure for the circuit, like any.
            private void SettleFailed(Running failed)
            {
                Release(failed);
                DiscardOf(failed);
            }

            // Gives back what a failed attempt holds (when it really ends) and counts its failure for the circuit.
            private void Release(Running failed)
            {
                Exception? failure = failed.Task.Status == TaskStatus.RanToCompletion ? null : ExceptionOf(failed.Task);
                Task? stillRunning = failure is null || failed.Permit.IsEmpty ? null : AbandonedAttempts.StillRunning(failure);
                bool ended = stillRunning is null;
                if (!ended)
                {
                    AbandonedAttempts.ReleaseWhenEnded(stillRunning!, failed.Permit, _pipeline._bulkhead, _pipeline._breaker);
                }
                else if (failed.Permit.HoldsBulkheadSlot)
                {
                    _pipeline._bulkhead!.Release();
                }

                _pipeline._breaker?.OnFailure(failed.Permit, ended);
            }

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
                        if (other.Permit.HoldsBulkheadSlot)
                        {
                            _pipeline._bulkhead!.Release();
                        }

                        _pipeline._breaker?.OnSuccess(other.Permit);
                        break;
                    default:
                        Exception? failure = other.Task.Status == TaskStatus.RanToCompletion ? null : ExceptionOf(other.Task);
                        if (failure is null)
                        {
                            Discard(other.Task.Result);
                        }
                        else
                        {
                            DiscardWhenEnded(AbandonedAttempts.Left(failure));
                        }

                        Task? abandoned = failure is null || other.Permit.IsEmpty ? null : AbandonedAttempts.StillRunning(failure);
                        if (abandoned is null)
                        {
                            _pipeline.GiveBack(other.Permit);
                        }
                        else
                        {
                            AbandonedAttempts.ReleaseWhenEnded(abandoned, other.Permit, _pipeline._bulkhead, _pipeline._breaker);
                        }

                        break;
                }
            }

            // An attempt still running when the round was decided: cancelled, and whatever it does next says nothing about
            // the dependency. What it holds is given back when it really ends.
            private async Task SettleLoser(Running loser)
            {
                Exception? failure = null;
                try
                {
                    Discard(await loser.Task.ConfigureAwait(false));
                }
                catch (Exception ex)
                {
                    failure = ex;
                }

                try
                {
                    Task? stillRunning = failure is null ? null : AbandonedAttempts.StillRunning(failure);
                    DiscardWhenEnded(failure is null ? null : AbandonedAttempts.Left(failure));
                    if (stillRunning is null || loser.Permit.IsEmpty)
                    {
                        _pipeline.GiveBack(loser.Permit);
                    }
                    else
                    {
                        AbandonedAttempts.ReleaseWhenEnded(stillRunning, loser.Permit, _pipeline._bulkhead, _pipeline._breaker);
                    }
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

        private sealed class ResultRound<TState, TSelf, T> : HedgeRound<T>
        {
            private readonly TState _state;
            private readonly Func<TState, CancellationToken, Task<T>> _call;
            private readonly TSelf _self;
            private readonly Func<TSelf, T, Outcome>? _classifyResult;
            private readonly Func<TSelf, Exception, Outcome>? _classifyException;

            public ResultRound(SidecarPipeline pipeline, SidecarMember member, int attempt, TState state, Func<TState, CancellationToken, Task<T>> call, TSelf self, Func<TSelf, T, Outcome>? classifyResult, Func<TSelf, Exception, Outcome>? classifyException, CancellationToken callerToken, CallDeadline deadline)
                : base(pipeline, member, attempt, callerToken, deadline)
            {
                _state = state;
                _call = call;
                _self = self;
                _classifyResult = classifyResult;
                _classifyException = classifyException;
            }

            protected override Task<T> Call(CircuitPermit permit, CancellationToken token)
                => permit.InjectsChaos ? Pipeline.Chaotic(Member, _state, _call, token) : _call(_state, token);

            protected override Outcome ClassifyResult(T result) => _classifyResult is null ? Outcome.Success : _classifyResult(_self, result);

            protected override Outcome? ClassifyException(Exception exception) => _classifyException?.Invoke(_self, exception);
        }

        private sealed class VoidRound<TState, TSelf> : HedgeRound<object?>
        {
            private readonly TState _state;
            private readonly Func<TState, CancellationToken, Task> _call;
            private readonly TSelf _self;
            private readonly Func<TSelf, Exception, Outcome>? _classifyException;

            public VoidRound(SidecarPipeline pipeline, SidecarMember member, int attempt, TState state, Func<TState, CancellationToken, Task> call, TSelf self, Func<TSelf, Exception, Outcome>? classifyException, CancellationToken callerToken, CallDeadline deadline)
                : base(pipeline, member, attempt, callerToken, deadline)
            {
                _state = state;
                _call = call;
                _self = self;
                _classifyException = classifyException;
            }

            protected override Task<object?> Call(CircuitPermit permit, CancellationToken token)
                => Ended(permit.InjectsChaos ? Pipeline.Chaotic(Member, _state, _call, token) : _call(_state, token));

            protected override Outcome ClassifyResult(object? result) => Outcome.Success;

            protected override Outcome? ClassifyException(Exception exception) => _classifyException?.Invoke(_self, exception);

            private static async Task<object?> Ended(Task task)
            {
                await (task ?? throw new InvalidOperationException("The member returned null instead of a task.")).ConfigureAwait(false);
                return null;
            }
        }
    }
}
