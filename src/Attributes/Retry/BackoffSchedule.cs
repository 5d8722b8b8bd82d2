using System;

namespace Sidecar
{
    /// <summary>The delay before each retry: pure arithmetic, apart from the strategy that uses it.</summary>
    public static class BackoffSchedule
    {
        /// <summary>
        /// The delay before retry number <paramref name="retry"/> (1 for the first retry).
        /// </summary>
        /// <param name="backoff">Delay growth.</param>
        /// <param name="baseDelay">Delay before the first retry.</param>
        /// <param name="retry">1-based retry number.</param>
        /// <param name="maxDelay">Cap of the result; <see cref="TimeSpan.Zero"/> means no cap.</param>
        /// <param name="jitter">A number in [0, 1) that spreads the delay by ±<see cref="SidecarDefaults.JitterSpread"/>; <c>null</c> for none.</param>
        public static TimeSpan DelayFor(Backoff backoff, TimeSpan baseDelay, int retry, TimeSpan maxDelay, double? jitter = null)
        {
            if (retry < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(retry), retry, "Retries are numbered from 1.");
            }

            double ticks = baseDelay.Ticks;
            switch (backoff)
            {
                case Backoff.Linear:
                    ticks *= retry;
                    break;
                case Backoff.Exponential:
                    // 2^(retry-1) overflows long ticks quickly: stay in double and let the cap below decide.
                    ticks *= Math.Pow(2, Math.Min(retry - 1, 1023));
                    break;
            }

            if (jitter is double r)
            {
                ticks *= 1 - SidecarDefaults.JitterSpread + (2 * SidecarDefaults.JitterSpread * r);
            }

            if (maxDelay > TimeSpan.Zero && ticks >= maxDelay.Ticks)
            {
                return maxDelay;
            }

            // (double)long.MaxValue rounds up to 2^63, and before .NET 9 (long) of that is long.MinValue on x86/x64:
            // saturate by hand so an uncapped delay never wraps round to a negative one.
            return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
        }
    
        /// <summary>
        /// Decorrelated jitter (the "decorrelated" strategy of the AWS Architecture Blog's backoff study): a delay drawn
        /// between <paramref name="baseDelay"/> and three times the <paramref name="previous"/> one, capped. Consecutive
        /// delays grow about as fast as exponential backoff on average but are not in step across clients.
        /// </summary>
        /// <param name="baseDelay">The smallest delay (the attribute's <c>Delay</c>).</param>
        /// <param name="previous">The call's previous delay; <see cref="TimeSpan.Zero"/> before the first retry.</param>
        /// <param name="maxDelay">Cap of the result; <see cref="TimeSpan.Zero"/> means no cap.</param>
        /// <param name="random">A number in [0, 1).</param>
        public static TimeSpan DecorrelatedJitter(TimeSpan baseDelay, TimeSpan previous, TimeSpan maxDelay, double random)
        {
            double low = baseDelay.Ticks;
            double high = Math.Max(low, 3.0 * Math.Max(previous.Ticks, baseDelay.Ticks));
            double ticks = low + ((high - low) * Math.Min(Math.Max(random, 0), 1));
            if (maxDelay > TimeSpan.Zero && ticks >= maxDelay.Ticks)
            {
                return maxDelay;
            }

            return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
        }
    }
}
