using System;
using System.Globalization;

namespace Sidecar
{
    /// <summary>
    /// An attempt took longer than the member's <see cref="SidecarAttribute.Timeout"/>. It is a
    /// <see cref="TimeoutException"/>, so it is retried like any transient failure; the caller sees it when the last
    /// attempt timed out.
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

        /// <summary>The time limit of one attempt.</summary>
        public TimeSpan Timeout { get; }

        /// <summary>The attempt that was given up on while still running, so that its bulkhead slot is kept until it ends.</summary>
        internal System.Threading.Tasks.Task? Abandoned { get; set; }
    }
}
