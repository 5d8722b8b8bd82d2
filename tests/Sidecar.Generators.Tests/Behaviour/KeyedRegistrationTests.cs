using System;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>Keyed registrations (Microsoft.Extensions.DependencyInjection 8+) are decorated by key, keeping key and lifetime.</summary>
    public class KeyedRegistrationTests
    {
        private static ServiceCollection Services()
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(new SteppingClock { AutoAdvance = true });
            services.AddSingleton(new CircuitBreakerRegistry());
            return services;
        }

        [Fact]
        public void A_keyed_registration_is_decorated_under_its_key_and_the_other_keys_are_left_alone()
        {
            var eu = new FlakyService(failures: 2);
            var us = new FlakyService(failures: 2);
            ServiceCollection services = Services();
            services.AddKeyedSingleton<IFlakyService>("eu", eu);
            services.AddKeyedSingleton<IFlakyService>("us", us);
            services.AddFlakyServiceSidecar("eu");
            using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

            IFlakyService decorated = provider.GetRequiredKeyedService<IFlakyService>("eu");
            Assert.IsType<FlakyServiceSidecar>(decorated);
            Assert.Equal(7, decorated.Get(7)); // two failures retried
            Assert.Equal(3, eu.Calls);
            Assert.Same(us, provider.GetRequiredKeyedService<IFlakyService>("us"));
            Assert.Null(provider.GetService<IFlakyService>()); // no unkeyed registration appeared
        }

        [Fact]
        public void Keyed_scoped_types_and_keyed_factories_keep_their_lifetime_and_get_their_own_key()
        {
            object? keySeen = null;
            ServiceCollection services = Services();
            services.AddKeyedScoped<IFlakyService, FlakyService>("eu").AddFlakyServiceSidecar("eu");
            services.AddKeyedTransient<IFlakyService>("us", (_, key) => { keySeen = key; return new FlakyService(); }).AddFlakyServiceSidecar("us");
            services.AddFlakyServiceSidecar("eu"); // twice: changes nothing
            using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

            using IServiceScope scope = provider.CreateScope();
            IFlakyService a = scope.ServiceProvider.GetRequiredKeyedService<IFlakyService>("eu");
            Assert.IsType<FlakyServiceSidecar>(a);
            Assert.Same(a, scope.ServiceProvider.GetRequiredKeyedService<IFlakyService>("eu"));
            Assert.Equal(ServiceLifetime.Scoped, services.Single(d => d.ServiceType == typeof(IFlakyService) && Equals(d.ServiceKey, "eu")).Lifetime);

            IFlakyService b = scope.ServiceProvider.GetRequiredKeyedService<IFlakyService>("us");
            Assert.IsType<FlakyServiceSidecar>(b);
            Assert.NotSame(b, scope.ServiceProvider.GetRequiredKeyedService<IFlakyService>("us"));
            Assert.Equal("us", keySeen); // the factory was given its own key, not the decoration's
        }

        [Fact]
        public void Decorating_without_a_key_a_service_registered_only_with_keys_says_which_keys_there_are()
        {
            ServiceCollection services = Services();
            services.AddKeyedScoped<IFlakyService, FlakyService>("eu");
            services.AddKeyedScoped<IFlakyService, FlakyService>(42);

            var unkeyed = Assert.Throws<InvalidOperationException>(() => services.AddFlakyServiceSidecar());
            Assert.Contains("registered only with keys", unkeyed.Message, StringComparison.Ordinal);
            Assert.Contains("\"eu\", 42", unkeyed.Message, StringComparison.Ordinal);
            Assert.Contains("AddFlakyServiceSidecar(serviceKey)", unkeyed.Message, StringComparison.Ordinal);

            var wrongKey = Assert.Throws<InvalidOperationException>(() => services.AddFlakyServiceSidecar("us"));
            Assert.Contains("under the key \"us\"", wrongKey.Message, StringComparison.Ordinal);
            Assert.Contains("It is registered with the keys \"eu\", 42.", wrongKey.Message, StringComparison.Ordinal);
        }
    }
}
