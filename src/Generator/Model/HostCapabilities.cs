using Microsoft.CodeAnalysis;

namespace Sidecar.Generators.Model
{
    /// <summary>What the consuming project references, which decides the optional integrations generated for it.</summary>
    /// <param name="DependencyInjection">Microsoft.Extensions.DependencyInjection.Abstractions is referenced.</param>
    /// <param name="KeyedServices">Its ServiceDescriptor knows keyed services (8.0 and later).</param>
    /// <param name="Logging">Microsoft.Extensions.Logging.Abstractions is referenced.</param>
    /// <param name="Hosting">Microsoft.Extensions.Hosting.Abstractions is referenced: overrides are checked when the host starts.</param>
    /// <param name="OptionsMonitor">Microsoft.Extensions.Options is referenced: a reload of <c>IOptionsMonitor&lt;SidecarOptions&gt;</c> reaches the sidecars.</param>
    /// <param name="HealthChecks">Microsoft.Extensions.Diagnostics.HealthChecks is referenced: <c>AddSidecarCircuits()</c> reports open circuits.</param>
    internal sealed record HostCapabilities(bool DependencyInjection, bool KeyedServices, bool Logging, bool Hosting, bool OptionsMonitor, bool HealthChecks)
    {
        public static HostCapabilities From(Compilation compilation)
        {
            INamedTypeSymbol? descriptor = compilation.GetTypeByMetadataName("Microsoft.Extensions.DependencyInjection.ServiceDescriptor");
            bool dependencyInjection = descriptor is not null
                && compilation.GetTypeByMetadataName("Microsoft.Extensions.DependencyInjection.IServiceCollection") is not null
                && compilation.GetTypeByMetadataName("Microsoft.Extensions.DependencyInjection.ActivatorUtilities") is not null;
            return new HostCapabilities(
                dependencyInjection,
                dependencyInjection && descriptor!.GetMembers("IsKeyedService").Length > 0,
                compilation.GetTypeByMetadataName("Microsoft.Extensions.Logging.LoggerMessage") is not null
                    && compilation.GetTypeByMetadataName("Microsoft.Extensions.Logging.ILoggerFactory") is not null,
                dependencyInjection && compilation.GetTypeByMetadataName("Microsoft.Extensions.Hosting.IHostedService") is not null,
                dependencyInjection && compilation.GetTypeByMetadataName("Microsoft.Extensions.Options.IOptionsMonitor`1") is not null,
                dependencyInjection && compilation.GetTypeByMetadataName("Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck") is not null
                    && compilation.GetTypeByMetadataName("Microsoft.Extensions.DependencyInjection.IHealthChecksBuilder") is not null
                    && compilation.GetTypeByMetadataName("Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration") is not null);
        }
    }
}
