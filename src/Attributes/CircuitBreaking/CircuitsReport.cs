using System;
using System.Collections.Generic;
using System.Globalization;

namespace Sidecar
{
    /// <summary>How the circuits of a registry stand, as a health check reports them.</summary>
    public enum CircuitsHealth
    {
        /// <summary>Every circuit is closed (or there is none).</summary>
        Closed,

        /// <summary>No circuit is open, but one or more are half-open: probing whether their dependency is back.</summary>
        Probing,

        /// <summary>One or more circuits are open: their calls fail fast.</summary>
        Open,
    }

    /// <summary>
    /// The state of every circuit of a <see cref="CircuitBreakerRegistry"/> at one moment: what a health check reports
    /// (the generated <c>AddSidecarCircuits()</c> does), with the open circuits' names and when each will be probed.
    /// </summary>
    public sealed class CircuitsReport
    {
        private CircuitsReport(CircuitsHealth health, string description, IReadOnlyDictionary<string, object> data)
        {
            Health = health;
            Description = description;
            Data = data;
        }

        /// <summary>Open if any circuit is open, else probing if any is half-open, else closed.</summary>
        public CircuitsHealth Health { get; }

        /// <summary>
        /// One line: "Open circuits: App.IOrders (open: probed at 2026-12-06T21:40:00.0000000+00:00); half-open: App.IStock",
        /// "Half-open circuits, probing: App.IStock", or "3 circuits, all closed".
        /// </summary>
        public string Description { get; }

        /// <summary>Every circuit's state by its name: "closed", "half-open: probing", "open: probed at …" or "open: isolated until reset".</summary>
        public IReadOnlyDictionary<string, object> Data { get; }

        /// <summary>The state of every circuit of <paramref name="circuits"/> now.</summary>
        public static CircuitsReport Of(CircuitBreakerRegistry circuits)
        {
            if (circuits is null)
            {
                throw new ArgumentNullException(nameof(circuits));
            }

            var data = new Dictionary<string, object>(StringComparer.Ordinal);
            var open = new List<string>();
            var halfOpen = new List<string>();
            foreach (CircuitBreaker circuit in circuits.Breakers)
            {
                switch (circuit.State)
                {
                    case CircuitState.Open:
                        DateTimeOffset? until = circuit.OpenUntil;
                        string state = until is null ? "open"
                            : until.Value == DateTimeOffset.MaxValue ? "open: isolated until reset"
                            : "open: probed at " + until.Value.ToString("O", CultureInfo.InvariantCulture);
                        open.Add(circuit.Name + " (" + state + ")");
                        data[circuit.Name] = state;
                        break;
                    case CircuitState.HalfOpen:
                        halfOpen.Add(circuit.Name);
                        data[circuit.Name] = "half-open: probing";
                        break;
                    default:
                        data[circuit.Name] = "closed";
                        break;
                }
            }

            if (open.Count > 0)
            {
                string also = halfOpen.Count > 0 ? "; half-open: " + string.Join(", ", halfOpen) : string.Empty;
                return new CircuitsReport(CircuitsHealth.Open, "Open circuits: " + string.Join(", ", open) + also, data);
            }

            if (halfOpen.Count > 0)
            {
                return new CircuitsReport(CircuitsHealth.Probing, "Half-open circuits, probing: " + string.Join(", ", halfOpen), data);
            }

            string closed = data.Count == 1 ? "1 circuit, closed" : data.Count.ToString(CultureInfo.InvariantCulture) + " circuits, all closed";
            return new CircuitsReport(CircuitsHealth.Closed, closed, data);
        }
    }
}
