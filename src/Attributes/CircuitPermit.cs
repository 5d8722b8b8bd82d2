namespace Sidecar
{
    /// <summary>
    /// What <see cref="CircuitBreaker.TryEnter"/> granted one attempt: an ordinary pass, or the half-open probe slot,
    /// which the attempt's outcome must give back.
    /// </summary>
    public readonly struct CircuitPermit
    {
        internal CircuitPermit(bool isProbe) => IsProbe = isProbe;

        /// <summary>Whether this attempt holds the half-open probe slot.</summary>
        public bool IsProbe { get; }

        internal static CircuitPermit Probe => new(true);
    }
}
