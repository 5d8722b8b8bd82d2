using System;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class BackoffScheduleTests
    {
        private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(7)]
        public void Constant_waits_the_base_delay_every_time(int retry)
        {
            Assert.Equal(Base, BackoffSchedule.DelayFor(Backoff.Constant, Base, retry, TimeSpan.Zero));
        }

        [Theory]
        [InlineData(1, 100)]
        [InlineData(2, 200)]
        [InlineData(3, 300)]
        [InlineData(10, 1_000)]
        public void Linear_waits_delay_times_retry_number(int retry, int expectedMs)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), BackoffSchedule.DelayFor(Backoff.Linear, Base, retry, TimeSpan.Zero));
        }

        [Theory]
        [InlineData(1, 100)]
        [InlineData(2, 200)]
        [InlineData(3, 400)]
        [InlineData(4, 800)]
        [InlineData(11, 102_400)]
        public void Exponential_doubles_from_the_base_delay(int retry, int expectedMs)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), BackoffSchedule.DelayFor(Backoff.Exponential, Base, retry, TimeSpan.Zero));
        }

        [Theory]
        [InlineData(Backoff.Linear, 50)]
        [InlineData(Backoff.Exponential, 5)]
        public void MaxDelay_caps_the_delay(Backoff backoff, int retry)
        {
            TimeSpan cap = TimeSpan.FromMilliseconds(1_000);

            Assert.Equal(cap, BackoffSchedule.DelayFor(backoff, Base, retry, cap));
        }

        [Fact]
        public void MaxDelay_leaves_delays_below_it_alone()
        {
            Assert.Equal(TimeSpan.FromMilliseconds(400), BackoffSchedule.DelayFor(Backoff.Exponential, Base, 3, TimeSpan.FromMilliseconds(1_000)));
        }

        [Fact]
        public void MaxDelay_of_zero_means_no_cap()
        {
            // 100 ms × 2^19: far beyond any sensible cap, and exact.
            TimeSpan delay = BackoffSchedule.DelayFor(Backoff.Exponential, Base, 20, TimeSpan.Zero);

            Assert.Equal(TimeSpan.FromMilliseconds(100L << 19), delay);
        }

        [Theory]
        [InlineData(Backoff.Linear, 64)]
        [InlineData(Backoff.Exponential, 64)]
        [InlineData(Backoff.Exponential, 1_024)]
        [InlineData(Backoff.Exponential, 1_025)]
        [InlineData(Backoff.Exponential, int.MaxValue)]
        public void Huge_retry_numbers_do_not_overflow_when_capped(Backoff backoff, int retry)
        {
            TimeSpan cap = TimeSpan.FromSeconds(30);

            Assert.Equal(cap, BackoffSchedule.DelayFor(backoff, TimeSpan.FromDays(1_000), retry, cap));
        }

        [Theory]
        [InlineData(Backoff.Linear, int.MaxValue)]
        [InlineData(Backoff.Exponential, 64)]
        [InlineData(Backoff.Exponential, 1_025)]
        [InlineData(Backoff.Exponential, int.MaxValue)]
        public void Huge_retry_numbers_saturate_at_the_largest_TimeSpan_without_a_cap(Backoff backoff, int retry)
        {
            // Never negative: a wrapped-around delay would mean "retry at once" instead of "wait very long".
            Assert.Equal(TimeSpan.MaxValue, BackoffSchedule.DelayFor(backoff, TimeSpan.FromDays(1_000), retry, TimeSpan.Zero));
        }

        [Theory]
        [InlineData(0.0, 75.0)]
        [InlineData(0.5, 100.0)]
        [InlineData(0.75, 112.5)]
        public void Jitter_spreads_the_delay_by_a_quarter_either_way(double random, double expectedMs)
        {
            TimeSpan delay = BackoffSchedule.DelayFor(Backoff.Constant, Base, 1, TimeSpan.Zero, random);

            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
        }

        [Fact]
        public void Jitter_stays_within_the_bounds_for_any_random_number()
        {
            TimeSpan low = TimeSpan.FromMilliseconds(400 * (1 - SidecarDefaults.JitterSpread));
            TimeSpan high = TimeSpan.FromMilliseconds(400 * (1 + SidecarDefaults.JitterSpread));
            var seen = new System.Collections.Generic.HashSet<TimeSpan>();
            var random = new Random(1234);
            for (int i = 0; i < 1_000; i++)
            {
                TimeSpan delay = BackoffSchedule.DelayFor(Backoff.Exponential, Base, 3, TimeSpan.Zero, random.NextDouble());

                Assert.InRange(delay, low, high);
                seen.Add(delay);
            }

            Assert.Equal(0.25, SidecarDefaults.JitterSpread);
            Assert.True(seen.Count > 100, "jitter should actually spread the delays");
        }

        [Fact]
        public void Jitter_never_exceeds_the_cap()
        {
            TimeSpan cap = TimeSpan.FromMilliseconds(110);

            Assert.Equal(cap, BackoffSchedule.DelayFor(Backoff.Constant, Base, 1, cap, 0.999));
        }

        [Theory]
        [InlineData(0.0, 400, 100.0)]            // random 0: the base delay
        [InlineData(0.5, 400, 650.0)]            // halfway between 100 and 3 × 400
        [InlineData(0.25, 0, 150.0)]             // no previous delay: grows from the base, up to 3 × 100
        [InlineData(0.5, 50, 200.0)]             // a previous delay below the base counts as the base
        [InlineData(1.0, 400, 1_200.0)]          // the top of the range
        public void Decorrelated_jitter_is_uniform_between_the_base_and_three_times_the_previous_delay(double random, int previousMs, double expectedMs)
        {
            TimeSpan delay = BackoffSchedule.DecorrelatedJitter(Base, TimeSpan.FromMilliseconds(previousMs), TimeSpan.Zero, random);

            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
        }

        [Fact]
        public void Decorrelated_jitter_just_below_one_stays_just_below_three_times_the_previous_delay()
        {
            TimeSpan previous = TimeSpan.FromMilliseconds(400);

            TimeSpan delay = BackoffSchedule.DecorrelatedJitter(Base, previous, TimeSpan.Zero, 0.9999999);

            Assert.InRange(delay, TimeSpan.FromMilliseconds(1_199.99), 3 * previous);
            Assert.True(delay < 3 * previous);
        }

        [Fact]
        public void Decorrelated_jitter_of_zero_previous_is_the_same_as_a_previous_of_the_base_delay()
        {
            for (double random = 0; random < 1; random += 0.125)
            {
                Assert.Equal(
                    BackoffSchedule.DecorrelatedJitter(Base, Base, TimeSpan.Zero, random),
                    BackoffSchedule.DecorrelatedJitter(Base, TimeSpan.Zero, TimeSpan.Zero, random));
            }
        }

        [Theory]
        [InlineData(0.5, 400, 500, 500.0)]   // 650 capped
        [InlineData(0.999, 400, 1_000, 1_000.0)]
        [InlineData(0.1, 400, 500, 210.0)]   // below the cap: untouched
        public void Decorrelated_jitter_never_exceeds_the_cap(double random, int previousMs, int capMs, double expectedMs)
        {
            TimeSpan delay = BackoffSchedule.DecorrelatedJitter(Base, TimeSpan.FromMilliseconds(previousMs), TimeSpan.FromMilliseconds(capMs), random);

            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
        }

        [Theory]
        [InlineData(-0.5, 100.0)]
        [InlineData(1.5, 900.0)]
        public void Decorrelated_jitter_clamps_a_random_number_outside_zero_to_one(double random, double expectedMs)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), BackoffSchedule.DecorrelatedJitter(Base, TimeSpan.FromMilliseconds(300), TimeSpan.Zero, random));
        }

        [Fact]
        public void Decorrelated_jitter_saturates_instead_of_overflowing()
        {
            Assert.Equal(TimeSpan.MaxValue, BackoffSchedule.DecorrelatedJitter(Base, TimeSpan.MaxValue, TimeSpan.Zero, 1.0));
            Assert.Equal(TimeSpan.FromSeconds(30), BackoffSchedule.DecorrelatedJitter(Base, TimeSpan.MaxValue, TimeSpan.FromSeconds(30), 0.5));
        }

        [Fact]
        public void Decorrelated_jitter_stays_in_range_for_any_random_number()
        {
            var random = new Random(42);
            TimeSpan cap = TimeSpan.FromSeconds(2);
            TimeSpan previous = TimeSpan.Zero;
            var seen = new System.Collections.Generic.HashSet<TimeSpan>();
            for (int i = 0; i < 1_000; i++)
            {
                TimeSpan delay = BackoffSchedule.DecorrelatedJitter(Base, previous, cap, random.NextDouble());

                Assert.InRange(delay, Base, cap);
                Assert.True(delay <= 3 * (previous > Base ? previous : Base), $"{delay} after {previous}");
                seen.Add(delay);
                previous = delay;
            }

            Assert.True(seen.Count > 100, "the delays should actually spread");
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        [InlineData(int.MinValue)]
        public void Retry_numbers_start_at_one(int retry)
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BackoffSchedule.DelayFor(Backoff.Constant, Base, retry, TimeSpan.Zero));

            Assert.Equal("retry", ex.ParamName);
        }
    }
}
