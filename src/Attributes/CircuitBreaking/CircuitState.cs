namespace Sidecar
{
    /// <summary>The state of a <see cref="CircuitBreaker"/>.</summary>
    public enum CircuitState
    {
        /// <summary>Calls flow; failures in a row are counted.</summary>
        Closed = 0,

        /// <summary>Calls fail fast with <see cref="BrokenCircuitException"/> until the break is over.</summary>
        Open = 1,

        /// <summary>The break is over: one probe call is let through; its outcome closes or re-opens the circuit.</summary>
        HalfOpen = 2,
    }
}
