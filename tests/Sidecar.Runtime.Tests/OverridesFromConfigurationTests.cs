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

        [Fact]
        public void AddOverrides_reads_the_same_settings_strictly_and_they_reach_the_pipeline()
        {
            IConfiguration configuration = Settings(new Dictionary<string, string?>
            {
                ["Sidecar:Overrides:IOrderService:retries"] = "5",          // knob names ignore case, as configuration keys do
                ["Sidecar:Overrides:IOrderService:Backoff"] = "exponential",
                ["Sidecar:Overrides:IOrderService:Jitter"] = "true",
                ["Sidecar:Overrides:IOrderService:FailureRatio"] = "0.5",
                ["Sidecar:Overrides:IOrderService.GetAsync:Timeout"] = "2000",
            });
            var options = new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() };

            options.AddOverrides(configuration.GetSection("Sidecar:Overrides").AsEnumerable(makePathsRelative: true));

            var pipeline = new SidecarPipeline(Service, new SidecarPolicy(Service, retries: 1, timeout: 100), options, new[] { "GetAsync", "Count" }, null);
            Assert.Equal(5, pipeline.Policy.Retries);
            Assert.Equal(Backoff.Exponential, pipeline.Policy.Backoff);
            Assert.True(pipeline.Policy.Jitter);
            Assert.Equal(0.5, pipeline.CircuitBreaker!.FailureRatio);
            Assert.Equal(TimeSpan.FromSeconds(2), pipeline.PolicyFor("GetAsync").Timeout);
        }

        [Fact]
        public void Bind_drops_a_value_that_does_not_convert_and_ignores_a_misspelt_knob_without_a_word()
        {
            IConfiguration configuration = Settings(Mistakes);
            var options = new SidecarOptions();

            configuration.GetSection("Sidecar").Bind(options);

            Assert.False(options.Overrides.ContainsKey("IOrderService")); // the whole entry, Retries = 5 with it
            Assert.True(options.Overrides["IStock"].IsEmpty);              // Retrys: nothing set, nothing said
        }

        [Fact]
        public void AddOverrides_reports_every_mistake_at_once_and_adds_nothing()
        {
            IConfiguration configuration = Settings(Mistakes);
            var options = new SidecarOptions();

            var ex = Assert.Throws<ArgumentException>(() => options.AddOverrides(configuration.GetSection("Sidecar:Overrides").AsEnumerable(makePathsRelative: true)));

            Assert.Contains("'IOrderService:Backoff' = 'Exponentail' is not a Backoff: Constant, Linear or Exponential", ex.Message);
            Assert.Contains("'IStock:Retrys' names no knob; did you mean Retries?", ex.Message);
            Assert.Contains("'IPrices:Timeout' = 'soon' is not a whole number (ms)", ex.Message);
            Assert.Contains("'IPrices:FailureRatio' = '1.5' is out of range: it is a fraction of failed attempts", ex.Message);
            Assert.Contains("'IPrices:RetryOn': RetryOn cannot be overridden at run time", ex.Message);
            Assert.DoesNotContain("IOrderService:Retries", ex.Message);
            Assert.Empty(options.Overrides);
        }

        private static readonly Dictionary<string, string?> Mistakes = new()
        {
            ["Sidecar:Overrides:IOrderService:Retries"] = "5",
            ["Sidecar:Overrides:IOrderService:Backoff"] = "Exponentail",
            ["Sidecar:Overrides:IStock:Retrys"] = "5",
            ["Sidecar:Overrides:IPrices:Timeout"] = "soon",
            ["Sidecar:Overrides:IPrices:FailureRatio"] = "1.5",
            ["Sidecar:Overrides:IPrices:RetryOn"] = "System.TimeoutException",
        };

        private static IConfiguration Settings(Dictionary<string, string?> values)
            => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
