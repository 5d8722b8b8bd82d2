using System;
using System.Collections.Generic;
using System.Threading;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>The test clock is itself tested: every timing test above relies on it.</summary>
    public sealed class ManualTimeProviderTests
    {
        [Fact]
        public void The_clock_moves_only_when_advanced()
        {
            var time = new ManualTimeProvider();
            DateTimeOffset start = time.GetUtcNow();

            time.Advance(TimeSpan.FromSeconds(3));

            Assert.Equal(ManualTimeProvider.DefaultStart, start);
            Assert.Equal(start.AddSeconds(3), time.GetUtcNow());
            Assert.Throws<ArgumentOutOfRangeException>(() => time.Advance(TimeSpan.FromTicks(-1)));
        }

        [Fact]
        public void A_timer_fires_at_its_due_time_and_sees_that_time()
        {
            var time = new ManualTimeProvider();
            var fired = new List<DateTimeOffset>();
            using ITimer timer = time.CreateTimer(_ => fired.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Empty(fired);
            time.Advance(TimeSpan.FromSeconds(5));

            Assert.Equal(new[] { ManualTimeProvider.DefaultStart.AddSeconds(2) }, fired);
            Assert.Equal(ManualTimeProvider.DefaultStart.AddSeconds(6), time.GetUtcNow());
        }

        [Fact]
        public void A_periodic_timer_fires_once_per_period()
        {
            var time = new ManualTimeProvider();
            int fired = 0;
            using ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

            time.Advance(TimeSpan.FromSeconds(3.5));

            Assert.Equal(3, fired);
        }

        [Fact]
        public void Change_reschedules_and_Dispose_stops_a_timer()
        {
            var time = new ManualTimeProvider();
            int fired = 0;
            ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

            Assert.True(timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan));
            time.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(0, fired);

            timer.Dispose();
            time.Advance(TimeSpan.FromSeconds(10));

            Assert.Equal(0, fired);
            Assert.Equal(0, time.PendingTimers);
            Assert.False(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }

        [Fact]
        public void A_zero_due_time_fires_at_once()
        {
            var time = new ManualTimeProvider();
            int fired = 0;

            using ITimer timer = time.CreateTimer(_ => fired++, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);

            Assert.Equal(1, fired);
        }
    }
}
