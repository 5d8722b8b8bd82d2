using System;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar
{
    public sealed partial class SidecarPipeline
    {
        // The longest wait a timer supports (about 49.7 days). An uncapped backoff can ask for more; waiting this long
        // is as good as forever, whereas letting Task.Delay throw would replace the dependency's own exception.
        internal static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

        /// <summary>Waits <paramref name="delay"/> on the pipeline's clock; ends at once when the token fires.</summary>
        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled(cancellationToken);
            }

            if (delay <= TimeSpan.Zero)
            {
                return Task.CompletedTask;
            }

            if (delay > LongestWait)
            {
                delay = LongestWait;
            }
#if NET8_0_OR_GREATER
            return Task.Delay(delay, _time, cancellationToken);
#else
            return _time.Delay(delay, cancellationToken);
#endif
        }

        /// <summary>Blocks for <paramref name="delay"/> (synchronous members); ends at once when the token fires.</summary>
        public void Wait(TimeSpan delay, CancellationToken cancellationToken)
        {
            if (delay <= TimeSpan.Zero && !cancellationToken.IsCancellationRequested)
            {
                return;
            }

            DelayAsync(delay, cancellationToken).GetAwaiter().GetResult();
        }

        /// <summary>Starts the time limit of one attempt; pass <see cref="AttemptTimeout.Token"/> to the inner call.</summary>
        public AttemptTimeout StartAttempt(CancellationToken cancellationToken) => StartAttempt(Policy, cancellationToken);

        /// <summary>Starts the time limit of one attempt of <paramref name="member"/> (its own override, if any).</summary>
        public AttemptTimeout StartAttempt(SidecarMember member, CancellationToken cancellationToken) => StartAttempt(PolicyFor(member), cancellationToken);

        private AttemptTimeout StartAttempt(SidecarPolicy policy, CancellationToken cancellationToken)
            => new(policy.Timeout, _time, cancellationToken);

        /// <summary>
        /// Starts the deadline of a call of <paramref name="member"/> (its <see cref="SidecarPolicy.TotalTimeout"/>); without
        /// one, <c>default</c>, and the clock is not read.
        /// </summary>
        public CallDeadline StartCall(SidecarMember member)
        {
            TimeSpan total = PolicyFor(member).TotalTimeout;
            return total > TimeSpan.Zero ? new CallDeadline(_time.GetTimestamp(), total) : default;
        }

        /// <summary>
        /// Before an attempt of a call with a <paramref name="deadline"/> asks for admission: fails it, taking nothing (no
        /// permit, no probe, no slot), when the deadline has already passed.
        /// </summary>
        /// <exception cref="SidecarTimeoutException">The deadline has passed.</exception>
        public void CheckDeadline(SidecarMember member, CallDeadline deadline)
        {
            if (deadline.IsSet && deadline.Remaining(_time) <= TimeSpan.Zero)
            {
                throw SidecarTimeoutException.Total(this, Service, member.Name, deadline.Total, null, beforeAttempt: true, " before the next attempt could start");
            }
        }

        /// <summary>
        /// Starts the time limit of one attempt of a call with a <paramref name="deadline"/>: the attempt's own
        /// <c>Timeout</c>, or what is left of the deadline when that is shorter.
        /// </summary>
        /// <exception cref="SidecarTimeoutException">The deadline has already passed; no attempt is made.</exception>
        public AttemptTimeout StartAttempt(SidecarMember member, CancellationToken cancellationToken, CallDeadline deadline)
            => StartAttempt(member, cancellationToken, deadline, default);

        // A hedged attempt's limit also fires on `hedgeToken`, when another attempt of its round has won.
        private AttemptTimeout StartAttempt(SidecarMember member, CancellationToken cancellationToken, CallDeadline deadline, CancellationToken hedgeToken)
        {
            SidecarPolicy policy = PolicyFor(member);
            if (!deadline.IsSet)
            {
                return new AttemptTimeout(policy.Timeout, _time, cancellationToken, hedgeToken: hedgeToken);
            }

            TimeSpan left = deadline.Remaining(_time);
            if (left <= TimeSpan.Zero)
            {
                throw SidecarTimeoutException.Total(this, Service, member.Name, deadline.Total, null, beforeAttempt: true, " before the next attempt could start");
            }

            bool deadlineFirst = policy.Timeout <= TimeSpan.Zero || left < policy.Timeout;
            return new AttemptTimeout(deadlineFirst ? left : policy.Timeout, _time, cancellationToken, isDeadline: deadlineFirst, hedgeToken: hedgeToken);
        }

        /// <summary>
        /// Waits for an attempt under its time limit. When time is up first, the attempt's token is cancelled, the
        /// attempt is abandoned (its outcome observed, never rethrown) and <see cref="SidecarTimeoutException"/> is thrown.
        /// </summary>
        public async Task<T> Watch<T>(Task<T> attempt, AttemptTimeout timeout, SidecarMember member)
        {
            try
            {
                await WaitWithin(attempt, timeout, member).ConfigureAwait(false);
                return await attempt.ConfigureAwait(false);
            }
            finally
            {
                DisposeWhenEnded(attempt, timeout);
            }
        }

        /// <inheritdoc cref="Watch{T}"/>
        public async Task Watch(Task attempt, AttemptTimeout timeout, SidecarMember member)
        {
            try
            {
                await WaitWithin(attempt, timeout, member).ConfigureAwait(false);
                await attempt.ConfigureAwait(false);
            }
            finally
            {
                DisposeWhenEnded(attempt, timeout);
            }
        }

        // The attempt's token must outlive the attempt: disposing it while the dependency still runs (abandoned on a timeout or
        // the caller's cancellation, possibly from inside that very cancellation's callbacks) could keep the cancellation
        // from reaching the dependency, which would then hang for good, holding its slots.
        private static void DisposeWhenEnded(Task attempt, AttemptTimeout timeout)
        {
            if (attempt.IsCompleted)
            {
                timeout.Dispose();
                return;
            }

            attempt.ContinueWith(static (_, state) => ((AttemptTimeout)state!).Dispose(), timeout, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        // When the timer fires just as the attempt completes, the attempt's own outcome wins: a success must not turn into
        // a timeout, nor a failure into a different exception. An attempt that ended cancelled because time was up (it
        // honoured its token) timed out.
        private async Task WaitWithin(Task attempt, AttemptTimeout timeout, SidecarMember member)
        {
            try
            {
#if NET8_0_OR_GREATER
                await attempt.WaitAsync(timeout.Token).ConfigureAwait(false);
#else
                await attempt.WaitAsync(System.Threading.Timeout.InfiniteTimeSpan, _time, timeout.Token).ConfigureAwait(false);
#endif
            }
            catch (OperationCanceledException ex)
            {
                if (attempt.IsCompleted && !(attempt.IsCanceled && timeout.HasExpired))
                {
                    return; // the attempt ended as the wait did: Watch hands on its own outcome
                }

                if (attempt.IsCompleted)
                {
                    // Time was up and the attempt ended by honouring its token: that is this sidecar's timeout.
                    throw TimedOut(member, timeout, ex);
                }

                // Abandoned (time is up, or the caller gave up): observe its outcome so that a late failure is not an
                // unobserved task exception. What it holds is given back when it ends (AbandonedAttempts).
                _ = attempt.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                if (timeout.HasExpired)
                {
                    SidecarTimeoutException timedOut = TimedOut(member, timeout, ex);
                    timedOut.Abandoned = attempt;
                    throw timedOut;
                }

                // The caller gave up: their exception goes on as it is; the attempt it left behind rides beside it.
                AbandonedAttempts.Remember(ex, attempt);
                throw;
            }
        }

        // An attempt cut short by its own Timeout, or by what was left of the call's deadline.
        private SidecarTimeoutException TimedOut(SidecarMember member, AttemptTimeout timeout, Exception cancelled)
            => timeout.IsDeadline
                ? SidecarTimeoutException.Total(this, Service, member.Name, PolicyFor(member).TotalTimeout, cancelled, beforeAttempt: false, string.Empty)
                : new SidecarTimeoutException(Service, member.Name, PolicyFor(member).Timeout, cancelled);
    }
}
