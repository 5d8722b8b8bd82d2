using System;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>The names a sidecar answers to, and the start-up check of overrides against them.</summary>
    public sealed class SidecarServiceTests
    {
        private static readonly SidecarService Orders = new("Shop.IOrderService", new[] { "GetAsync", "ListAsync" }, membersWithOwnCircuit: new[] { "ListAsync" });

        private static readonly SidecarService Cache = new("Shop.ResilientCache", new[] { "Get" }, aliases: new[] { "Caching.IDistributedCache", "Caching.IHealth" });

        [Fact]
        public void A_generic_interface_s_simple_name_keeps_its_type_arguments()
        {
            var repository = new SidecarService("Data.IRepository<Shop.Order, int>", new[] { "Find" });
            var options = new SidecarOptions();
            options.Overrides["IRepository<Shop.Order, int>.Find"] = new SidecarPolicyOverride { Retries = 1 };
            options.Overrides["Order, int>.Find"] = new SidecarPolicyOverride { Retries = 1 };

            var error = Assert.Throws<ArgumentException>(() => options.ValidateOverrides(repository));

            Assert.DoesNotContain("'IRepository<Shop.Order, int>.Find'", error.Message);
            Assert.Contains("'Order, int>.Find' names no decorated service or member", error.Message);
        }

        [Fact]
        public void Overrides_are_layered_simple_names_first_then_full_names_the_class_s_last()
        {
            var options = new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() };
            var policy = new SidecarPolicy(Cache.Name, retries: 3);

            options.Overrides["IDistributedCache"] = new SidecarPolicyOverride { Retries = 1, Delay = 11 };
            Assert.Equal((1, 11), Read(new SidecarPipeline(Cache, policy, options).Policy));

            options.Overrides["ResilientCache"] = new SidecarPolicyOverride { Retries = 2 };
            Assert.Equal((2, 11), Read(new SidecarPipeline(Cache, policy, options).Policy));

            options.Overrides["Caching.IHealth"] = new SidecarPolicyOverride { Retries = 4 };
            Assert.Equal((4, 11), Read(new SidecarPipeline(Cache, policy, options).Policy));

            options.Overrides["Shop.ResilientCache"] = new SidecarPolicyOverride { Retries = 5 };
            Assert.Equal((5, 11), Read(new SidecarPipeline(Cache, policy, options).Policy));

            static (int, int) Read(SidecarPolicy p) => (p.Retries, (int)p.Delay.TotalMilliseconds);
        }

        [Fact]
        public void The_check_reports_every_mistake_at_once_and_nothing_for_valid_entries()
        {
            var options = new SidecarOptions();
            options.Overrides["IOrderService"] = new SidecarPolicyOverride { FailureThreshold = 3 };
            options.Overrides["Shop.IOrderService.ListAsync"] = new SidecarPolicyOverride { FailureThreshold = 3 }; // its own circuit
            options.Overrides["IDistributedCache.Get"] = new SidecarPolicyOverride { Retries = 1 };
            Assert.Same(options, options.ValidateOverrides(Orders, Cache));

            options.Overrides["IOrderServise"] = new SidecarPolicyOverride { Retries = 1 };
            options.Overrides["IOrderService.GetAsync"] = new SidecarPolicyOverride { MaxConcurrency = 2 };
            options.Overrides["Shop.IOrderService.ListAsnc"] = new SidecarPolicyOverride { Retries = 1 };
            var error = Assert.Throws<ArgumentException>(() => options.ValidateOverrides(Orders, Cache));

            string[] lines = error.Message.Split('\n');
            Assert.Equal(4, lines.Length); // the heading and three mistakes
            Assert.Contains("'IOrderServise' names no decorated service or member (the services are Shop.IOrderService, Shop.ResilientCache); did you mean 'IOrderService'?", error.Message);
            Assert.Contains("'IOrderService.GetAsync' sets MaxConcurrency, which belongs to the circuit, bulkhead and retry budget GetAsync shares", error.Message);
            Assert.Contains("'Shop.IOrderService.ListAsnc' names no member of Shop.IOrderService that a sidecar decorates; its members are: GetAsync, ListAsync; did you mean 'Shop.IOrderService.ListAsync'?", error.Message);
        }

        [Fact]
        public void With_no_services_every_entry_is_a_mistake()
        {
            var options = new SidecarOptions();
            options.Overrides["IOrderService"] = new SidecarPolicyOverride { Retries = 1 };

            var error = Assert.Throws<ArgumentException>(() => options.ValidateOverrides());

            Assert.Contains("'IOrderService' names no decorated service or member (no sidecar is registered).", error.Message);
        }

        [Fact]
        public void A_member_handle_finds_the_member_s_own_policy_as_its_name_does()
        {
            var options = new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() };
            options.Overrides["IOrderService.ListAsync"] = new SidecarPolicyOverride { Retries = 7 };
            var pipeline = new SidecarPipeline(Orders, new SidecarPolicy(Orders.Name, retries: 1), options);

            Assert.Equal(7, pipeline.PolicyFor(Orders.Member("ListAsync")).Retries);
            Assert.Equal(7, pipeline.PolicyFor("ListAsync").Retries);
            Assert.Equal(1, pipeline.PolicyFor(Orders.Member("GetAsync")).Retries);
            Assert.Same(Orders.Member("GetAsync"), Orders.Member("GetAsync"));
            Assert.Throws<ArgumentException>(() => Orders.Member("Missing"));

            // Another service's handle at the same position is not taken for this one's.
            var other = new SidecarService("Shop.IOther", new[] { "X", "Y" });
            Assert.Equal(1, pipeline.PolicyFor(other.Member("Y")).Retries);
        }
    }
}
