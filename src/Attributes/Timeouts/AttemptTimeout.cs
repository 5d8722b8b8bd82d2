using System;
using System.ComponentModel;
using System.Threading;
#if !NET8_0_OR_GREATER
using System.Threading.Tasks; // TimeProvider.CreateCancellationTokenSource, from Microsoft.Bcl.TimeProvider
#endif

namespace Sidecar
{
    /// <summary>
    /// The time limit of one attempt: a token that fires when the caller cancels or when the attempt's time is up,
    /// on the pipeline's clock. Created by <see cref="SidecarPipeline.StartAttempt(SidecarMember, System.Threading.CancellationToken)"/>, disposed by <see cref="SidecarPipeline.Watch{T}"/>.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class AttemptTimeout : IDisposable
    {
        private readonly CancellationTokenSource? _timer; // null when the attempt has no time limit (a hedged attempt without Timeout)
        private readonly CancellationTokenSource _linked;

        /// <param name="timeout">The attempt's time limit; zero or less, or longer than a timer can wait, for none.</param>
        /// <param name="time">The clock the limit is measured on.</param>
        /// <param name="callerToken">The caller's token, which ends the attempt too.</param>
        /// <param name="isDeadline">Whether <paramref name="timeout"/> is what is left of the call's deadline.</param>
        /// <param name="hedgeToken">For a hedged attempt: fires when another attempt of its round has won (the attempt lost).</param>
        internal AttemptTimeout(TimeSpan timeout, TimeProvider time, CancellationToken callerToken, bool isDeadline = false, CancellationToken hedgeToken = default)
        {
            Limit = timeout;
            IsDeadline = isDeadline;
            CallerToken = callerToken;
            if (timeout <= TimeSpan.Zero || timeout > SidecarPipeline.LongestWait)
            {
                // No limit (a hedged attempt without Timeout, or a Timeout overridden to 0): no timer.
                _linked = hedgeToken.CanBeCanceled
                    ? CancellationTokenSource.CreateLinkedTokenSource(callerToken, hedgeToken)
                    : CancellationTokenSource.CreateLinkedTokenSource(callerToken);
                return;
            }

#if NET8_0_OR_GREATER
            _timer = new CancellationTokenSource(timeout, time);
#else
            _timer = time.CreateCancellationTokenSource(timeout);
#endif
            _linked = hedgeToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(callerToken, _timer.Token, hedgeToken)
                : CancellationTokenSource.CreateLinkedTokenSource(callerToken, _timer.Token);
        }

        /// <summary>The token to pass to the inner instance for this attempt.</summary>
        public CancellationToken Token => _linked.Token;

        /// <summary>The attempt's time limit.</summary>
        internal TimeSpan Limit { get; }

        /// <summary>Whether the limit is what is left of the call's deadline (shorter than the attempt's own timeout).</summary>
        internal bool IsDeadline { get; }

        /// <summary>The caller's own token.</summary>
        public CancellationToken CallerToken { get; }

        /// <summary>Whether the attempt ran out of time (and the caller did not cancel).</summary>
        public bool HasExpired => _timer is { IsCancellationRequested: true } && !CallerToken.IsCancellationRequested;

        /// <inheritdoc/>
        public void Dispose()
        {
            _linked.Dispose();
            _timer?.Dispose();
        }
    }
}
