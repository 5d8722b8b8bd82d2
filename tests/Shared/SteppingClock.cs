using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;

namespace Sidecar.Testing
{
    /// <summary>
    /// A <see cref="FakeTimeProvider"/> whose wall clock can also step on its own, back or ahead, as a real machine's does
    /// (NTP corrections, a resumed VM), while its monotonic timestamp only moves with <see cref="Advance"/>. Counts the
    /// timers created through it and those disposed, so a test can prove none is left behind, and keeps the due time of
    /// every timer armed, so a test can read the delays a sidecar asked for.
    /// </summary>
    /// <remarks>
    /// With <see cref="AutoAdvance"/> a timer fires soon after it is armed, time moving forward by its due time: retries
    /// then run at once while the clock still tells how long they waited. Timeouts fire the same way, so a test that
    /// auto-advances has no per-attempt timeout.
    /// </remarks>
    internal sealed class SteppingClock : TimeProvider
    {
        private readonly FakeTimeProvider _fake;
        private long _wallOffsetTicks;
        private int _timersCreated;
        private int _timersDisposed;
        private int _timersPending;
        private readonly System.Collections.Generic.List<TimeSpan> _requestedDelays = new();

        public SteppingClock()
            : this(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero))
        {
        }

        public SteppingClock(DateTimeOffset start) => _fake = new FakeTimeProvider(start);

        public int TimersCreated => Volatile.Read(ref _timersCreated);

        public int TimersDisposed => Volatile.Read(ref _timersDisposed);

        /// <summary>Timers armed that have neither fired (one-shot) nor been disposed.</summary>
        public int PendingTimers => Volatile.Read(ref _timersPending);

        /// <summary>Fires every timer once it is armed, moving time forward by its due time (on a thread-pool thread).</summary>
        public bool AutoAdvance { get; set; }

        /// <summary>The due time of every timer armed through this clock, in the order they were armed.</summary>
        public System.Collections.Generic.IReadOnlyList<TimeSpan> RequestedDelays
        {
            get
            {
                lock (_requestedDelays)
                {
                    return _requestedDelays.ToArray();
                }
            }
        }

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override long TimestampFrequency => _fake.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _wallOffsetTicks));

        public override long GetTimestamp() => _fake.GetTimestamp();

        /// <summary>Moves time forward — wall clock and timestamp together — firing the timers due on the way.</summary>
        public void Advance(TimeSpan by) => _fake.Advance(by);

        /// <summary>
        /// Moves time forward to <paramref name="instant"/> (as the wall clock would read without steps); does nothing when
        /// time is already there or past it, since monotonic time never goes back (threads racing to the same instant).
        /// </summary>
        public void MoveTo(DateTimeOffset instant)
        {
            lock (_fake)
            {
                TimeSpan by = instant - _fake.GetUtcNow();
                if (by > TimeSpan.Zero)
                {
                    _fake.Advance(by);
                }
            }
        }

        /// <summary>Steps the wall clock alone by <paramref name="by"/> (negative: back); the timestamp does not move.</summary>
        public void StepWallClock(TimeSpan by) => Interlocked.Add(ref _wallOffsetTicks, by.Ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timersCreated);
            var counted = new CountedTimer(this, callback);
            counted.Start(_fake, state, dueTime, period);
            return counted;
        }

        private void Armed(TimeSpan dueTime)
        {
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            lock (_requestedDelays)
            {
                _requestedDelays.Add(dueTime);
            }

            if (AutoAdvance)
            {
                // The timer is armed: move time to when it is due, which fires it, after the caller has finished wiring it up.
                DateTimeOffset due = _fake.GetUtcNow() + dueTime;
                ThreadPool.UnsafeQueueUserWorkItem(_ => MoveTo(due), null);
            }
        }

        private sealed class CountedTimer : ITimer
        {
            private readonly SteppingClock _owner;
            private readonly TimerCallback _callback;
            private ITimer? _timer;
            private int _disposed;
            private int _armed;
            private bool _periodic;

            public CountedTimer(SteppingClock owner, TimerCallback callback)
            {
                _owner = owner;
                _callback = callback;
            }

            public void Start(FakeTimeProvider fake, object? state, TimeSpan dueTime, TimeSpan period)
            {
                Arm(dueTime, period);
                _timer = fake.CreateTimer(Fire, state, dueTime, period);
                _owner.Armed(dueTime);
            }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                Arm(dueTime, period);
                bool changed = _timer!.Change(dueTime, period);
                _owner.Armed(dueTime);
                return changed;
            }

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    Interlocked.Increment(ref _owner._timersDisposed);
                    Disarm();
                }

                _timer?.Dispose();
            }

            private void Fire(object? state)
            {
                if (!_periodic)
                {
                    Disarm();
                }

                _callback(state);
            }

            private void Arm(TimeSpan dueTime, TimeSpan period)
            {

                _periodic = period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan;
                bool armed = dueTime != Timeout.InfiniteTimeSpan;
                if (armed && Interlocked.Exchange(ref _armed, 1) == 0)
                {
                    Interlocked.Increment(ref _owner._timersPending);
                }
                else if (!armed)
                {
                    Disarm();
                }
            }

            private void Disarm()
            {
                if (Interlocked.Exchange(ref _armed, 0) == 1)
                {
                    Interlocked.Decrement(ref _owner._timersPending);
                }
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
        }
    }
}
