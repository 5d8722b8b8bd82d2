using System;

namespace Sidecar
{
    /// <summary>
    /// Forwards the annotated interface member to the inner instance untouched: no retry, no circuit breaker,
    /// no timeout. Use it for members that must run exactly once (non-idempotent writes) or that are cheap.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Property | AttributeTargets.Event, AllowMultiple = false, Inherited = false)]
    [System.Diagnostics.Conditional("SIDECAR_KEEP_ATTRIBUTES")]
    public sealed class PassThroughAttribute : Attribute
    {
    }
}
