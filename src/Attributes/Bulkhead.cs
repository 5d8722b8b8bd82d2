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

        /// <summary>Takes a slot; <c>false</c> when all are taken. Every <c>true</c> must be matched by one <see cref="Release"/>.</summary>
        public bool TryEnter()
        {
            if (Interlocked.Increment(ref _running) <= MaxConcurrency)
            {
                return true;
            }

            Interlocked.Decrement(ref _running);
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
