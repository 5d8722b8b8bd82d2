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

        private static string Describe(object? result)
        {
            if (result is null)
            {
                return "null";
            }

            string? text;
            try
            {
                text = result.ToString();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                text = null;
            }

            text ??= result.GetType().FullName ?? "?";
            int line = text.IndexOfAny(new[] { '\r', '\n' });
            text = line >= 0 ? text.Substring(0, line) : text;
            return text.Length > 200 ? text.Substring(0, 200) + "…" : text;
        }
    }
}
