using System;
using System.Collections.Generic;

namespace Sidecar.Runtime.Tests
{
    /// <summary>Remembers every callback, in order.</summary>
    internal sealed class RecordingObserver : SidecarObserver
    {
        private readonly object _gate = new();
        private readonly List<AttemptFailure> _failures = new();
        private readonly List<(string Circuit, CircuitState State)> _transitions = new();
        private readonly List<(string Service, string Member, SidecarRejectedException Exception)> _rejections = new();

        public IReadOnlyList<AttemptFailure> Failures
        {
            get
            {
                lock (_gate)
                {
                    return _failures.ToArray();
                }
            }
        }

        public IReadOnlyList<(string Circuit, CircuitState State)> Transitions
        {
            get
            {
                lock (_gate)
                {
                    return _transitions.ToArray();
                }
            }
        }

        public IReadOnlyList<(string Service, string Member, SidecarRejectedException Exception)> Rejections
        {
            get
            {
                lock (_gate)
                {
                    return _rejections.ToArray();
                }
            }
        }

        public override void OnAttemptFailed(string service, string member, int attempt, Exception exception, bool willRetry, TimeSpan delay)
        {
            lock (_gate)
            {
                _failures.Add(new AttemptFailure(service, member, attempt, exception, willRetry, delay));
            }
        }

        public override void OnCircuitStateChanged(string circuitName, CircuitState state)
        {
            lock (_gate)
            {
                _transitions.Add((circuitName, state));
            }
        }

        public override void OnRejected(string service, string member, SidecarRejectedException exception)
        {
            lock (_gate)
            {
                _rejections.Add((service, member, exception));
            }
        }

        public sealed record AttemptFailure(string Service, string Member, int Attempt, Exception Exception, bool WillRetry, TimeSpan Delay);
    }
}
