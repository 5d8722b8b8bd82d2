using System;
using System.Globalization;

namespace Sidecar
{
    /// <summary>
    /// Thrown, without touching the inner instance, when an attempt finds the service's rate limit
    /// (<see cref="SidecarAttribute.RateLimit"/> per <see cref="SidecarAttribute.RateLimitWindow"/>, or the limiter in
    /// <see cref="SidecarOptions.RateLimiter"/>) spent. Never retried; a fallback answers it. <see cref="RetryAfter"/> says when
    /// a permit frees up, when the limiter knows.
    /// </summary>
    public sealed class RateLimitRejectedException : SidecarRejectedException, IRetryAfter
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="limiterName">The limiter that refused (the decorated service).</param>
        /// <param name="retryAfter">When a permit frees up, if the limiter said.</param>
        public RateLimitRejectedException(string limiterName, TimeSpan? retryAfter)
        {
            LimiterName = limiterName;
            RetryAfter = retryAfter;
        }

        /// <inheritdoc/>
        public override string Message => RetryAfter is TimeSpan wait
            ? string.Format(CultureInfo.InvariantCulture, "The rate limit of '{0}' is spent, so the call was not made; a permit frees up in {1:0} ms.", LimiterName, wait.TotalMilliseconds)
            : string.Format(CultureInfo.InvariantCulture, "The rate limit of '{0}' is spent, so the call was not made. Try again later, or raise RateLimit.", LimiterName);

        /// <summary>The limiter that refused the attempt (the decorated service).</summary>
        public string LimiterName { get; }

        /// <summary>How long until a permit frees up, when the limiter knows.</summary>
        public TimeSpan? RetryAfter { get; }
    }
}
