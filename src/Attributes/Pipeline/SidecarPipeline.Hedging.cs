using System;
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

        // A hedge's admission: Enter's, but a refusal (or a limiter that throws, which the next attempt's admission reports)
        // starts no hedge rather than failing the call, and is no rejected call.
        private bool TryAdmitHedge(SidecarMember member, int attempt, out CircuitPermit permit)
        {
            CircuitBreaker? gate = _fastGate;
            if (gate is not null)
            {
                int status = gate.Status;
                if (CircuitBreaker.IsClosedStatus(status))
                {
                    permit = CircuitPermit.Closed(CircuitBreaker.EpisodeOf(status));
                    return true;
                }
            }

            try
            {
                return TryAdmit(member, attempt, out permit, out _, out _) == Refuser.None;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                permit = default;
                return false;
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
