using Sidecar.Generators.Model;
using Xunit;

namespace Sidecar.Generators.Tests
{
    /// <summary>The generator compiles in the knobs' defaults; they must be the runtime's (and the attribute's).</summary>
    public class DefaultsTests
    {
        [Fact]
        public void The_generator_uses_the_runtime_defaults()
        {
            var attribute = new SidecarAttribute();
            Assert.Equal(SidecarDefaults.Retries, PolicyModel.DefaultRetries);
            Assert.Equal(SidecarDefaults.Delay, PolicyModel.DefaultDelay);
            Assert.Equal((int)SidecarDefaults.Backoff, PolicyModel.DefaultBackoff);
            Assert.Equal(SidecarDefaults.MaxDelay, PolicyModel.DefaultMaxDelay);
            Assert.Equal(SidecarDefaults.FailureThreshold, PolicyModel.DefaultFailureThreshold);
            Assert.Equal(SidecarDefaults.BreakDuration, PolicyModel.DefaultBreakDuration);
            Assert.Equal(PolicyModel.DefaultRetries, attribute.Retries);
            Assert.Equal(PolicyModel.DefaultBreakDuration, attribute.BreakDuration);

            // The knobs added with the failure-ratio breaker, half-open probes, bulkhead and retry budget.
            PolicyModel defaults = Sidecar.Generators.Parsing.SettingsReader.Defaults("S");
            Assert.Equal(SidecarDefaults.FailureRatio, defaults.FailureRatio);
            Assert.Equal(SidecarDefaults.SamplingDuration, defaults.SamplingDuration);
            Assert.Equal(SidecarDefaults.MinimumThroughput, defaults.MinimumThroughput);
            Assert.Equal(SidecarDefaults.HalfOpenProbes, defaults.HalfOpenProbes);
            Assert.Equal(SidecarDefaults.MaxConcurrency, defaults.MaxConcurrency);
            Assert.Equal(SidecarDefaults.RetryBudget, defaults.RetryBudget);
            Assert.Equal(SidecarDefaults.MinRetriesPerSecond, defaults.MinRetriesPerSecond);
            Assert.Equal(
                (defaults.FailureRatio, defaults.SamplingDuration, defaults.MinimumThroughput, defaults.HalfOpenProbes, defaults.MaxConcurrency, defaults.RetryBudget, defaults.MinRetriesPerSecond),
                (attribute.FailureRatio, attribute.SamplingDuration, attribute.MinimumThroughput, attribute.HalfOpenProbes, attribute.MaxConcurrency, attribute.RetryBudget, attribute.MinRetriesPerSecond));
        }
    }
}
