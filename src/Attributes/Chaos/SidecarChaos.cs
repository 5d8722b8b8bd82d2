using System;

namespace Sidecar
{
    /// <summary>
    /// Fault injection (Polly's Simmy, moved beside the sidecar): what an injected fault or result is, and the seed of the
    /// dice. How often — <c>ChaosFaultRate</c>, <c>ChaosLatencyRate</c> with <c>ChaosLatency</c>, <c>ChaosResultRate</c> —
    /// is set per service or per member in <see cref="SidecarOptions.Overrides"/>, so configuration can start and stop a
    /// game day without a rebuild. Chaos applies to the attempts of asynchronous members; an injected fault, latency or
    /// result goes through the same policies as a real one (retried, counted by the circuit, timed out, answered by the
    /// fallback, logged); injected faults are tagged <c>sidecar.injected</c> in telemetry. Off unless a rate is set; with every rate at 0
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

        private readonly object _gate = new();
        private Random? _dice;
        private int? _seed;

        /// <summary>
        /// The seed of the dice, so that a run can be repeated; <c>null</c> for a different run each time. Every sidecar
        /// built with these options throws the same dice, one after the other, so scoped and transient sidecars do not
        /// each replay the sequence from its start.
        /// </summary>
        public int? Seed
        {
            get => _seed;
            set
            {
                lock (_gate)
                {
                    _seed = value;
                    _dice = null;
                }
            }
        }

        /// <summary>The next number of the seeded dice, in [0, 1); <c>null</c> without a seed.</summary>
        internal double? NextSeeded()
        {
            lock (_gate)
            {
                if (_seed is not int seed)
                {
                    return null;
                }

                return (_dice ??= new Random(seed)).NextDouble();
            }
        }
    }
}
