using System;
using System.Collections.Generic;
using System.Threading;

namespace Sidecar.Runtime.Tests
{
    /// <summary>
    /// A clock that only moves when a test says so. Timers created through <see cref="CreateTimer"/> fire, on the
    /// thread that moves the clock, once their due time is reached.
    /// </summary>
    internal sealed class ManualTimeProvider : TimeProvider
    {
        public static readonly DateTimeOffset DefaultStart = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

        private readonly object _gate = new();
        private readonly List<ManualTimer> _timers = new();
        private DateTimeOffset _now;

        public ManualTimeProvider()
            : this(DefaultStart)
        {
        }

        public ManualTimeProvider(DateTimeOffset start) => _now = start;

        /// <summary>Timers that are armed and have not fired yet.</summary>
        public int PendingTimers
        {
            get
            {
                lock (_gate)
                {
                    return _timers.FindAll(t => t.Due is not null).Count;
                }
            }
        }

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow()
        {
            lock (_gate)
            {
                return _now;
            }
        }

        public override long GetTimestamp() => GetUtcNow().UtcTicks;

        /// <summary>Moves the clock to <paramref name="value"/> (never backwards), firing every timer due on the way.</summary>
        public void SetUtcNow(DateTimeOffset value) => Advance(value - GetUtcNow());

        /// <summary>Moves the clock forward by <paramref name="by"/>, firing every timer due on the way, in due order.</summary>
        public void Advance(TimeSpan by)
        {
            if (by < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(by), by, "Time does not go backwards.");
            }

            DateTimeOffset target;
            lock (_gate)
            {
                target = _now + by;
            }

            while (true)
            {
                ManualTimer? next;
                lock (_gate)
                {
                    next = EarliestDue(target);
                    if (next is null)
                    {
                        _now = target;
                        return;
                    }

                    // Callbacks see the clock at their own due time, as they would with a real clock.
                    _now = next.Due!.Value;
                    next.Reschedule();
                }

                next.Fire();
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (callback is null)
            {
                throw new ArgumentNullException(nameof(callback));
            }

            var timer = new ManualTimer(this, callback, state);
            lock (_gate)
            {
                _timers.Add(timer);
            }

            timer.Change(dueTime, period);
            return timer;
        }

        private ManualTimer? EarliestDue(DateTimeOffset limit)
        {
            ManualTimer? earliest = null;
            foreach (ManualTimer timer in _timers)
            {
                if (timer.Due is DateTimeOffset due && due <= limit && (earliest is null || due < earliest.Due))
                {
                    earliest = timer;
                }
            }

            return earliest;
        }

        /// <summary>Fires the timers already due without moving the clock (a zero due time fires at once).</summary>
        private void FireDue()
        {
            while (true)
            {
                ManualTimer? next;
                lock (_gate)
                {
                    next = EarliestDue(_now);
                    if (next is null)
                    {
                        return;
                    }

                    next.Reschedule();
                }

                next.Fire();
            }
        }

        private sealed class ManualTimer : ITimer
        {
            private readonly ManualTimeProvider _owner;
            private readonly TimerCallback _callback;
            private readonly object? _state;
            private TimeSpan _period = Timeout.InfiniteTimeSpan;

            public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
            {
                _owner = owner;
                _callback = callback;
                _state = state;
            }

            /// <summary>When the timer fires next; <c>null</c> when disarmed. Guarded by the owner's lock.</summary>
            public DateTimeOffset? Due { get; private set; }

            public bool Disposed { get; private set; }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
                {
                    throw new ArgumentOutOfRangeException(nameof(dueTime));
                }

                if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
                {
                    throw new ArgumentOutOfRangeException(nameof(period));
                }

                lock (_owner._gate)
                {
                    if (Disposed)
                    {
                        return false;
                    }

                    _period = period;
                    Due = dueTime == Timeout.InfiniteTimeSpan ? null : _owner._now + dueTime;
                }

                _owner.FireDue();
                return true;
            }

            /// <summary>Called under the owner's lock just before firing: re-arms a periodic timer, disarms a one-shot.</summary>
            public void Reschedule()
                => Due = _period > TimeSpan.Zero ? Due + _period : null;

            public void Fire() => _callback(_state);

            public void Dispose()
            {
                lock (_owner._gate)
                {
                    Disposed = true;
                    Due = null;
                    _owner._timers.Remove(this);
                }
            }

            public System.Threading.Tasks.ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
        }
    }
}
