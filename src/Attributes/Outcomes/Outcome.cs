namespace Sidecar
{
    /// <summary>
    /// What one attempt's ending means, for the retry loop and for the circuit. A <c>Classify</c> method
    /// (<see cref="SidecarAttribute.Classify"/>) returns one for a result or an exception; without one, exceptions are
    /// classified by <see cref="SidecarAttribute.RetryOn"/> and <see cref="SidecarAttribute.NeverRetryOn"/> and every
    /// result is a <see cref="Success"/>.
    /// </summary>
    public enum Outcome
    {
        /// <summary>The dependency answered: not retried, a success for the circuit (it closes a half-open circuit).</summary>
        Success,

        /// <summary>The dependency failed and may answer next time: retried while retries are left, a failure for the circuit.</summary>
        Transient,

        /// <summary>The dependency failed and a retry would not help: not retried, a failure for the circuit.</summary>
        Failure,

        /// <summary>
        /// Says nothing about the dependency (the caller's own mistake, such as an HTTP 404): not retried, not counted by the
        /// circuit, and not answered by a <c>Fallback</c>; the caller gets the result or the exception as it is.
        /// </summary>
        Ignored,
    }
}
