using System;
using Sidecar;

namespace SidecarDemo
{
    /// <summary>The monitoring part of the sidecar: reports what the generated decorators do.</summary>
    public sealed class ConsoleObserver : SidecarObserver
    {
        public override void OnAttemptFailed(string service, string member, int attempt, Exception exception, bool willRetry, TimeSpan delay)
            => Console.WriteLine($"  Attempt {attempt} failed: {exception.Message}" + (willRetry ? $" (retrying in {delay.TotalMilliseconds} ms)" : ""));

        public override void OnCircuitStateChanged(string circuitName, CircuitState state)
            => Console.WriteLine($"  Circuit {circuitName} -> {state}");
    }
}
