using System;

namespace Sidecar
{
    /// <summary>
    /// Stands for a <em>result</em> that the member's <c>Classify</c> method did not classify <see cref="Outcome.Success"/>,
    /// where an exception is expected: it is what <see cref="SidecarObserver.OnAttemptFailed"/> is told, and what the
    /// <c>Fallback</c> receives when the last attempt's result was <see cref="Outcome.Transient"/> or <see cref="Outcome.Failure"/>.
    /// The sidecar never throws it to the caller: without a fallback, the caller gets the result itself.
    /// </summary>
    public sealed class SidecarResultException : Exception, IRetryAfter
    {
        /// <summary>Creates the exception for <paramref name="result"/>, returned by attempt <paramref name="attempt"/> of <paramref name="member"/>.</summary>
        /// <param name="member">The member called.</param>
        /// <param name="result">The result the attempt returned.</param>
        /// <param name="outcome">Its classification.</param>
        /// <param name="attempt">1 for the first attempt.</param>
        /// <param name="retryAfter">How long the dependency asked to be left alone, if its result said so.</param>
        public SidecarResultException(string member, object? result, Outcome outcome, int attempt, TimeSpan? retryAfter = null)
            : base(member + " returned a result classified " + outcome + " (attempt " + attempt + "): " + Describe(result) + ".")
        {
            Member = member;
            Result = result;
            Outcome = outcome;
            Attempt = attempt;
            RetryAfter = retryAfter;
        }

        /// <summary>The member called.</summary>
        public string Member { get; }

        /// <summary>The result the attempt returned (its <c>Dispose</c> is the caller's, or the fallback's, business).</summary>
        public object? Result { get; }

        /// <summary>How <c>Classify</c> classified it: anything but <see cref="Outcome.Success"/>.</summary>
        public Outcome Outcome { get; }

        /// <summary>The attempt that returned it, 1 for the first.</summary>
        public int Attempt { get; }

        /// <inheritdoc />
        public TimeSpan? RetryAfter { get; }

        internal object? Origin { get; set; }

        // What the message says of the result: its type, and an HTTP response's status, never its text (a record's
        // ToString prints every property, and messages end up in logs).
        private static string Describe(object? result) => result switch
        {
            null => "null",
            System.Net.Http.HttpResponseMessage response => "an HTTP response with status " + (int)response.StatusCode + " " + response.StatusCode,
            _ => "a " + (result.GetType().FullName ?? result.GetType().Name),
        };
    }
}
