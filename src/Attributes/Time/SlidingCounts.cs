using System;
using System.Threading;

namespace Sidecar
{
    /// <summary>
    /// Two or three counts over a sliding window of ten buckets (the window moves a tenth of its span at a time): attempts,
    /// failures and slow attempts for the failure-ratio and slow-call breaker, calls and retries for the retry budget. Adding is lock-free unless a bucket
    /// must be started afresh; callers that need a count and an addition to agree take their own lock around both.
    /// Time is the monotonic clock's (<see cref="MonotonicClock"/>): a wall-clock step cannot move the window.
    /// </summary>
    internal sealed class SlidingCounts
    {
        private const int Buckets = 10;

        private readonly object _rotation = new();
        private readonly long _bucketTicks;
        private readonly Slot[] _slots = new Slot[Buckets];

        public SlidingCounts(TimeSpan span) => _bucketTicks = Math.Max(1, span.Ticks / Buckets);

        /// <summary>Adds to the bucket the instant <paramref name="now"/> falls in.</summary>
        public void Add(MonotonicInstant now, int first, int second) => Add(now, first, second, 0);

        /// <summary>Adds to the bucket the instant <paramref name="now"/> falls in, the third count too.</summary>
        public void Add(MonotonicInstant now, int first, int second, int third)
        {
            long bucket = now.Ticks / _bucketTicks;
            ref Slot slot = ref _slots[(int)(bucket % Buckets)];
            if (Volatile.Read(ref slot.Bucket) != bucket)
            {
                Rotate(ref slot, bucket);
            }

            if (first != 0)
            {
                Interlocked.Add(ref slot.First, first);
            }

            if (second != 0)
            {
                Interlocked.Add(ref slot.Second, second);
            }

            if (third != 0)
            {
                Interlocked.Add(ref slot.Third, third);
            }
        }

        /// <summary>The counts of the bucket the instant <paramref name="now"/> falls in and the nine before it.</summary>
        public (long First, long Second) Sum(MonotonicInstant now)
        {
            (long first, long second, _) = Sum3(now);
            return (first, second);
        }

        /// <summary>The three counts of the bucket the instant <paramref name="now"/> falls in and the nine before it.</summary>
        public (long First, long Second, long Third) Sum3(MonotonicInstant now)
        {
            long bucket = now.Ticks / _bucketTicks;
            long first = 0;
            long second = 0;
            long third = 0;
            for (int i = 0; i < Buckets; i++)
            {
                long b = Volatile.Read(ref _slots[i].Bucket);
                if (b > bucket - Buckets && b <= bucket)
                {
                    first += Volatile.Read(ref _slots[i].First);
                    second += Volatile.Read(ref _slots[i].Second);
                    third += Volatile.Read(ref _slots[i].Third);
                }
            }

            return (first, second, third);
        }

        /// <summary>Forgets everything.</summary>
        public void Clear()
        {
            lock (_rotation)
            {
                Array.Clear(_slots, 0, _slots.Length);
            }
        }

        private void Rotate(ref Slot slot, long bucket)
        {
            lock (_rotation)
            {
                if (slot.Bucket >= bucket)
                {
                    return; // another thread got here first
                }

                Volatile.Write(ref slot.First, 0);
                Volatile.Write(ref slot.Second, 0);
                Volatile.Write(ref slot.Third, 0);
                Volatile.Write(ref slot.Bucket, bucket);
            }
        }

        private struct Slot
        {
            public long Bucket;
            public int First;
            public int Second;
            public int Third;
        }
    }
}
