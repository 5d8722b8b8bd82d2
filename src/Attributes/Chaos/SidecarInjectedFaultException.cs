using System;

namespace Sidecar
{
    /// <summary>The fault <see cref="SidecarChaos"/> injects when <see cref="SidecarChaos.Fault"/> is not set. It is transient by default (every exception is).</summary>
    public sealed class SidecarInjectedFaultException : Exception
    {
        /// <summary>Creates the exception for <paramref name="member"/>.</summary>
        public SidecarInjectedFaultException(string service, string member)
            : base("A fault injected by Sidecar chaos into " + service + "." + member + " (ChaosFaultRate).")
        {
            Service = service;
            Member = member;
        }

        /// <summary>The decorated service.</summary>
        public string Service { get; }

        /// <summary>The member the fault was injected into.</summary>
        public string Member { get; }
    }
}
