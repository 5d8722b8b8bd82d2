using System;
using System.Collections.Concurrent;
using System.Collections.Generic;

namespace Sidecar
{
    /// <summary>
    /// Holds circuit breakers, bulkheads and retry budgets by name so that every decorator of one service shares one circuit, whatever the DI
    /// lifetime of the decorator. <see cref="Shared"/> is used unless <see cref="SidecarOptions.CircuitBreakers"/>
    /// names another; give tests a <c>new CircuitBreakerRegistry()</c> to isolate them.
    /// </summary>
    public sealed class CircuitBreakerRegistry
    {
        private readonly ConcurrentDictionary<string, CircuitBreaker> _breakers = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Bulkhead> _bulkheads = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, RetryBudget> _budgets = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, SidecarRateLimiter> _limiters = new(StringComparer.Ordinal);

        /// <summary>Creates an empty registry. Its circuits are reported by the <c>sidecar.circuit.state</c> gauge while it is alive.</summary>
        public CircuitBreakerRegistry() => SidecarTelemetry.Track(this);

        /// <summary>The process-wide registry.</summary>
        public static CircuitBreakerRegistry Shared { get; } = new();

        /// <summary>The breakers created so far.</summary>
        public IEnumerable<CircuitBreaker> Breakers => _breakers.Values;

        /// <summary>
        /// The breaker called <paramref name="name"/>, created with <paramref name="options"/> the first time it is asked
        /// for, measuring time on <paramref name="timeProvider"/>. Later calls get the same instance, whatever they pass.
        /// </summary>
        public CircuitBreaker GetOrAdd(string name, CircuitBreakerOptions options, TimeProvider? timeProvider = null)
        {
            if (_breakers.TryGetValue(name, out CircuitBreaker? breaker))
            {
                return breaker;
            }

            return _breakers.GetOrAdd(name, new CircuitBreaker(name, options, timeProvider));
        }

        /// <summary>The bulkhead called <paramref name="name"/>, created with <paramref name="maxConcurrency"/> the first time.</summary>
        public Bulkhead GetOrAddBulkhead(string name, int maxConcurrency) => GetOrAddBulkhead(name, maxConcurrency, 0);

        /// <summary>
        /// The bulkhead called <paramref name="name"/>, created with <paramref name="maxConcurrency"/> slots and a queue of
        /// <paramref name="maxQueue"/> the first time. Later calls get the same instance, whatever they pass.
        /// </summary>
        public Bulkhead GetOrAddBulkhead(string name, int maxConcurrency, int maxQueue)
        {
            if (_bulkheads.TryGetValue(name, out Bulkhead? bulkhead))
            {
                return bulkhead;
            }

            return _bulkheads.GetOrAdd(name, new Bulkhead(name, maxConcurrency, maxQueue));
        }

        /// <summary>
        /// The retry budget called <paramref name="name"/>, made by <paramref name="create"/> (given the name) the first time
        /// it is asked for. Later calls get the same instance, whatever they pass.
        /// </summary>
        public RetryBudget GetOrAddRetryBudget(string name, Func<string, RetryBudget> create)
        {
            if (create is null)
            {
                throw new ArgumentNullException(nameof(create));
            }

            return _budgets.TryGetValue(name, out RetryBudget? budget) ? budget : _budgets.GetOrAdd(name, create);
        }

        /// <summary>
        /// The rate limiter called <paramref name="name"/>, created with <paramref name="permitLimit"/> permits per
        /// <paramref name="window"/> on <paramref name="timeProvider"/> the first time it is asked for. Later calls get the same
        /// instance, whatever they pass.
        /// </summary>
        public SidecarRateLimiter GetOrAddRateLimiter(string name, int permitLimit, TimeSpan window, TimeProvider? timeProvider = null)
        {
            if (_limiters.TryGetValue(name, out SidecarRateLimiter? limiter))
            {
                return limiter;
            }

            return _limiters.GetOrAdd(name, new SidecarRateLimiter(name, permitLimit, window, timeProvider));
        }

        /// <summary>The rate limiters created so far.</summary>
        public IEnumerable<SidecarRateLimiter> RateLimiters => _limiters.Values;

        /// <summary>The bulkheads created so far.</summary>
        public IEnumerable<Bulkhead> Bulkheads => _bulkheads.Values;

        /// <summary>The retry budgets created so far.</summary>
        public IEnumerable<RetryBudget> RetryBudgets => _budgets.Values;

        /// <summary>The breaker called <paramref name="name"/>, if one was created.</summary>
        public bool TryGet(string name, out CircuitBreaker? breaker) => _breakers.TryGetValue(name, out breaker);

        /// <summary>Closes every circuit.</summary>
        public void ResetAll()
        {
            foreach (CircuitBreaker breaker in _breakers.Values)
            {
                breaker.Reset();
            }
        }
    }
}
