using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>SidecarOptions.ReloadOverrides: a configuration change reaches sidecars that already exist.</summary>
    public class ReloadTests
    {
        [Fact]
        public void Reloaded_retries_reach_an_existing_sidecar_from_its_next_call()
        {
            var options = new SidecarOptions { TimeProvider = new SteppingClock { AutoAdvance = true }, CircuitBreakers = new CircuitBreakerRegistry() };
            options.Overrides["IFlakyService"] = new SidecarPolicyOverride { Retries = 0 };
            var inner = new FlakyService(failures: 1);
            var sidecar = new FlakyServiceSidecar(inner, options);

            Assert.Throws<ConnectionError>(() => sidecar.Get(1)); // no retry
            Assert.Equal(1, inner.Calls);

            options.ReloadOverrides(new Dictionary<string, SidecarPolicyOverride> { ["IFlakyService"] = new() { Retries = 2 } });
            inner.SetFailures(2);

            Assert.Equal(2, sidecar.Get(2)); // the same instance now retries twice
            Assert.Equal(4, inner.Calls);
            Assert.Equal(2, options.Overrides["IFlakyService"].Retries);
        }

        [Fact]
        public void A_reload_that_does_not_fit_changes_nothing()
        {
            var options = new SidecarOptions { TimeProvider = new SteppingClock { AutoAdvance = true }, CircuitBreakers = new CircuitBreakerRegistry() };
            options.Overrides["IFlakyService"] = new SidecarPolicyOverride { Retries = 0 };
            var inner = new FlakyService();
            var sidecar = new FlakyServiceSidecar(inner, options);

            var ex = Assert.Throws<ArgumentException>(() => options.ReloadOverrides(new[] { new KeyValuePair<string, string?>("IFlakyService:Retries", "-1") }));
            Assert.Contains("Retries", ex.Message, StringComparison.Ordinal);

            inner.SetFailures(1);
            Assert.Throws<ConnectionError>(() => sidecar.Get(1)); // still no retry
            Assert.Equal(0, options.Overrides["IFlakyService"].Retries);
        }

        [Fact]
        public void A_reload_is_checked_as_strictly_as_building_the_sidecar()
        {
            var options = new SidecarOptions { TimeProvider = new SteppingClock { AutoAdvance = true }, CircuitBreakers = new CircuitBreakerRegistry() };
            options.Overrides["IFlakyService"] = new SidecarPolicyOverride { Retries = 1, FailureThreshold = 5 };
            _ = new FlakyServiceSidecar(new FlakyService(), options);

            var misspelt = Assert.Throws<ArgumentException>(() => options.ReloadOverrides(new Dictionary<string, SidecarPolicyOverride>
            {
                ["IFlakyService"] = new() { Retries = 1, FailureThreshold = 5 },
                ["Sidecar.Generators.Tests.Behaviour.IFlakyService.Gett"] = new() { Retries = 3 },
            }));
            Assert.Contains("Gett", misspelt.Message, StringComparison.Ordinal);

            var shared = Assert.Throws<ArgumentException>(() => options.ReloadOverrides(new Dictionary<string, SidecarPolicyOverride>
            {
                ["IFlakyService"] = new() { Retries = 1, FailureThreshold = 10 },
            }));
            Assert.Contains("FailureThreshold cannot change in a reload", shared.Message, StringComparison.Ordinal);
            Assert.Equal(5, options.Overrides["IFlakyService"].FailureThreshold); // nothing changed

            Assert.Throws<InvalidOperationException>(() => SidecarOptions.Default.ReloadOverrides(new Dictionary<string, SidecarPolicyOverride>()));
        }

        [Fact]
        public async Task A_game_day_starts_and_ends_by_configuration_on_a_running_sidecar()
        {
            var time = new SteppingClock();
            var options = new SidecarOptions { TimeProvider = time, CircuitBreakers = new CircuitBreakerRegistry() };
            var inner = new ControlledDeadlineService { FailAtOnce = () => new ConnectionError("real") };
            var sidecar = new DeadlineServiceSidecar(inner, options);

            options.ReloadOverrides(new[] { new KeyValuePair<string, string?>("IDeadlineService.AnsweredAsync:ChaosFaultRate", "1") });
            Assert.Equal(-2, await ClockDriver.Result(time, () => sidecar.AnsweredAsync(1, CancellationToken.None).AsTask(), 100)); // injected faults, then the fallback
            Assert.Equal(0, inner.Calls);

            options.ReloadOverrides(Array.Empty<KeyValuePair<string, SidecarPolicyOverride>>());
            Assert.Equal(-2, await ClockDriver.Result(time, () => sidecar.AnsweredAsync(1, CancellationToken.None).AsTask(), 100)); // real failures now
            Assert.Equal(6, inner.Calls); // 1 + Retries = 5
        }
    }
}
