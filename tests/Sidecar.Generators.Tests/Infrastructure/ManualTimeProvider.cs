using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace Sidecar.Generators.Tests.Infrastructure
{
    /// <summary>
    /// A clock the test moves by hand (a stand-in for FakeTimeProvider, which this project's package feed lacks).
    /// Every timer created through it is recorded, so tests can read the delays a sidecar asked for.
    /// With <see cref="AutoAdvance"/> a timer fires as soon as it is created, moving the clock forward by its due time:
    /// retries then run at once while the clock still tells how long they waited.
    /// </summary>
    internal sealed class ManualTimeProvider : TimeProvider
    {
        private readonly object _gate = new();
        private readonly List<ManualTimer> _timers = new();
        private readonly List<TimeSpan> _requestedDelays = new();
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public bool AutoAdvance { get; set; }

        public IReadOnlyList<TimeSpan> RequestedDelays
        {
            get
            {
                lock (_gate)
                {
                    return _requestedDelays.ToList();
                }
            }
        }

        public int PendingTimers
        {
            get
            {
                lock (_gate)
                {
                    return _timers.Count;
                }
            }
        }

        public override DateTimeOffset GetUtcNow()
        {
            lock (_gate)
            {
                return _now;
            }
        }

        public override long GetTimestamp() => GetUtcNow().UtcTicks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by)
        {
            List<ManualTimer> due;
            lock (_gate)
            {
                _now += by;
                due = _timers.Where(t => t.DueAt <= _now).ToList();
                foreach (ManualTimer timer in due)
                {
                    _timers.Remove(timer);
                }
            }

            foreach (ManualTimer timer in due)
            {
                timer.Fire();
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(this, callback, state);
            lock (_gate)
            {
                _requestedDelays.Add(dueTime);
            }

            timer.Change(dueTime, period);
            return timer;
        }

        private void Schedule(ManualTimer timer, TimeSpan dueTime)
        {
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            if (AutoAdvance)
            {
                // Fire on another thread, after the caller has finished wiring the timer up.
                ThreadPool.QueueUserWorkItem(_ =>
                {
                    lock (_gate)
                    {
                        _now += dueTime;
                    }

                    timer.Fire();
                });
                return;
            }

            lock (_gate)
            {
                timer.DueAt = _now + dueTime;
                _timers.Add(timer);
            }
        }

        private void Unschedule(ManualTimer timer)
        {
            lock (_gate)
            {
                _timers.Remove(timer);
            }
        }

        private sealed class ManualTimer : ITimer
        {
            private readonly ManualTimeProvider _owner;
            private readonly TimerCallback _callback;
            private readonly object? _state;
            private int _disposed;

            public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
            {
                _owner = owner;
                _callback = callback;
                _state = state;
            }

            public DateTimeOffset DueAt { get; set; }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                _owner.Unschedule(this);
                _owner.Schedule(this, dueTime);
                return true;
            }

            public void Fire()
            {
                if (Volatile.Read(ref _disposed) == 0)
                {
                    _callback(_state);
                }
            }

            public void Dispose()
            {
                Interlocked.Exchange(ref _disposed, 1);
                _owner.Unschedule(this);
            }

            public System.Threading.Tasks.ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
        }
    }
}
