using System;

namespace Sidecar
{
    /// <summary>
    /// Base of the exceptions a sidecar throws instead of calling the inner instance. Never retried.
    /// </summary>
    public abstract class SidecarRejectedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        protected SidecarRejectedException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception; the subclass overrides <see cref="Exception.Message"/>.</summary>
        protected SidecarRejectedException()
        {
        }

        /// <summary>The pipeline that refused the call, so that telemetry counts a refusal once, where it happened.</summary>
        internal object? Origin { get; set; }
    }
}
