namespace Sidecar
{
    /// <summary>
    /// What <see cref="SidecarPipeline.Enter(string, int)"/> granted one attempt: an ordinary pass, a half-open probe
    /// slot, a bulkhead slot; the attempt's outcome gives back what it holds. <c>default</c> holds nothing.
    /// </summary>
    public readonly struct CircuitPermit
    {
        private const byte ProbeFlag = 1;
        private const byte SlotFlag = 2;
        private const byte RetryFlag = 4;

        private readonly int _episode;
        private readonly byte _flags;

        private CircuitPermit(byte flags, int episode)
        {
            _flags = flags;
            _episode = episode;
        }

        /// <summary>Whether this attempt holds a half-open probe slot.</summary>
        public bool IsProbe => (_flags & ProbeFlag) != 0;

        /// <summary>Whether this attempt holds a bulkhead slot.</summary>
        public bool HoldsBulkheadSlot => (_flags & SlotFlag) != 0;

        /// <summary>Whether this attempt is a retry (tracked only for a retry budget).</summary>
        public bool IsRetry => (_flags & RetryFlag) != 0;

        /// <summary>Whether the permit holds nothing to give back or record.</summary>
        internal bool IsEmpty => _flags == 0;

        /// <summary>The half-open episode the probe belongs to: a probe from an earlier one (before a reset) counts for nothing.</summary>
        internal int Episode => _episode;

        internal static CircuitPermit Probe(int episode) => new(ProbeFlag, episode);

        internal CircuitPermit WithSlot() => new((byte)(_flags | SlotFlag), _episode);

        internal CircuitPermit AsRetry() => new((byte)(_flags | RetryFlag), _episode);
    }
}
