using System;
using Sidecar.Testing;

namespace Sidecar.Runtime.Tests
{
    /// <summary>
    /// The state machines read their own monotonic clock. These helpers let a test say "at this instant" as it always did:
    /// they move the breaker's (or budget's) clock forward to the instant, then make the call. An instant already past leaves
    /// the clock where it is — monotonic time does not go back; tests of wall-clock steps use <see cref="SteppingClock.StepWallClock"/>.
    /// </summary>
    internal static class TimedCalls
    {
        public static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

        /// <summary>A closed consecutive-failure breaker with one probe, on a clock of its own that starts at <see cref="T0"/>.</summary>
        public static CircuitBreaker Breaker(string name, int failureThreshold, TimeSpan breakDuration)
            => Breaker(name, new CircuitBreakerOptions { FailureThreshold = failureThreshold, BreakDuration = breakDuration });

        /// <summary>A closed breaker on a clock of its own that starts at <see cref="T0"/>.</summary>
        public static CircuitBreaker Breaker(string name, CircuitBreakerOptions options)
            => new(name, options, new SteppingClock(T0));

        /// <summary>A retry budget on a clock of its own that starts at <see cref="T0"/>.</summary>
        public static RetryBudget Budget(string name, double ratio, int minRetriesPerSecond, TimeSpan window)
            => new(name, ratio, minRetriesPerSecond, window, new SteppingClock(T0));

        public static CircuitBreaker GetOrAdd(this CircuitBreakerRegistry registry, string name, int failureThreshold, TimeSpan breakDuration)
            => registry.GetOrAdd(name, new CircuitBreakerOptions { FailureThreshold = failureThreshold, BreakDuration = breakDuration }, new SteppingClock(T0));

        public static bool TryEnter(this CircuitBreaker breaker, DateTimeOffset now, out CircuitPermit permit, out DateTimeOffset retryAt, out CircuitState? transition)
        {
            MoveTo(breaker.TimeProvider, now);
            bool entered = breaker.TryEnter(out permit, out TimeSpan retryAfter, out transition);
            retryAt = entered ? default : MonotonicClock.WallClockIn(breaker.TimeProvider, retryAfter);
            return entered;
        }

        public static bool WouldRefuse(this CircuitBreaker breaker, DateTimeOffset now, out DateTimeOffset retryAt)
        {
            MoveTo(breaker.TimeProvider, now);
            bool refused = breaker.WouldRefuse(out TimeSpan retryAfter);
            retryAt = refused ? MonotonicClock.WallClockIn(breaker.TimeProvider, retryAfter) : default;
            return refused;
        }

        public static CircuitState? OnSuccess(this CircuitBreaker breaker, CircuitPermit permit, DateTimeOffset now)
        {
            MoveTo(breaker.TimeProvider, now);
            return breaker.OnSuccess(permit);
        }

        public static CircuitState? OnFailure(this CircuitBreaker breaker, CircuitPermit permit, DateTimeOffset now)
        {
            MoveTo(breaker.TimeProvider, now);
            return breaker.OnFailure(permit);
        }

        public static (int Attempts, int Failures) Sample(this CircuitBreaker breaker, DateTimeOffset now)
        {
            MoveTo(breaker.TimeProvider, now);
            return breaker.Sample();
        }

        public static void Isolate(this CircuitBreaker breaker, DateTimeOffset now, TimeSpan? duration = null)
        {
            MoveTo(breaker.TimeProvider, now);
            breaker.Isolate(duration);
        }

        public static void OnCall(this RetryBudget budget, DateTimeOffset now)
        {
            MoveTo(budget.TimeProvider, now);
            budget.OnCall();
        }

        public static bool TryRetry(this RetryBudget budget, DateTimeOffset now)
        {
            MoveTo(budget.TimeProvider, now);
            return budget.TryRetry();
        }

        public static (long Calls, long Retries) Sample(this RetryBudget budget, DateTimeOffset now)
        {
            MoveTo(budget.TimeProvider, now);
            return budget.Sample();
        }

        private static void MoveTo(TimeProvider time, DateTimeOffset now)
        {
            SteppingClock clock = time as SteppingClock ?? throw new InvalidOperationException("Give the breaker a test clock to call it at an instant.");
            clock.MoveTo(now);
        }
    }
}
