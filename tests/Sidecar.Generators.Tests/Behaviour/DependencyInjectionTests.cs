using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>The generated AddXxxSidecar() extensions, with the real Microsoft.Extensions.DependencyInjection container.</summary>
    public class DependencyInjectionTests
    {
        private static ServiceCollection Services(SteppingClock? time = null)
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(time ?? new SteppingClock { AutoAdvance = true });
            services.AddSingleton(new CircuitBreakerRegistry());
            return services;
        }

        [Fact]
        public void The_registration_is_decorated_and_keeps_its_scoped_lifetime()
        {
            ServiceCollection services = Services();
            services.AddScoped<IFlakyService, FlakyService>().AddFlakyServiceSidecar();
            using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

            using IServiceScope first = provider.CreateScope();
            using IServiceScope second = provider.CreateScope();
            var a = first.ServiceProvider.GetRequiredService<IFlakyService>();

            Assert.IsType<FlakyServiceSidecar>(a);
            Assert.Same(a, first.ServiceProvider.GetRequiredService<IFlakyService>());
            Assert.NotSame(a, second.ServiceProvider.GetRequiredService<IFlakyService>());
            Assert.Equal(ServiceLifetime.Scoped, services.Single(d => d.ServiceType == typeof(IFlakyService) && !d.IsKeyedService).Lifetime);
        }

        [Fact]
        public void The_decorated_instance_retries_with_the_clock_from_the_container()
        {
            var time = new SteppingClock { AutoAdvance = true };
            var inner = new FlakyService(failures: 2);
            ServiceCollection services = Services(time);
            services.AddSingleton<IFlakyService>(inner).AddFlakyServiceSidecar();
            using ServiceProvider provider = services.BuildServiceProvider();

            Assert.Equal(4, provider.GetRequiredService<IFlakyService>().Get(4));
            Assert.Equal(3, inner.Calls);
            Assert.Equal(new[] { 100d, 200d }, time.RequestedDelays.Select(d => d.TotalMilliseconds));
        }

        [Fact]
        public void Factory_registrations_and_transient_lifetimes_are_kept()
        {
            int created = 0;
            ServiceCollection services = Services();
            services.AddTransient<IFlakyService>(_ => { created++; return new FlakyService(); }).AddFlakyServiceSidecar(options => options.Random = () => 0.5);
            using ServiceProvider provider = services.BuildServiceProvider();

            Assert.NotSame(provider.GetRequiredService<IFlakyService>(), provider.GetRequiredService<IFlakyService>());
            Assert.Equal(2, created);
        }

        [Fact]
        public void Decorating_a_service_that_is_not_registered_says_how_to_fix_it()
        {
            var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddFlakyServiceSidecar());
            Assert.Contains("AddFlakyServiceSidecar()", error.Message);
            Assert.Contains("register the service first", error.Message);
        }

        [Fact]
        public void Retries_and_circuit_changes_are_logged_with_structured_fields_and_no_argument_values()
        {
            using var logs = new FakeLoggerProvider();
            var inner = new FlakyService(failures: 100) { Failure = () => new ConnectionError("secret-customer-42 unreachable") };
            ServiceCollection services = Services();
            services.AddLogging(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
            services.AddSingleton<IBreakerService>(inner).AddBreakerServiceSidecar();
            services.AddSingleton<IFlakyService>(inner).AddFlakyServiceSidecar();
            using ServiceProvider provider = services.BuildServiceProvider();

            Assert.Throws<ConnectionError>(() => provider.GetRequiredService<IFlakyService>().Get(12345));
            var breaker = provider.GetRequiredService<IBreakerService>();
            for (int i = 0; i < 3; i++)
            {
                Assert.Throws<ConnectionError>(() => breaker.Call());
            }

            Assert.Throws<BrokenCircuitException>(() => breaker.Call());

            IReadOnlyList<FakeLogRecord> entries = logs.Collector.GetSnapshot();
            FakeLogRecord retry = entries.First(e => e.Id.Name == "SidecarRetry");
            Assert.Equal(LogLevel.Warning, retry.Level);
            Assert.Equal("Sidecar", retry.Category);
            Assert.Equal("Sidecar.Generators.Tests.Behaviour.IFlakyService", retry.GetStructuredStateValue("Service"));
            Assert.Equal("Get", retry.GetStructuredStateValue("Method"));
            Assert.Equal("1", retry.GetStructuredStateValue("Attempt"));
            Assert.Equal("100", retry.GetStructuredStateValue("DelayMs"));
            Assert.Equal(typeof(ConnectionError).FullName, retry.GetStructuredStateValue("ExceptionType"));
            Assert.Equal(3, entries.Count(e => e.Id.Name == "SidecarRetry" && e.GetStructuredStateValue("Method") == "Get"));
            Assert.Single(entries, e => e.Id.Name == "SidecarGaveUp" && e.Level == LogLevel.Error && e.GetStructuredStateValue("Method") == "Get");
            Assert.Single(entries, e => e.Id.Name == "SidecarCircuit" && e.Level == LogLevel.Warning && e.GetStructuredStateValue("CircuitState") == "Open");
            Assert.Single(entries, e => e.Id.Name == "SidecarRejected" && e.Level == LogLevel.Debug);
            Assert.DoesNotContain(entries, e => e.Message.Contains("12345") || (e.StructuredState ?? Array.Empty<KeyValuePair<string, string?>>()).Any(v => v.Value == "12345"));
        }

        [Fact]
        public void An_observer_from_the_container_is_called_beside_the_logger()
        {
            var observer = new RecordingObserver();
            ServiceCollection services = Services();
            services.AddLogging();
            services.AddSingleton<SidecarObserver>(observer);
            services.AddSingleton<IFlakyService>(new FlakyService(failures: 1)).AddFlakyServiceSidecar();
            using ServiceProvider provider = services.BuildServiceProvider();

            provider.GetRequiredService<IFlakyService>().Get(1);

            Assert.Single(observer.Failures);
        }
    }
}
