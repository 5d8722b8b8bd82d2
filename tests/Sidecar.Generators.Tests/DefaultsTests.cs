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
        }
    }
}
