using System.ComponentModel;

namespace Sidecar
{
    /// <summary>
    /// What one attempt was granted when it started: the circuit episode it was admitted in (a verdict from an earlier
    /// episode moves nothing), a half-open probe slot, a bulkhead slot. The attempt's outcome gives back what it holds.
    /// <c>default</c> holds nothing. Generated code carries it from admission to outcome; users never need it.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct CircuitPermit
    {
        private const byte AdmittedFlag = 1;
        private const byte ProbeFlag = 2;
        private const byte SlotFlag = 4;
        private const byte RetryFlag = 8;

        private readonly int _episode;
        private readonly int _slotEpoch;
        private readonly byte _flags;

        private CircuitPermit(byte flags, int episode, int slotEpoch)
        {
            _flags = flags;
            _episode = episode;
            _slotEpoch = slotEpoch;
        }

        /// <summary>Whether this attempt holds a half-open probe slot.</summary>
        public bool IsProbe => (_flags & ProbeFlag) != 0;

        /// <summary>Whether this attempt holds a bulkhead slot.</summary>
        public bool HoldsBulkheadSlot => (_flags & SlotFlag) != 0;

        /// <summary>Whether this attempt is a retry (tracked only for a retry budget).</summary>
        public bool IsRetry => (_flags & RetryFlag) != 0;

        /// <summary>Whether the permit holds nothing to give back (an ordinary pass through a closed circuit, or nothing at all).</summary>
        internal bool IsEmpty => (_flags & ~AdmittedFlag) == 0;

        /// <summary>Whether a circuit breaker admitted the attempt (and <see cref="Episode"/> is meaningful).</summary>
        internal bool IsAdmitted => (_flags & AdmittedFlag) != 0;

        /// <summary>The circuit episode (one per state entered) the attempt was admitted in.</summary>
        internal int Episode => _episode;

        /// <summary>For a probe: the generation of probe slots it holds one of (slots are forfeited after the probe timeout).</summary>
        internal int SlotEpoch => _slotEpoch;

        internal static CircuitPermit Closed(int episode) => new(AdmittedFlag, episode, 0);

        internal static CircuitPermit Probe(int episode, int slotEpoch) => new(AdmittedFlag | ProbeFlag, episode, slotEpoch);

        internal CircuitPermit WithSlot() => new((byte)(_flags | SlotFlag), _episode, _slotEpoch);

        internal CircuitPermit WithoutSlot() => new((byte)(_flags & ~SlotFlag), _episode, _slotEpoch);

        internal CircuitPermit AsRetry() => new((byte)(_flags | RetryFlag), _episode, _slotEpoch);
    }
}
