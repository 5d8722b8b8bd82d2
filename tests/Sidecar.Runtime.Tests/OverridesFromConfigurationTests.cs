using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>What the README promises: <see cref="SidecarOptions.Overrides"/> binds from configuration with <c>Bind</c>.</summary>
    public sealed class OverridesFromConfigurationTests
    {
        private const string Service = "Shop.IOrderService";

        [Fact]
        public void Overrides_bind_from_configuration_keys_and_reach_the_pipeline()
        {
            IConfiguration configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Sidecar:Overrides:IOrderService:Retries"] = "5",
                    ["Sidecar:Overrides:IOrderService:Backoff"] = "Exponential",
                    ["Sidecar:Overrides:IOrderService:Jitter"] = "true",
                    ["Sidecar:Overrides:IOrderService:FailureRatio"] = "0.5",
                    ["Sidecar:Overrides:IOrderService:MaxConcurrency"] = "16",
                    ["Sidecar:Overrides:IOrderService.GetAsync:Timeout"] = "2000",
                })
                .Build();
            var options = new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() };

            configuration.GetSection("Sidecar").Bind(options);

            SidecarPolicyOverride service = options.Overrides["iorderservice"]; // keys are case-insensitive
            Assert.Equal(5, service.Retries);
            Assert.Equal(Backoff.Exponential, service.Backoff);
            Assert.True(service.Jitter);
            Assert.Equal(0.5, service.FailureRatio);
            Assert.Null(service.Delay);

            var pipeline = new SidecarPipeline(Service, new SidecarPolicy(Service, retries: 1, timeout: 100), options, new[] { "GetAsync", "Count" }, null);
            Assert.Equal(5, pipeline.Policy.Retries);
            Assert.Equal(Backoff.Exponential, pipeline.Policy.Backoff);
            Assert.Equal(0.5, pipeline.CircuitBreaker!.FailureRatio);
            Assert.Equal(16, pipeline.Bulkhead!.MaxConcurrency);
            Assert.Equal(TimeSpan.FromSeconds(2), pipeline.PolicyFor("GetAsync").Timeout);
            Assert.Equal(TimeSpan.FromMilliseconds(100), pipeline.PolicyFor("Count").Timeout);
        }
    }
}
