using System;
using System.Threading;

namespace Sidecar.Benchmarks.Contenders
{
    /// <summary>
    /// The breaker a careful person writes by hand: opens after a number of failures in a row, lets calls through again
    /// once the break is over, and opens again at once if the first of them fails. Lock-free; the happy path reads two fields.
    /// </summary>
    public sealed class SimpleCircuitBreaker
    {
        private readonly int _threshold;
        private readonly TimeSpan _breakDuration;
        private readonly TimeProvider _time;
        private int _failures;
        private long _openUntilTicks; // UTC ticks; 0 while closed

        /// <summary>Creates a closed breaker.</summary>
        public SimpleCircuitBreaker(int threshold, TimeSpan breakDuration, TimeProvider? time = null)
        {
            _threshold = threshold;
            _breakDuration = breakDuration;
            _time = time ?? TimeProvider.System;
        }

        /// <summary>Whether the circuit is closed (no break in progress or just over).</summary>
        public bool IsClosed => Volatile.Read(ref _openUntilTicks) == 0;

        /// <summary>Throws <see cref="CircuitOpenException"/> while a break is in progress.</summary>
        public void ThrowIfOpen()
        {
            long openUntil = Volatile.Read(ref _openUntilTicks);
            if (openUntil != 0 && _time.GetUtcNow().UtcTicks < openUntil)
            {
                throw new CircuitOpenException(new DateTimeOffset(openUntil, TimeSpan.Zero));
            }
        }

        /// <summary>Records a success: forgets past failures and closes the circuit.</summary>
        public void OnSuccess()
        {
            if (Volatile.Read(ref _failures) != 0 || Volatile.Read(ref _openUntilTicks) != 0)
            {
                Volatile.Write(ref _failures, 0);
                Volatile.Write(ref _openUntilTicks, 0);
            }
        }

        /// <summary>Records a failed attempt: opens the circuit at the threshold, or again after a failed probe.</summary>
        public void OnFailure()
        {
            if (Volatile.Read(ref _openUntilTicks) != 0 || Interlocked.Increment(ref _failures) >= _threshold)
            {
                Volatile.Write(ref _failures, 0);
                Volatile.Write(ref _openUntilTicks, (_time.GetUtcNow() + _breakDuration).UtcTicks);
            }
        }
    }

    /// <summary>Thrown by <see cref="SimpleCircuitBreaker"/> while the circuit is open.</summary>
    public sealed class CircuitOpenException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public CircuitOpenException(DateTimeOffset retryAt)
            : base("The circuit is open: the call was not made.")
        {
            RetryAt = retryAt;
        }

        /// <summary>When calls will be let through again.</summary>
        public DateTimeOffset RetryAt { get; }
    }
}
