using System;
using System.Collections.Generic;
using System.Linq;

namespace Sidecar
{
    /// <summary>
    /// Passes every callback on to several observers, in order. An observer that throws is skipped for that callback:
    /// the observers after it still hear it, and the exception never reaches the call being observed.
    /// </summary>
    public sealed class CompositeSidecarObserver : SidecarObserver
    {
        private readonly SidecarObserver[] _observers;

        /// <summary>Creates the composite; <c>null</c> entries are skipped.</summary>
        public CompositeSidecarObserver(IEnumerable<SidecarObserver?> observers)
            => _observers = (observers ?? throw new ArgumentNullException(nameof(observers))).Where(o => o is not null).ToArray()!;

        /// <summary>The observers, in call order.</summary>
        public IReadOnlyList<SidecarObserver> Observers => _observers;

        /// <summary>One observer for all of <paramref name="observers"/>: <c>null</c> for none, the observer itself for one.</summary>
        public static SidecarObserver? Combine(params SidecarObserver?[] observers)
        {
            SidecarObserver[] present = observers.Where(o => o is not null).ToArray()!;
            return present.Length switch
            {
                0 => null,
                1 => present[0],
                _ => new CompositeSidecarObserver(present),
            };
        }

        /// <inheritdoc/>
        public override void OnAttemptFailed(string service, string member, int attempt, Exception exception, bool willRetry, TimeSpan delay)
        {
            foreach (SidecarObserver observer in _observers)
            {
                try
                {
                    observer.OnAttemptFailed(service, member, attempt, exception, willRetry, delay);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // One observer's failure must not hide the event from the others.
                }
            }
        }

        /// <inheritdoc/>
        public override void OnCircuitStateChanged(string circuitName, CircuitState state)
        {
            foreach (SidecarObserver observer in _observers)
            {
                try
                {
                    observer.OnCircuitStateChanged(circuitName, state);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // One observer's failure must not hide the event from the others.
                }
            }
        }

        /// <inheritdoc/>
        public override void OnRetryDenied(string service, string member, int attempt, Exception exception)
        {
            foreach (SidecarObserver observer in _observers)
            {
                try
                {
                    observer.OnRetryDenied(service, member, attempt, exception);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // One observer's failure must not hide the event from the others.
                }
            }
        }

        /// <inheritdoc/>
        public override void OnGaveUp(string service, string member, int attempt, Exception exception, GiveUpReason reason)
        {
            foreach (SidecarObserver observer in _observers)
            {
                try
                {
                    observer.OnGaveUp(service, member, attempt, exception, reason);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // One observer's failure must not hide the event from the others.
                }
            }
        }

        /// <inheritdoc/>
        public override void OnHedged(string service, string member, int attempt, int hedge)
        {
            foreach (SidecarObserver observer in _observers)
            {
                try
                {
                    observer.OnHedged(service, member, attempt, hedge);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // One observer's failure must not hide the event from the others.
                }
            }
        }

        /// <inheritdoc/>
        public override void OnRejected(string service, string member, SidecarRejectedException exception)
        {
            foreach (SidecarObserver observer in _observers)
            {
                try
                {
                    observer.OnRejected(service, member, exception);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // One observer's failure must not hide the event from the others.
                }
            }
        }
    }
}
