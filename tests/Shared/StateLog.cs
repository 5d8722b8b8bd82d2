using System.Collections.Concurrent;

namespace Sidecar.Testing
{
    /// <summary>An observer that keeps the circuit states it hears, in order.</summary>
    internal sealed class StateLog : SidecarObserver
    {
        public ConcurrentQueue<CircuitState> States { get; } = new();

        public override void OnCircuitStateChanged(string circuitName, CircuitState state) => States.Enqueue(state);
    }
}
