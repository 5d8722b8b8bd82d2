using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    [Sidecar(Retries = 2, Delay = 0)]
    public interface IDisposedDependency
    {
        int Call();
    }

    [Sidecar(Retries = 0)]
    public interface IOwnedResource : IDisposable
    {
        int Call();
    }

    /// <summary>Counts the disposals of the instances a test created.</summary>
    public sealed class DisposalCounter
    {
        private int _disposed;
        private int _calls;

        public int Disposed => Volatile.Read(ref _disposed);

        public int Calls => Volatile.Read(ref _calls);

        public bool Failing { get; set; }

        public void CountDisposal() => Interlocked.Increment(ref _disposed);

        public int Call()
        {
            Interlocked.Increment(ref _calls);
            return Failing ? throw new ConnectionError("down") : 1;
        }
    }

    public sealed class DisposableDependency : IDisposedDependency, IOwnedResource
    {
        private readonly DisposalCounter _counter;

        public DisposableDependency(DisposalCounter counter) => _counter = counter;

        public int Call() => _counter.Call();

        public void Dispose() => _counter.CountDisposal();
    }

    public sealed class AsyncDisposableDependency : IDisposedDependency, IAsyncDisposable
    {
        private readonly DisposalCounter _counter;

        public AsyncDisposableDependency(DisposalCounter counter) => _counter = counter;

        public int Call() => _counter.Call();

        public ValueTask DisposeAsync()
        {
            _counter.CountDisposal();
            return default;
        }
    }

    /// <summary>The container disposes the decorated instance exactly as it would have without the sidecar.</summary>
    public class DisposalTests
    {
        private readonly DisposalCounter _counter = new();

        private ServiceCollection Services()
        {
            var services = new ServiceCollection();
            services.AddSingleton(_counter);
            services.AddSingleton(new CircuitBreakerRegistry());
            return services;
        }

        [Fact]
        public void A_scoped_disposable_implementation_is_disposed_with_its_scope()
        {
            ServiceCollection services = Services();
            services.AddScoped<IDisposedDependency, DisposableDependency>().AddDisposedDependencySidecar();
            using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

            using (IServiceScope scope = provider.CreateScope())
            {
                var sidecar = scope.ServiceProvider.GetRequiredService<IDisposedDependency>();
                Assert.IsType<DisposedDependencySidecar>(sidecar);
                Assert.Equal(1, sidecar.Call());
                Assert.Equal(0, _counter.Disposed);
            }

            Assert.Equal(1, _counter.Disposed);
        }

        [Fact]
        public async Task A_singleton_async_disposable_implementation_is_disposed_with_the_container()
        {
            ServiceCollection services = Services();
            services.AddSingleton<IDisposedDependency, AsyncDisposableDependency>().AddDisposedDependencySidecar();
            ServiceProvider provider = services.BuildServiceProvider();
            Assert.Equal(1, provider.GetRequiredService<IDisposedDependency>().Call());

            await provider.DisposeAsync();

            Assert.Equal(1, _counter.Disposed);
        }

        [Fact]
        public void Transient_factory_instances_are_disposed_once_each()
        {
            ServiceCollection services = Services();
            services.AddTransient<IDisposedDependency>(sp => new DisposableDependency(sp.GetRequiredService<DisposalCounter>())).AddDisposedDependencySidecar();
            using (ServiceProvider provider = services.BuildServiceProvider())
            {
                using IServiceScope scope = provider.CreateScope();
                scope.ServiceProvider.GetRequiredService<IDisposedDependency>();
                scope.ServiceProvider.GetRequiredService<IDisposedDependency>();
            }

            Assert.Equal(2, _counter.Disposed);
        }

        [Fact]
        public void A_sidecar_of_a_disposable_interface_forwards_Dispose_once()
        {
            ServiceCollection services = Services();
            services.AddScoped<IOwnedResource, DisposableDependency>().AddOwnedResourceSidecar();
            using ServiceProvider provider = services.BuildServiceProvider();

            using (IServiceScope scope = provider.CreateScope())
            {
                Assert.IsType<OwnedResourceSidecar>(scope.ServiceProvider.GetRequiredService<IOwnedResource>());
            }

            Assert.Equal(1, _counter.Disposed);
        }

        [Fact]
        public void Decorating_twice_wraps_the_service_once()
        {
            ServiceCollection services = Services();
            services.AddScoped<IDisposedDependency, DisposableDependency>()
                    .AddDisposedDependencySidecar()
                    .AddDisposedDependencySidecar();
            using ServiceProvider provider = services.BuildServiceProvider();
            _counter.Failing = true;

            using (IServiceScope scope = provider.CreateScope())
            {
                Assert.Throws<ConnectionError>(() => scope.ServiceProvider.GetRequiredService<IDisposedDependency>().Call());
            }

            Assert.Equal(3, _counter.Calls); // one sidecar's 1 + 2 retries, not 3 × 3
            Assert.Equal(1, _counter.Disposed);
            Assert.Single(services, d => d.ServiceType == typeof(IDisposedDependency) && !d.IsKeyedService);
        }
    }
}
