using System;

namespace Sidecar
{
    /// <summary>
    /// The one place durations are measured: elapsed time on a <see cref="TimeProvider"/>'s timestamp
    /// (<see cref="TimeProvider.GetTimestamp"/>), which only moves forward. The wall clock
    /// (<see cref="TimeProvider.GetUtcNow"/>) can step back or ahead (NTP, a resumed VM) and is read only to tell people
    /// when something will happen, never to decide.
    /// </summary>
    internal sealed class MonotonicClock
    {
        private readonly long _origin;

        public MonotonicClock(TimeProvider? timeProvider)
        {
            TimeProvider = timeProvider ?? TimeProvider.System;
            _origin = TimeProvider.GetTimestamp();
        }

        public TimeProvider TimeProvider { get; }

        /// <summary>Now, as the time elapsed since this clock was created.</summary>
        public MonotonicInstant Now()
        {
            long ticks = TimeProvider.GetElapsedTime(_origin).Ticks;
            return new MonotonicInstant(ticks < 0 ? 0 : ticks);
        }

        /// <summary>The wall-clock time <paramref name="fromNow"/> from now, for messages and telemetry; saturates at the end of time.</summary>
        public DateTimeOffset WallClockIn(TimeSpan fromNow) => WallClockIn(TimeProvider, fromNow);

        /// <summary>The wall-clock time of <paramref name="timeProvider"/> <paramref name="fromNow"/> from now; saturates at the end of time.</summary>
        public static DateTimeOffset WallClockIn(TimeProvider timeProvider, TimeSpan fromNow)
        {
            DateTimeOffset now = timeProvider.GetUtcNow();
            if (fromNow <= TimeSpan.Zero)
            {
                return now;
            }

            return fromNow >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + fromNow;
        }
    }

    /// <summary>A point on one <see cref="MonotonicClock"/>: ticks since the clock was created.</summary>
    internal readonly struct MonotonicInstant
    {
        public MonotonicInstant(long ticks) => Ticks = ticks;

        public long Ticks { get; }

        /// <summary>The time from <paramref name="earlier"/> to this instant (zero if it is not earlier).</summary>
        public TimeSpan Since(MonotonicInstant earlier) => Ticks > earlier.Ticks ? TimeSpan.FromTicks(Ticks - earlier.Ticks) : TimeSpan.Zero;
    }
}
