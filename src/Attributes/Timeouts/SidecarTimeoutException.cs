using System;
using System.Globalization;

namespace Sidecar
{
    /// <summary>
    /// An attempt took longer than the member's <see cref="SidecarAttribute.Timeout"/>, or the whole call longer than its
    /// <see cref="SidecarAttribute.TotalTimeout"/> (<see cref="IsTotalTimeout"/>). It is a <see cref="TimeoutException"/>:
    /// an attempt's timeout is retried like any transient failure, and the caller sees it when the last attempt timed out;
    /// a call past its deadline is never retried.
    /// </summary>
    public sealed class SidecarTimeoutException : TimeoutException
    {
        /// <summary>Creates the exception.</summary>
        public SidecarTimeoutException(string service, string member, TimeSpan timeout, Exception? innerException = null)
            : base(
                string.Format(CultureInfo.InvariantCulture, "{0}.{1} did not answer within its timeout of {2:0} ms.", service, member, timeout.TotalMilliseconds),
                innerException)
        {
            Service = service;
            Member = member;
            Timeout = timeout;
        }

        /// <summary>The decorated service.</summary>
        public string Service { get; }

        /// <summary>The member that timed out.</summary>
        public string Member { get; }

        /// <summary>The time limit of one attempt, or of the whole call when <see cref="IsTotalTimeout"/>.</summary>
        public TimeSpan Timeout { get; }

        /// <summary>
        /// Whether the call's deadline (<see cref="SidecarAttribute.TotalTimeout"/>) passed, during an attempt or before the
        /// next retry could start; <see cref="Exception.InnerException"/> is then the last attempt's failure, if it failed.
        /// </summary>
        public bool IsTotalTimeout { get; private set; }

        /// <summary>No attempt was running when the deadline was found passed: the circuit does not count it.</summary>
        internal bool BeforeAttempt { get; private set; }

        /// <summary>The pipeline whose deadline passed: a deadline of a sidecar further in is an ordinary timeout here.</summary>
        internal object? Origin { get; private set; }

        /// <summary>The call ran past its deadline, <paramref name="total"/>.</summary>
        internal static SidecarTimeoutException Total(object origin, string service, string member, TimeSpan total, Exception? innerException, bool beforeAttempt, string why)
            => new(
                string.Format(CultureInfo.InvariantCulture, "{0}.{1} did not complete within its total time limit of {2:0} ms (TotalTimeout){3}.", service, member, total.TotalMilliseconds, why),
                service,
                member,
                total,
                innerException)
            {
                IsTotalTimeout = true,
                BeforeAttempt = beforeAttempt,
                Origin = origin,
            };

        private SidecarTimeoutException(string message, string service, string member, TimeSpan timeout, Exception? innerException)
            : base(message, innerException)
        {
            Service = service;
            Member = member;
            Timeout = timeout;
        }

        /// <summary>The attempt that was given up on while still running, so that its bulkhead slot is kept until it ends.</summary>
        internal System.Threading.Tasks.Task? Abandoned { get; set; }
    }
}
