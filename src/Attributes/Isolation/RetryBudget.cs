using System;

namespace Sidecar
{
    /// <summary>
    /// A retry budget in the manner of Finagle and Envoy: over a sliding <see cref="Window"/>, the retries of one service
    /// may not exceed <see cref="Ratio"/> × its calls plus <see cref="MinRetriesPerSecond"/> × the window's seconds, so a
    /// failing dependency sees at most that much extra load however many callers retry. Shared by every decorator of the
    /// service through <see cref="CircuitBreakerRegistry"/>.
    /// </summary>
    public sealed class RetryBudget
    {
        private readonly object _gate = new();
        private readonly MonotonicClock _clock;
        private readonly SlidingCounts _counts; // calls, retries
        private readonly double _floor;

        /// <summary>Creates a budget with nothing spent.</summary>
        /// <param name="name">The budget's name (the decorated service).</param>
        /// <param name="ratio">Retries allowed per call.</param>
        /// <param name="minRetriesPerSecond">Retries per second allowed however few calls were made.</param>
        /// <param name="window">The span calls and retries are counted over.</param>
        /// <param name="timeProvider">The clock the window is measured on (its monotonic timestamp); <see cref="TimeProvider.System"/> when <c>null</c>.</param>
        public RetryBudget(string name, double ratio, int minRetriesPerSecond, TimeSpan window, TimeProvider? timeProvider = null)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Ratio = ratio > 0 && !double.IsInfinity(ratio)
                ? ratio
                : throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "A retry budget needs a ratio above 0.");
            MinRetriesPerSecond = minRetriesPerSecond >= 0
                ? minRetriesPerSecond
                : throw new ArgumentOutOfRangeException(nameof(minRetriesPerSecond), minRetriesPerSecond, "Must be zero or positive.");
            Window = window > TimeSpan.Zero ? window : throw new ArgumentOutOfRangeException(nameof(window), window, "Must be positive.");
            _counts = new SlidingCounts(window);
            _clock = new MonotonicClock(timeProvider);
            _floor = minRetriesPerSecond * window.TotalSeconds;
        }

        /// <summary>
        /// The budget of <paramref name="policy"/>'s service in <paramref name="registry"/> (shared by every decorator of
        /// the service), created from the policy's <see cref="SidecarPolicy.RetryBudget"/> and
        /// <see cref="SidecarPolicy.MinRetriesPerSecond"/> the first time.
        /// </summary>
        internal static RetryBudget For(SidecarPolicy policy, CircuitBreakerRegistry registry, TimeProvider timeProvider)
            => registry.GetOrAddRetryBudget(
                policy.CircuitName,
                name => new RetryBudget(name, policy.RetryBudget, policy.MinRetriesPerSecond, TimeSpan.FromMilliseconds(SidecarDefaults.RetryBudgetWindow), timeProvider));

        /// <summary>The clock the window is measured on.</summary>
        internal TimeProvider TimeProvider => _clock.TimeProvider;

        /// <summary>The budget's name.</summary>
        public string Name { get; }

        /// <summary>Retries allowed per call.</summary>
        public double Ratio { get; }

        /// <summary>Retries per second allowed however few calls were made.</summary>
        public int MinRetriesPerSecond { get; }

        /// <summary>The span calls and retries are counted over.</summary>
        public TimeSpan Window { get; }

        /// <summary>Counts a call (its first attempt). Lock-free.</summary>
        public void OnCall() => _counts.Add(_clock.Now(), 1, 0);

        /// <summary>
        /// Spends one retry if the budget has room: <c>true</c> when the retry may be made. Exact under contention: two
        /// threads never both take the last retry.
        /// </summary>
        public bool TryRetry()
        {
            lock (_gate)
            {
                MonotonicInstant now = _clock.Now();
                (long calls, long retries) = _counts.Sum(now);
                if (!HasRoom(calls, retries))
                {
                    return false;
                }

                _counts.Add(now, 0, 1);
                return true;
            }
        }

        // retries + 1 <= Ratio × calls + floor, compared as a quotient: 0.29 * 100 is 28.999999999999996 in doubles, which
        // would deny the 29th retry of 100 calls; (29 - floor) / 100 is rounded like Ratio itself.
        private bool HasRoom(long calls, long retries)
        {
            double over = retries + 1 - _floor;
            return over <= 0 || (calls > 0 && over / calls <= Ratio);
        }

        /// <summary>The calls and retries the window holds now.</summary>
        public (long Calls, long Retries) Sample() => _counts.Sum(_clock.Now());
    }
}
