using System.ComponentModel;

namespace Sidecar
{
    /// <summary>
    /// What one attempt was granted when it started: the circuit episode it was admitted in (a verdict from an earlier
    /// episode moves nothing), a half-open probe slot, a bulkhead slot, and, for a breaker that watches slow calls, when it
    /// started. The attempt's outcome gives back what it holds.
    /// <c>default</c> holds nothing. Generated code carries it from admission to outcome; users never need it.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct CircuitPermit
    {
        private const ulong AdmittedFlag = 1;
        private const ulong ProbeFlag = 2;
        private const ulong SlotFlag = 4;
        private const ulong RetryFlag = 8;
        private const ulong BlockedFlag = 16;
        private const ulong TimedFlag = 32;
        private const ulong ChaosFlag = 64;
        private const ulong Flags = 127;
        private const int EpisodeShift = 7;
        private const int SlotEpochShift = 35;

        /// <summary>The 28 bits an episode or a slot epoch is kept in (they wrap round; only equality is asked).</summary>
        internal const int EpochMask = (1 << 28) - 1;

        // One word, so that the permit travels in a register on the happy path: flags, episode, slot epoch.
        private readonly ulong _bits;

        private CircuitPermit(ulong bits) => _bits = bits;

        private CircuitPermit(ulong flags, int episode, int slotEpoch)
            => _bits = flags | ((ulong)(uint)(episode & EpochMask) << EpisodeShift) | ((ulong)(uint)(slotEpoch & EpochMask) << SlotEpochShift);

        /// <summary>
        /// Whether the attempt may not start on the fast path (the circuit is not closed, or the bulkhead is full): the call
        /// must go through the refusal check and the retry loop. See <see cref="SidecarPipeline.Start"/>.
        /// </summary>
        public bool IsBlocked => (_bits & BlockedFlag) != 0;

        /// <summary>Whether this attempt holds a half-open probe slot.</summary>
        public bool IsProbe => (_bits & ProbeFlag) != 0;

        /// <summary>Whether this attempt holds a bulkhead slot.</summary>
        public bool HoldsBulkheadSlot => (_bits & SlotFlag) != 0;

        /// <summary>Whether this attempt is a retry (tracked only for a retry budget).</summary>
        public bool IsRetry => (_bits & RetryFlag) != 0;

        /// <summary>Whether the permit holds nothing to give back (an ordinary pass through a closed circuit, or nothing at all).</summary>
        internal bool IsEmpty => (_bits & (Flags & ~(AdmittedFlag | TimedFlag | ChaosFlag))) == 0;

        /// <summary>Whether <see cref="StartedMs"/> says when the attempt started (a breaker that watches slow calls).</summary>
        internal bool IsTimed => (_bits & TimedFlag) != 0;

        /// <summary>
        /// Whether faults, latency or results are injected into this attempt (<see cref="SidecarChaos"/>): generated code then
        /// runs it through the pipeline's chaos instead of calling the inner instance directly.
        /// </summary>
        public bool InjectsChaos => (_bits & ChaosFlag) != 0;

        /// <summary>For a timed permit: the attempt's start, in milliseconds of the breaker's clock, modulo 2^28 (about 3 days).</summary>
        internal int StartedMs => SlotEpoch;

        /// <summary>Whether a circuit breaker admitted the attempt (and <see cref="Episode"/> is meaningful).</summary>
        internal bool IsAdmitted => (_bits & AdmittedFlag) != 0;

        /// <summary>The circuit episode (one per state entered) the attempt was admitted in.</summary>
        internal int Episode => (int)((_bits >> EpisodeShift) & EpochMask);

        /// <summary>For a probe: the generation of probe slots it holds one of (slots are forfeited after the probe timeout).</summary>
        internal int SlotEpoch => (int)((_bits >> SlotEpochShift) & EpochMask);

        internal static CircuitPermit Closed(int episode) => new(AdmittedFlag, episode, 0);

        internal static CircuitPermit Blocked => new(BlockedFlag);

        internal static CircuitPermit Probe(int episode, int slotEpoch) => new(AdmittedFlag | ProbeFlag, episode, slotEpoch);

        internal CircuitPermit WithSlot() => new(_bits | SlotFlag);

        internal CircuitPermit WithChaos() => new(_bits | ChaosFlag);

        /// <summary>A closed (not probe) permit that also says when its attempt started; a probe's slot epoch keeps its bits.</summary>
        internal CircuitPermit StartedAt(int milliseconds)
            => IsProbe || !IsAdmitted ? this : new((_bits & ~(((ulong)EpochMask << SlotEpochShift) | TimedFlag)) | TimedFlag | ((ulong)(uint)(milliseconds & EpochMask) << SlotEpochShift));

        internal CircuitPermit AsRetry() => new(_bits | RetryFlag);

        /// <summary>
        /// This permit once what it held has been given back and its verdict given (a hedged attempt's): holds nothing, and a
        /// verdict on it moves nothing; only whether it was a retry is kept.
        /// </summary>
        internal CircuitPermit Settled() => new(_bits & RetryFlag);
    }
}
