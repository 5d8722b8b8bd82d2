using System;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.DependencyInjection;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>A generic service, as repositories are: one open-generic registration serves every entity type.</summary>
    [Sidecar(Retries = 2, Delay = 0)]
    public interface IStore<T>
        where T : class
    {
        T Find(int id);

        int Instance { get; }
    }

    public sealed class Order
    {
    }

    public sealed class Customer
    {
    }

    /// <summary>Fails the first call of each instance, then answers; numbers its instances.</summary>
    public sealed class FlakyStore<T> : IStore<T>
        where T : class, new()
    {
        private static int s_instances;
        private int _calls;

        public FlakyStore() => Instance = Interlocked.Increment(ref s_instances);

        public int Instance { get; }

        public int Calls => _calls;

        public T Find(int id) => Interlocked.Increment(ref _calls) == 1 ? throw new ConnectionError("first call") : new T();
    }

    /// <summary>Open-generic and closed registrations of a generic service, with the real container.</summary>
    public class OpenGenericRegistrationTests
    {
        private static ServiceCollection Services()
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(new SteppingClock { AutoAdvance = true });
            services.AddSingleton(new CircuitBreakerRegistry());
            return services;
        }

        [Fact]
        public void An_open_generic_registration_is_decorated_for_every_type_argument_and_keeps_its_lifetime()
        {
            ServiceCollection services = Services();
            services.AddScoped(typeof(IStore<>), typeof(FlakyStore<>)).AddStoreSidecar();
            using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

            using IServiceScope first = provider.CreateScope();
            using IServiceScope second = provider.CreateScope();
            IStore<Order> orders = first.ServiceProvider.GetRequiredService<IStore<Order>>();
            IStore<Customer> customers = first.ServiceProvider.GetRequiredService<IStore<Customer>>();

            Assert.IsAssignableFrom<StoreSidecar<Order>>(orders);
            Assert.IsAssignableFrom<StoreSidecar<Customer>>(customers);
            Assert.NotNull(orders.Find(1)); // the inner instance's first call fails: retried
            Assert.NotNull(customers.Find(1));
            Assert.Same(orders, first.ServiceProvider.GetRequiredService<IStore<Order>>());
            Assert.NotSame(orders, second.ServiceProvider.GetRequiredService<IStore<Order>>());
            Assert.NotEqual(orders.Instance, second.ServiceProvider.GetRequiredService<IStore<Order>>().Instance); // a scoped inner per scope
            ServiceDescriptor registration = services.Single(d => d.ServiceType == typeof(IStore<>) && !d.IsKeyedService);
            Assert.Equal(ServiceLifetime.Scoped, registration.Lifetime);
        }

        [Fact]
        public void The_configuration_given_reaches_every_sidecar_the_container_activates()
        {
            ServiceCollection services = Services();
            services.AddTransient(typeof(IStore<>), typeof(FlakyStore<>))
                .AddStoreSidecar(options => options.Overrides["IStore<T>"] = new SidecarPolicyOverride { Retries = 0 });
            using ServiceProvider provider = services.BuildServiceProvider();

            var orders = provider.GetRequiredService<IStore<Order>>();

            Assert.Throws<ConnectionError>(() => orders.Find(1)); // no retry: the override applies
            Assert.NotNull(orders.Find(2));
        }

        [Fact]
        public void Decorating_an_open_generic_registration_twice_decorates_it_once()
        {
            ServiceCollection services = Services();
            services.AddSingleton(typeof(IStore<>), typeof(FlakyStore<>)).AddStoreSidecar().AddStoreSidecar();
            using ServiceProvider provider = services.BuildServiceProvider();

            Assert.Single(services, d => d.ServiceType == typeof(IStore<>) && d.IsKeyedService);
            Assert.NotNull(provider.GetRequiredService<IStore<Order>>().Find(1));
        }

        [Fact]
        public void A_closed_registration_is_decorated_by_the_extension_with_type_arguments()
        {
            ServiceCollection services = Services();
            services.AddSingleton<IStore<Order>, FlakyStore<Order>>().AddStoreSidecar<Order>();
            using ServiceProvider provider = services.BuildServiceProvider();

            var orders = provider.GetRequiredService<IStore<Order>>();

            Assert.IsType<StoreSidecar<Order>>(orders);
            Assert.NotNull(orders.Find(1));
        }

        [Fact]
        public void The_closed_extension_over_an_open_generic_registration_says_which_extension_fits()
        {
            ServiceCollection services = Services();
            services.AddScoped(typeof(IStore<>), typeof(FlakyStore<>));

            var error = Assert.Throws<InvalidOperationException>(() => services.AddStoreSidecar<Order>());

            Assert.Contains("there is only an open-generic one", error.Message, StringComparison.Ordinal);
            Assert.Contains("AddStoreSidecar() without type arguments", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void The_open_generic_extension_without_a_registration_says_how_to_make_one()
        {
            ServiceCollection services = Services();
            services.AddScoped<IStore<Order>, FlakyStore<Order>>();

            var error = Assert.Throws<InvalidOperationException>(() => services.AddStoreSidecar());

            Assert.Contains("services.AddScoped(typeof(IStore<>), typeof(MyImplementation<>))", error.Message, StringComparison.Ordinal);
            Assert.Contains("AddStoreSidecar<...>() with its type arguments", error.Message, StringComparison.Ordinal);
        }
    }
}
