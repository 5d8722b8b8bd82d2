using System;
using System.Net.Http;
using System.Threading;

namespace Sidecar
{
    // Results that a member's Classify method says are not a success: retried, counted by the circuit, answered by the
    // fallback, like a thrown exception, but handed back to the caller as the result they are when nothing answers them.
    public sealed partial class SidecarPipeline
    {
        /// <summary>
        /// On the fast path of an asynchronous member with a <c>Classify</c> method for its result: whether the first
        /// attempt's result is a <see cref="Outcome.Success"/>, recorded as <see cref="OnSuccess"/> does. When it is not,
        /// nothing is recorded and <paramref name="outcome"/> tells the retry loop what it was (<c>null</c> when
        /// <paramref name="classify"/> threw: the loop asks again, and gets the exception).
        /// </summary>
        public bool Succeeded<TState, TResult>(SidecarMember member, TResult result, TState state, Func<TState, TResult, Outcome> classify, CircuitPermit permit, out Outcome? outcome)
        {
            Outcome classified;
            try
            {
                classified = classify(state, result);
            }
            catch
            {
                outcome = null;
                return false;
            }

            outcome = classified;
            if (classified != Outcome.Success)
            {
                return false;
            }

            OnSuccessCore(member, permit);
            return true;
        }

        /// <summary>
        /// Records an attempt that returned <paramref name="result"/> and decides whether to try again. A
        /// <see cref="Outcome.Success"/> ends the call as <see cref="OnSuccess"/> does; any other outcome counts like a
        /// failure of that kind, and a result given up on to retry is disposed when it is <see cref="IDisposable"/>. A
        /// <c>Retry-After</c> the result carries (an <see cref="HttpResponseMessage"/>'s header, an <see cref="IRetryAfter"/>)
        /// is the least the next retry waits. When it says no, the caller gets <paramref name="result"/> — unless
        /// <paramref name="unsuccessful"/> is set: then the member's fallback answers, and is given that exception.
        /// </summary>
        /// <param name="member">The member called.</param>
        /// <param name="result">What the attempt returned.</param>
        /// <param name="state">Passed to <paramref name="classify"/> (the sidecar), so that it need not capture it.</param>
        /// <param name="classify">The member's classification of its result.</param>
        /// <param name="known">The outcome <see cref="Succeeded"/> already found for this result, so it is not classified twice.</param>
        /// <param name="attempt">0 for the first attempt.</param>
        /// <param name="permit">The permit <see cref="Enter(SidecarMember, int)"/> gave the attempt.</param>
        /// <param name="cancellationToken">The caller's token.</param>
        /// <param name="previous">The previous wait of this call, which decorrelated jitter grows from.</param>
        /// <param name="delay">The wait before the next attempt.</param>
        /// <param name="unsuccessful">When not <c>null</c>, throw it for the fallback to answer: the last result was not a success.</param>
        /// <param name="deadline">The call's deadline (<see cref="StartCall"/>), if it has one.</param>
        /// <exception cref="SidecarTimeoutException">The retry could not start before the call's deadline: the call ends with it (the result is disposed).</exception>
        /// <exception cref="Exception">Whatever <paramref name="classify"/> threw; what the attempt held was given back first.</exception>
        public bool ShouldRetryResult<TState, TResult>(SidecarMember member, TResult result, TState state, Func<TState, TResult, Outcome> classify, Outcome? known, int attempt, CircuitPermit permit, CancellationToken cancellationToken, TimeSpan previous, out TimeSpan delay, out Exception? unsuccessful, CallDeadline deadline = default)
        {
            delay = TimeSpan.Zero;
            unsuccessful = null;
            Outcome outcome;
            if (known is Outcome given)
            {
                outcome = given;
            }
            else
            {
                try
                {
                    outcome = (classify ?? throw new ArgumentNullException(nameof(classify)))(state, result);
                }
                catch (Exception classifierFailure)
                {
                    // A classifier that throws is a bug: the attempt counts for nothing, its result (which nobody will read)
                    // is disposed, and its exception is what the caller sees.
                    GiveBack(permit);
                    DisposeQuietly(result);
                    ClassifierFailed(member, PolicyFor(member), attempt, classifierFailure);
                    throw;
                }
            }

            if (outcome == Outcome.Success)
            {
                OnSuccessCore(member, permit);
                return false;
            }

            if (permit.HoldsBulkheadSlot)
            {
                _bulkhead!.Release(); // the attempt has ended: it returned
            }

            SidecarPolicy policy = PolicyFor(member);
            TimeSpan? retryAfter = RetryAfterOf(result);
            var failure = new SidecarResultException(member.Name, result, outcome, attempt + 1, retryAfter) { Origin = this };
            bool retry;
            try
            {
                retry = Decide(member, policy, failure, outcome, attempt, permit, ended: true, cancellationToken, previous, retryAfter, deadline, out delay);
            }
            catch (SidecarTimeoutException)
            {
                DisposeQuietly(result); // past the deadline: the caller gets the timeout, not this result
                throw;
            }

            if (retry)
            {
                // Nobody will see this result: a response holds a connection until it is disposed.
                DisposeQuietly(result);
            }
            else if (policy.HasFallback && FallbackAnswers(outcome))
            {
                unsuccessful = failure;
            }

            return retry;
        }

        private void GiveBack(CircuitPermit permit)
        {
            if (permit.HoldsBulkheadSlot)
            {
                _bulkhead!.Release();
            }

            _breaker?.OnIgnored(permit);
        }

        private TimeSpan? RetryAfterOf<TResult>(TResult result) => result switch
        {
            IRetryAfter hinted => hinted.RetryAfter,
            HttpResponseMessage response => SidecarHttp.RetryAfter(response, _time),
            _ => null,
        };

        private static void DisposeQuietly<TResult>(TResult result)
        {
            if (result is IDisposable disposable)
            {
                try
                {
                    disposable.Dispose();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Disposing a result nobody will read must not change what the call does.
                }
            }
        }
    }
}
