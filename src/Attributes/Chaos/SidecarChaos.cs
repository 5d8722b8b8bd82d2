using System;

namespace Sidecar
{
    /// <summary>
    /// Fault injection (Polly's Simmy, moved beside the sidecar): what an injected fault or result is, and the seed of the
    /// dice. How often — <c>ChaosFaultRate</c>, <c>ChaosLatencyRate</c> with <c>ChaosLatency</c>, <c>ChaosResultRate</c> —
    /// is set per service or per member in <see cref="SidecarOptions.Overrides"/>, so configuration can start and stop a
    /// game day without a rebuild. Chaos applies to the attempts of asynchronous members; an injected fault, latency or
    /// result goes through the same policies as a real one (retried, counted by the circuit, timed out, answered by the
    /// fallback, logged) and is tagged <c>sidecar.injected</c> in telemetry. Off unless a rate is set; with every rate at 0
    /// the happy path is the same as without chaos.
    /// </summary>
    public sealed class SidecarChaos
    {
        /// <summary>The exception an injected fault throws for a member; <c>null</c> for a <see cref="SidecarInjectedFaultException"/>.</summary>
        public Func<SidecarMember, Exception>? Fault { get; set; }

        /// <summary>
        /// The result an injected outcome answers with, for a member (an <c>HttpResponseMessage</c> with status 503, an empty
        /// list); a value that is not of the member's result type, or a member without a result, is not answered (the
        /// attempt calls the inner instance). <c>null</c>: no result is injected.
        /// </summary>
        public Func<SidecarMember, object?>? Result { get; set; }

        /// <summary>The seed of the dice, so that a run can be repeated; <c>null</c> for a different run each time.</summary>
        public int? Seed { get; set; }
    }
}
