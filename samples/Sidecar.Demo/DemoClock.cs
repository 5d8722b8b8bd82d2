using System;
using System.Threading;
using System.Threading.Tasks;

namespace SidecarDemo
{
    /// <summary>
    /// A clock that moves only when told, so the demo runs in an instant and prints the same every time.
    /// A backoff delay ends at once and moves the clock forward by its length.
    /// </summary>
    public sealed class DemoClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        // Durations (the circuit's break, its sampling windows) are measured on the timestamp, not the wall clock: a clock
        // of your own overrides both.
        public override long GetTimestamp() => _now.UtcTicks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by) => _now += by;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _now += dueTime;
            callback(state);
            return new FiredTimer();
        }

        private sealed class FiredTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => default;
        }
    }
}
