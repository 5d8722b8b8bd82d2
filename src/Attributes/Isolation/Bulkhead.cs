using System;
using System.Threading;

namespace Sidecar
{
    /// <summary>
    /// Limits the attempts of one service that run at once (fault isolation: a slow dependency cannot take every
    /// thread of the caller). Lock-free; shared by every decorator of the service through <see cref="CircuitBreakerRegistry"/>.
    /// </summary>
    public sealed class Bulkhead
    {
        private int _running;

        /// <summary>Creates an empty bulkhead.</summary>
        public Bulkhead(string name, int maxConcurrency)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            MaxConcurrency = maxConcurrency > 0
                ? maxConcurrency
                : throw new ArgumentOutOfRangeException(nameof(maxConcurrency), maxConcurrency, "A bulkhead needs room for at least one call.");
        }

        /// <summary>The bulkhead's name (the decorated service).</summary>
        public string Name { get; }

        /// <summary>Attempts allowed to run at once.</summary>
        public int MaxConcurrency { get; }

        /// <summary>Attempts running now.</summary>
        public int Running => Volatile.Read(ref _running);

        /// <summary>Whether every slot is taken (a moment's view: slots come and go).</summary>
        public bool IsFull => Running >= MaxConcurrency;

        /// <summary>Takes a slot; <c>false</c> when all are taken. Every <c>true</c> must be matched by one <see cref="Release"/>.</summary>
        public bool TryEnter()
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

        /// <summary>Gives a slot back.</summary>
        public void Release()
        {
            if (Interlocked.Decrement(ref _running) < 0)
            {
                Interlocked.Increment(ref _running);
                throw new InvalidOperationException("The bulkhead '" + Name + "' was released more often than entered.");
            }
        }
    }
}
