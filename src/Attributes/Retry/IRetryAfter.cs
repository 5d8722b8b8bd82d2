using System;

namespace Sidecar
{
    /// <summary>
    /// Implemented by an exception that knows when the dependency wants to be called again — an HTTP 429 or 503 with a
    /// <c>Retry-After</c> header, a broker's back-pressure signal. The sidecar then waits at least that long before the
    /// next retry; if that is longer than the member's <c>MaxDelay</c>, it does not retry at all (the dependency said the
    /// retry would fail).
    /// </summary>
    public interface IRetryAfter
    {
        /// <summary>How long the dependency asked to be left alone, or <c>null</c> when it did not say.</summary>
        TimeSpan? RetryAfter { get; }
    }
}
