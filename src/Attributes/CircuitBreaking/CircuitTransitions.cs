using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace Sidecar
{
    /// <summary>
    /// Reports the state changes of one circuit — automatic or by hand — to its watchers (the observers of the sidecars
    /// that use it) and to telemetry: each change exactly once, in the order it happened, never under the breaker's lock.
    /// </summary>
    /// <remarks>
    /// A change is queued under the breaker's lock, so the queue's order is the order of the changes. Whoever queued one
    /// then tries to become the one thread that delivers: the others return at once and their changes are delivered by
    /// it, in order. An observer that throws is skipped for that change; it cannot hide the change from the others.
    /// </remarks>
    internal sealed class CircuitTransitions
    {
        private readonly string _circuit;
        private readonly ConcurrentQueue<CircuitState> _pending = new();
        private readonly object _watchersGate = new();
        private WeakReference<SidecarObserver>[] _watchers = Array.Empty<WeakReference<SidecarObserver>>();
        private int _delivering;

        public CircuitTransitions(string circuit) => _circuit = circuit;

        /// <summary>Observers that hear this circuit's changes now (the live ones).</summary>
        public int WatcherCount
        {
            get
            {
                int count = 0;
                foreach (WeakReference<SidecarObserver> watcher in Volatile.Read(ref _watchers))
                {
                    count += watcher.TryGetTarget(out _) ? 1 : 0;
                }

                return count;
            }
        }

        /// <summary>
        /// Lets <paramref name="observer"/> hear this circuit's changes while it is alive. A composite is taken apart, and an
        /// observer already watching is not added twice, so one observer hears each change once however many sidecars share
        /// the circuit.
        /// </summary>
        public void Watch(SidecarObserver? observer)
        {
            if (observer is null)
            {
                return;
            }

            if (observer is CompositeSidecarObserver composite)
            {
                foreach (SidecarObserver part in composite.Observers)
                {
                    Watch(part);
                }

                return;
            }

            lock (_watchersGate)
            {
                var live = new List<WeakReference<SidecarObserver>>(_watchers.Length + 1);
                foreach (WeakReference<SidecarObserver> watcher in _watchers)
                {
                    if (watcher.TryGetTarget(out SidecarObserver? existing))
                    {
                        if (ReferenceEquals(existing, observer))
                        {
                            return;
                        }

                        live.Add(watcher);
                    }
                }

                live.Add(new WeakReference<SidecarObserver>(observer));
                Volatile.Write(ref _watchers, live.ToArray());
            }
        }

        /// <summary>Queues a change; call under the breaker's lock, then <see cref="Deliver"/> after releasing it.</summary>
        public void Enqueue(CircuitState state) => _pending.Enqueue(state);

        /// <summary>Delivers the queued changes, in order, unless another thread is already doing so.</summary>
        public void Deliver()
        {
            while (!_pending.IsEmpty)
            {
                if (Interlocked.CompareExchange(ref _delivering, 1, 0) != 0)
                {
                    return; // the thread delivering will see our change: it checks the queue again before it stops
                }

                try
                {
                    while (_pending.TryDequeue(out CircuitState state))
                    {
                        Tell(state);
                    }
                }
                finally
                {
                    // A full fence, not a release store: the queue is read again below, and that read must not move ahead of
                    // this write, or a change queued meanwhile by a thread that saw us delivering would be left behind.
                    Interlocked.Exchange(ref _delivering, 0);
                }
            }
        }

        private void Tell(CircuitState state)
        {
            SidecarTelemetry.CircuitChanged(_circuit, state);
            foreach (WeakReference<SidecarObserver> watcher in Volatile.Read(ref _watchers))
            {
                if (!watcher.TryGetTarget(out SidecarObserver? observer))
                {
                    continue;
                }

                try
                {
                    observer.OnCircuitStateChanged(_circuit, state);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // One observer's failure must not hide the change from the others, nor change what the circuit does.
                }
            }
        }
    }
}
