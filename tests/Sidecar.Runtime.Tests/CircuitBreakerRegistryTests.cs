using System;
using System.Linq;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class CircuitBreakerRegistryTests
    {
        private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);

        [Fact]
        public void The_same_name_gets_the_same_breaker_with_the_first_settings()
        {
            var registry = new CircuitBreakerRegistry();

            CircuitBreaker first = registry.GetOrAdd("orders", 3, Break);
            CircuitBreaker second = registry.GetOrAdd("orders", 10, TimeSpan.FromMinutes(1));

            Assert.Same(first, second);
            Assert.Equal(3, second.FailureThreshold);
            Assert.Equal(Break, second.BreakDuration);
        }

        [Fact]
        public void Different_names_get_different_breakers()
        {
            var registry = new CircuitBreakerRegistry();

            CircuitBreaker orders = registry.GetOrAdd("orders", 1, Break);
            CircuitBreaker stock = registry.GetOrAdd("stock", 1, Break);
            orders.OnFailure(default, TimedCalls.T0);

            Assert.NotSame(orders, stock);
            Assert.Equal("stock", stock.Name);
            Assert.Equal(CircuitState.Open, orders.State);
            Assert.Equal(CircuitState.Closed, stock.State);
        }

        [Fact]
        public void Names_are_case_sensitive()
        {
            var registry = new CircuitBreakerRegistry();

            Assert.NotSame(registry.GetOrAdd("Orders", 1, Break), registry.GetOrAdd("orders", 1, Break));
        }

        [Fact]
        public void Registries_are_isolated_from_each_other()
        {
            var a = new CircuitBreakerRegistry();
            var b = new CircuitBreakerRegistry();

            CircuitBreaker inA = a.GetOrAdd("orders", 1, Break);
            CircuitBreaker inB = b.GetOrAdd("orders", 1, Break);
            inA.OnFailure(default, TimedCalls.T0);

            Assert.NotSame(inA, inB);
            Assert.Equal(CircuitState.Open, inA.State);
            Assert.Equal(CircuitState.Closed, inB.State);
        }

        [Fact]
        public void TryGet_finds_only_created_breakers()
        {
            var registry = new CircuitBreakerRegistry();

            Assert.False(registry.TryGet("orders", out CircuitBreaker? missing));
            Assert.Null(missing);

            CircuitBreaker created = registry.GetOrAdd("orders", 1, Break);

            Assert.True(registry.TryGet("orders", out CircuitBreaker? found));
            Assert.Same(created, found);
        }

        [Fact]
        public void Breakers_lists_what_was_created()
        {
            var registry = new CircuitBreakerRegistry();
            registry.GetOrAdd("orders", 1, Break);
            registry.GetOrAdd("stock", 1, Break);
            registry.GetOrAdd("orders", 1, Break);

            Assert.Equal(new[] { "orders", "stock" }, registry.Breakers.Select(b => b.Name).OrderBy(n => n, StringComparer.Ordinal));
        }

        [Fact]
        public void ResetAll_closes_every_circuit()
        {
            var registry = new CircuitBreakerRegistry();
            CircuitBreaker orders = registry.GetOrAdd("orders", 1, Break);
            CircuitBreaker stock = registry.GetOrAdd("stock", 1, Break);
            orders.OnFailure(default, TimedCalls.T0);
            stock.OnFailure(default, TimedCalls.T0);

            registry.ResetAll();

            Assert.Equal(CircuitState.Closed, orders.State);
            Assert.Equal(CircuitState.Closed, stock.State);
        }

        [Fact]
        public void Shared_is_one_process_wide_registry()
        {
            Assert.Same(CircuitBreakerRegistry.Shared, CircuitBreakerRegistry.Shared);
            Assert.Same(CircuitBreakerRegistry.Shared, new SidecarOptions().CircuitBreakers);
        }
    }
}
