using System;
using System.Threading;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>With Microsoft.Extensions.Options, a reload of IOptionsMonitor&lt;SidecarOptions&gt; reaches sidecars the container built.</summary>
    public class OptionsMonitorTests
    {
        /// <summary>A change token the test fires, as a configuration reload would.</summary>
        private sealed class ManualReload : IOptionsChangeTokenSource<SidecarOptions>
        {
            private CancellationTokenSource _source = new();

            public string Name => Options.DefaultName;

            public IChangeToken GetChangeToken() => new CancellationChangeToken(_source.Token);

            public void Fire()
            {
                CancellationTokenSource fired = Interlocked.Exchange(ref _source, new CancellationTokenSource());
                fired.Cancel();
            }
        }

        [Fact]
        public void A_reload_of_the_monitored_options_reaches_a_singleton_sidecar_already_built()
        {
            int retries = 0;
            var reload = new ManualReload();
            var inner = new FlakyService(failures: 1);
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(new SteppingClock { AutoAdvance = true });
            services.AddSingleton(new CircuitBreakerRegistry());
            services.Configure<SidecarOptions>(o => o.Overrides["IFlakyService"] = new SidecarPolicyOverride { Retries = retries });
            services.AddSingleton<IOptionsChangeTokenSource<SidecarOptions>>(reload);
            services.AddSingleton<IFlakyService>(inner).AddFlakyServiceSidecar();
            using ServiceProvider provider = services.BuildServiceProvider();

            IFlakyService sidecar = provider.GetRequiredService<IFlakyService>();
            Assert.Throws<ConnectionError>(() => sidecar.Get(1)); // the monitored Retries = 0: no retry

            retries = 2;
            reload.Fire();
            inner.SetFailures(2);

            Assert.Same(sidecar, provider.GetRequiredService<IFlakyService>());
            Assert.Equal(2, sidecar.Get(2)); // the same singleton now retries twice
            Assert.Equal(4, inner.Calls);
        }

        [Fact]
        public void The_registrations_own_configure_is_applied_again_after_a_reload()
        {
            var reload = new ManualReload();
            var inner = new FlakyService();
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(new SteppingClock { AutoAdvance = true });
            services.AddSingleton(new CircuitBreakerRegistry());
            services.Configure<SidecarOptions>(o => o.Overrides["IFlakyService"] = new SidecarPolicyOverride { Retries = 2 });
            services.AddSingleton<IOptionsChangeTokenSource<SidecarOptions>>(reload);
            services.AddSingleton<IFlakyService>(inner).AddFlakyServiceSidecar(o => o.Overrides["IFlakyService.Get"] = new SidecarPolicyOverride { Retries = 0 });
            using ServiceProvider provider = services.BuildServiceProvider();
            IFlakyService sidecar = provider.GetRequiredService<IFlakyService>();

            reload.Fire(); // e.g. an unrelated edit of appsettings.json
            inner.SetFailures(1);

            Assert.Throws<ConnectionError>(() => sidecar.Get(1)); // configure's Retries = 0 for Get still holds
            Assert.Equal(1, inner.Calls);
        }
    }
}
