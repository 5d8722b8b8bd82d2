using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar
{
    /// <summary>
    /// Limits the attempts of one service that run at once (fault isolation: a slow dependency cannot take every
    /// thread of the caller), with an optional queue of asynchronous callers that wait, in order, for a slot
    /// (<see cref="SidecarAttribute.MaxQueue"/>). Taking a free slot is lock-free and allocates nothing; only waiting takes
    /// the lock. Shared by every decorator of the service through <see cref="CircuitBreakerRegistry"/>.
    /// </summary>
    public sealed class Bulkhead
    {
        private static readonly Task<bool> s_entered = Task.FromResult(true);
        private static readonly Task<bool> s_refused = Task.FromResult(false);

        private readonly LinkedList<TaskCompletionSource<bool>> _waiters = new();
        private readonly object _gate = new();
        private int _running;
        private int _queued; // _waiters.Count, readable without the lock

        /// <summary>Creates an empty bulkhead without a queue.</summary>
        public Bulkhead(string name, int maxConcurrency)
            : this(name, maxConcurrency, 0)
        {
        }

        /// <summary>Creates an empty bulkhead whose queue holds up to <paramref name="maxQueue"/> waiting callers.</summary>
        public Bulkhead(string name, int maxConcurrency, int maxQueue)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            MaxConcurrency = maxConcurrency > 0
                ? maxConcurrency
                : throw new ArgumentOutOfRangeException(nameof(maxConcurrency), maxConcurrency, "A bulkhead needs room for at least one call.");
            MaxQueue = maxQueue >= 0 ? maxQueue : throw new ArgumentOutOfRangeException(nameof(maxQueue), maxQueue, "A queue cannot be shorter than zero.");
        }

        /// <summary>The bulkhead's name (the decorated service).</summary>
        public string Name { get; }

        /// <summary>Attempts allowed to run at once.</summary>
        public int MaxConcurrency { get; }

        /// <summary>Callers allowed to wait for a slot (0: none wait; a full bulkhead refuses at once).</summary>
        public int MaxQueue { get; }

        /// <summary>Attempts running now.</summary>
        public int Running => Volatile.Read(ref _running);

        /// <summary>Callers waiting for a slot now.</summary>
        public int Queued => Volatile.Read(ref _queued);

        /// <summary>Whether every slot is taken (a moment's view: slots come and go).</summary>
        public bool IsFull => Running >= MaxConcurrency;

        /// <summary>Whether a caller that finds every slot taken would be refused rather than queued (a moment's view).</summary>
        public bool WouldRefuse => IsFull && Queued >= MaxQueue;

        /// <summary>
        /// Takes a slot; <c>false</c> when all are taken, or when callers are queued for one (they go first). Every
        /// <c>true</c> must be matched by one <see cref="Release"/>.
        /// </summary>
        public bool TryEnter() => Volatile.Read(ref _queued) == 0 && TryTakeSlot();

        /// <summary>
        /// Takes a slot, waiting in the queue for one when every slot is taken and the queue has room: <c>true</c> once the
        /// caller holds a slot (to be given back with <see cref="Release"/>), <c>false</c> at once when the queue is full.
        /// The caller's cancellation takes it out of the queue (the task is then cancelled). Completes synchronously, and
        /// allocates nothing, when a slot is free.
        /// </summary>
        public Task<bool> EnterAsync(CancellationToken cancellationToken)
        {
            if (TryEnter())
            {
                return s_entered;
            }

            if (MaxQueue == 0)
            {
                return s_refused;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled<bool>(cancellationToken);
            }

            var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            LinkedListNode<TaskCompletionSource<bool>> node;
            lock (_gate)
            {
                if (_waiters.Count >= MaxQueue)
                {
                    return s_refused;
                }

                node = _waiters.AddLast(waiter);
                Interlocked.Exchange(ref _queued, _waiters.Count); // a full fence: Running is read after it, below

                // A slot may have been given back between TryEnter and the queueing: hand it out now, in order.
                HandOutFreeSlots();
            }

            if (waiter.Task.IsCompleted || !cancellationToken.CanBeCanceled)
            {
                return waiter.Task;
            }

            return WaitInQueue(node, cancellationToken);
        }

        /// <summary>Gives a slot back: to the first caller still waiting in the queue, if any, else to the bulkhead.</summary>
        public void Release()
        {
            if (Volatile.Read(ref _queued) > 0)
            {
                lock (_gate)
                {
                    while (_waiters.First is { } first)
                    {
                        Dequeue(first);
                        if (first.Value.TrySetResult(true))
                        {
                            return; // the slot goes straight to the waiter: Running is unchanged
                        }
                    }
                }
            }

            if (Interlocked.Decrement(ref _running) < 0)
            {
                Interlocked.Increment(ref _running);
                throw new InvalidOperationException("The bulkhead '" + Name + "' was released more often than entered.");
            }

            // A caller may have queued after the check above, having found the slot still taken.
            if (Volatile.Read(ref _queued) > 0)
            {
                lock (_gate)
                {
                    HandOutFreeSlots();
                }
            }
        }

        private async Task<bool> WaitInQueue(LinkedListNode<TaskCompletionSource<bool>> node, CancellationToken cancellationToken)
        {
            // The token may fire just as the slot is handed over: then the caller holds the slot (and gives it back later).
            CancellationTokenRegistration registration = cancellationToken.Register(
                static state => ((Bulkhead)((object[])state!)[0]).Leave((LinkedListNode<TaskCompletionSource<bool>>)((object[])state!)[1]),
                new object[] { this, node });
            try
            {
                return await node.Value.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            finally
            {
#if NET8_0_OR_GREATER
                registration.Unregister(); // never waits for a callback that is running (it may be what woke us)
#else
                registration.Dispose();
#endif
            }
        }

        // The caller's cancellation: out of the queue, unless it was just handed a slot.
        private void Leave(LinkedListNode<TaskCompletionSource<bool>> node)
        {
            lock (_gate)
            {
                if (node.List is null)
                {
                    return; // already served
                }

                Dequeue(node);
            }

            node.Value.TrySetCanceled();
        }

        // Under the lock.
        private void HandOutFreeSlots()
        {
            while (_waiters.First is { } first && TryTakeSlot())
            {
                Dequeue(first);
                if (!first.Value.TrySetResult(true))
                {
                    Interlocked.Decrement(ref _running); // it left the queue meanwhile
                }
            }
        }

        // Under the lock.
        private void Dequeue(LinkedListNode<TaskCompletionSource<bool>> node)
        {
            _waiters.Remove(node);
            Interlocked.Exchange(ref _queued, _waiters.Count);
        }

        private bool TryTakeSlot()
        {
            // Compare-and-swap, not increment-then-undo: a refused caller must not push Running past MaxConcurrency even
            // for a moment, or a concurrent caller would be refused while a slot is free (and Running would overstate).
            int running = Volatile.Read(ref _running);
            while (running < MaxConcurrency)
            {
                int seen = Interlocked.CompareExchange(ref _running, running + 1, running);
                if (seen == running)
                {
                    return true;
                }

                running = seen;
            }

            return false;
        }
    }
}
