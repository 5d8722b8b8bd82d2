using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>
    /// Override mistakes surface at start-up: with a host, when it starts; without one, through ValidateSidecarOverrides() or
    /// SidecarOptions.ValidateOverrides. And a class-form sidecar answers to its interfaces' names.
    /// </summary>
    public class OverrideValidationTests
    {
        private const string FullName = "Sidecar.Generators.Tests.Behaviour.IFlakyService";

        private static HostApplicationBuilder Builder(Action<SidecarOptions> configure)
        {
            HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddSingleton<TimeProvider>(new SteppingClock { AutoAdvance = true });
            builder.Services.AddSingleton(new CircuitBreakerRegistry());
            builder.Services.AddScoped<IFlakyService>(_ => new FlakyService()).AddFlakyServiceSidecar(configure);
            builder.Services.AddSingleton<IExternalClient>(new FlakyService()).AddResilientExternalClient(configure); // two sidecars decorate IExternalClient here: the class-named extension is unambiguous
            return builder;
        }

        private static async Task<string> StartFailure(IHost host)
        {
            Exception error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
            return (error is AggregateException aggregate ? aggregate.InnerException! : error).Message;
        }

        [Fact]
        public async Task A_misspelt_service_name_stops_the_host_when_it_starts()
        {
            using IHost host = Builder(options => options.Overrides["IFlakyServce"] = new SidecarPolicyOverride { Retries = 1 }).Build();

            string message = await StartFailure(host);

            Assert.Contains("The override 'IFlakyServce' names no decorated service or member", message);
            Assert.Contains("did you mean 'IFlakyService'?", message);
            Assert.Contains(FullName, message); // the services that exist are listed
        }

        [Fact]
        public async Task A_misspelt_member_under_the_full_name_stops_the_host_instead_of_failing_every_request()
        {
            using IHost host = Builder(options => options.Overrides[FullName + ".Gett"] = new SidecarPolicyOverride { Retries = 1 }).Build();

            string message = await StartFailure(host);

            Assert.Contains("The override '" + FullName + ".Gett' names no member of " + FullName, message);
            Assert.Contains("Get, Fire", message);
            Assert.Contains("did you mean '" + FullName + ".Get'?", message);
        }

        [Fact]
        public async Task Correct_overrides_let_the_host_start_and_take_effect()
        {
            var inner = new FlakyService(failures: 100);
            HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddSingleton<TimeProvider>(new SteppingClock { AutoAdvance = true });
            builder.Services.AddSingleton(new CircuitBreakerRegistry());
            builder.Services.AddSingleton<IFlakyService>(inner).AddFlakyServiceSidecar(options =>
            {
                options.Overrides["IFlakyService"] = new SidecarPolicyOverride { Retries = 1 };
                options.Overrides[FullName + ".GetAsync"] = new SidecarPolicyOverride { Delay = 5 };
            });
            using IHost host = builder.Build();

            await host.StartAsync();
            Assert.Throws<ConnectionError>(() => host.Services.GetRequiredService<IFlakyService>().Get(1));
            await host.StopAsync();

            Assert.Equal(2, inner.Calls); // Retries = 1 from the override, not the attribute's 3
        }

        [Fact]
        public void Without_a_host_the_provider_check_lists_every_mistake()
        {
            var services = new ServiceCollection();
            services.AddSingleton<IFlakyService>(new FlakyService()).AddFlakyServiceSidecar(options =>
            {
                options.Overrides["IFlakyServce"] = new SidecarPolicyOverride { Retries = 1 };
                options.Overrides["IFlakyService.Persistant"] = new SidecarPolicyOverride { Retries = 1 };
                options.Overrides["IFlakyService.Get"] = new SidecarPolicyOverride { FailureThreshold = 2 };
            });
            using ServiceProvider provider = services.BuildServiceProvider();

            var error = Assert.Throws<InvalidOperationException>(() => provider.ValidateSidecarOverrides());

            Assert.Contains("'IFlakyServce' names no decorated service or member", error.Message);
            Assert.Contains("'IFlakyService.Persistant' names no member of " + FullName, error.Message);
            Assert.Contains("did you mean 'IFlakyService.Persistent'?", error.Message);
            Assert.Contains("'IFlakyService.Get' sets FailureThreshold, which belongs to the circuit", error.Message);
        }

        [Fact]
        public void The_check_passes_for_every_name_a_sidecar_answers_to()
        {
            var options = new SidecarOptions();
            options.Overrides["IFlakyService"] = new SidecarPolicyOverride { Retries = 1 };
            options.Overrides[FullName + ".Get"] = new SidecarPolicyOverride { Retries = 2 };
            options.Overrides["IExternalClient.Fetch"] = new SidecarPolicyOverride { Retries = 0 };
            options.Overrides["Sidecar.Generators.Tests.Behaviour.ResilientExternalClient"] = new SidecarPolicyOverride { Delay = 1 };
            options.Overrides["ResilientExternalClient.Fetch"] = new SidecarPolicyOverride { Delay = 2 };

            Assert.Same(options, options.ValidateOverrides(FlakyServiceSidecar.Service, ResilientExternalClient.Service));

            var error = Assert.Throws<ArgumentException>(() => options.ValidateOverrides(FlakyServiceSidecar.Service));
            Assert.Contains("'IExternalClient.Fetch' names no decorated service or member", error.Message); // that sidecar was not named
        }

        [Fact]
        public void A_class_form_sidecar_takes_overrides_by_its_interfaces_names_and_its_own_name_wins()
        {
            var inner = new FlakyService(failures: 100);
            var options = new SidecarOptions { TimeProvider = new SteppingClock { AutoAdvance = true }, CircuitBreakers = new CircuitBreakerRegistry() };
            options.Overrides["IExternalClient"] = new SidecarPolicyOverride { Retries = 0 };

            Assert.Throws<ConnectionError>(() => new ResilientExternalClient(inner, options).Fetch("a"));
            Assert.Equal(1, inner.Calls); // the interface's simple name: Retries = 0 instead of the attribute's 2

            options.Overrides["Sidecar.Generators.Tests.Behaviour.IExternalClient"] = new SidecarPolicyOverride { Retries = 4 };
            Assert.Throws<ConnectionError>(() => new ResilientExternalClient(inner, options).Fetch("a"));
            Assert.Equal(1 + 5, inner.Calls); // the full name wins over the simple one

            options.Overrides["ResilientExternalClient"] = new SidecarPolicyOverride { Retries = 1 };
            Assert.Throws<ConnectionError>(() => new ResilientExternalClient(inner, options).Fetch("a"));
            Assert.Equal(1 + 5 + 5, inner.Calls); // a simple name, even the class's, is weaker than a full one

            options.Overrides["Sidecar.Generators.Tests.Behaviour.ResilientExternalClient"] = new SidecarPolicyOverride { Retries = 1 };
            Assert.Throws<ConnectionError>(() => new ResilientExternalClient(inner, options).Fetch("a"));
            Assert.Equal(1 + 5 + 5 + 2, inner.Calls); // the class's full name is the strongest

            options.Overrides["IExternalClient.Fetch"] = new SidecarPolicyOverride { Retries = 0 };
            Assert.Throws<ConnectionError>(() => new ResilientExternalClient(inner, options).Fetch("a"));
            Assert.Equal(1 + 5 + 5 + 2 + 1, inner.Calls); // a member's entry wins over the service's, under any name
        }
    }
}
