using System;
using System.Net;
using System.Net.Http;

namespace Sidecar
{
    /// <summary>
    /// The HTTP rules users expect, for a <c>Classify</c> method of one line:
    /// <code>
    /// private static Outcome Classify(HttpResponseMessage response) => SidecarHttp.Classify(response);
    /// private static Outcome Classify(Exception exception) => SidecarHttp.Classify(exception);
    /// </code>
    /// 5xx, 408 (Request Timeout) and 429 (Too Many Requests) are <see cref="Outcome.Transient"/>, and a response's
    /// <c>Retry-After</c> header is honoured as the wait before the next retry; any other 4xx is <see cref="Outcome.Ignored"/>
    /// (the request is wrong, not the server); 1xx–3xx are <see cref="Outcome.Success"/>. An <see cref="HttpRequestException"/>
    /// without a status code (the connection failed), an <see cref="HttpClient"/> timeout and a sidecar's own
    /// <see cref="SidecarTimeoutException"/> are <see cref="Outcome.Transient"/>. These are the status codes
    /// Microsoft.Extensions.Http.Resilience treats as transient.
    /// </summary>
    public static class SidecarHttp
    {
        /// <summary>The outcome of a response, by its status code; see <see cref="Classify(HttpStatusCode)"/>.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="response"/> is <c>null</c>.</exception>
        public static Outcome Classify(HttpResponseMessage response)
            => Classify((response ?? throw new ArgumentNullException(nameof(response))).StatusCode);

        /// <summary>
        /// 5xx, 408 and 429: <see cref="Outcome.Transient"/>; any other 4xx: <see cref="Outcome.Ignored"/>; anything below
        /// 400: <see cref="Outcome.Success"/>. For clients that throw with a status code (Refit's <c>ApiException</c>).
        /// </summary>
        public static Outcome Classify(HttpStatusCode statusCode)
        {
            int code = (int)statusCode;
            if (code >= 500 || code == 408 || code == 429)
            {
                return Outcome.Transient;
            }

            return code >= 400 ? Outcome.Ignored : Outcome.Success;
        }

        /// <summary>
        /// The outcome of an exception an HTTP call threw. Transient: an <see cref="HttpRequestException"/> without a status
        /// code or with a transient one (.NET 5 and later carry it), an <see cref="HttpClient.Timeout"/> (a
        /// <see cref="System.Threading.Tasks.TaskCanceledException"/> whose inner exception is a <see cref="TimeoutException"/>), any other
        /// <see cref="TimeoutException"/> (a <see cref="SidecarTimeoutException"/> included). Ignored: an
        /// <see cref="HttpRequestException"/> with any other 4xx status. Anything else (the response could not be read,
        /// a bug): <see cref="Outcome.Failure"/>, counted by the circuit but not retried.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <c>null</c>.</exception>
        public static Outcome Classify(Exception exception)
        {
            switch (exception ?? throw new ArgumentNullException(nameof(exception)))
            {
                case HttpRequestException request:
                    HttpStatusCode? status = StatusCodeOf(request);
                    return status is HttpStatusCode code ? Transient(Classify(code)) : Outcome.Transient;
                case TimeoutException:
                    return Outcome.Transient;
                case System.Threading.Tasks.TaskCanceledException { InnerException: TimeoutException }:
                    return Outcome.Transient; // HttpClient.Timeout
                default:
                    return Outcome.Failure;
            }
        }

        /// <summary>
        /// The wait a response asks for in its <c>Retry-After</c> header (a number of seconds, or a date compared with
        /// <paramref name="timeProvider"/>'s clock), or <c>null</c> when it has none. A sidecar reads it by itself from a result that
        /// its <c>Classify</c> method did not call a success.
        /// </summary>
        /// <param name="response">The response.</param>
        /// <param name="timeProvider">The clock a header that gives a date is compared with; <see cref="TimeProvider.System"/> when <c>null</c>.</param>
        public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider? timeProvider = null)
        {
            if (response?.Headers.RetryAfter is not { } header)
            {
                return null;
            }

            if (header.Delta is TimeSpan delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (header.Date is DateTimeOffset date)
            {
                TimeSpan wait = date - (timeProvider ?? TimeProvider.System).GetUtcNow();
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }

            return null;
        }

        // An exception with a status that is a success (an HttpRequestException from EnsureSuccessStatusCode never has
        // one) still says the call failed.
        private static Outcome Transient(Outcome byStatus) => byStatus == Outcome.Success ? Outcome.Failure : byStatus;

        private static HttpStatusCode? StatusCodeOf(HttpRequestException exception)
        {
#if NET5_0_OR_GREATER
            return exception.StatusCode;
#else
            return null;
#endif
        }
    }
}
