using System;
using System.Collections.Generic;

namespace Sidecar
{
    /// <summary>
    /// A sidecar registered with dependency injection: the generated <c>AddXxxSidecar()</c> extensions add one to the
    /// container for <see cref="SidecarServiceProviderExtensions.ValidateSidecarOverrides"/>, which checks the overrides of
    /// every registered sidecar when the host starts.
    /// </summary>
    public sealed class SidecarRegistration
    {
        private readonly Func<IServiceProvider, SidecarOptions> _options;

        /// <summary>Describes a registration.</summary>
        /// <param name="service">The registered sidecar.</param>
        /// <param name="options">The options its instances are created with, from the container.</param>
        public SidecarRegistration(SidecarService service, Func<IServiceProvider, SidecarOptions> options)
        {
            Service = service ?? throw new ArgumentNullException(nameof(service));
            _options = options ?? throw new ArgumentNullException(nameof(options));
        }

        /// <summary>The registered sidecar.</summary>
        public SidecarService Service { get; }

        /// <summary>The options an instance would be created with now.</summary>
        public SidecarOptions OptionsFrom(IServiceProvider provider) => _options(provider);
    }

    /// <summary>Start-up checks for sidecars registered with dependency injection.</summary>
    public static class SidecarServiceProviderExtensions
    {
        /// <summary>
        /// Checks the <see cref="SidecarOptions.Overrides"/> of every sidecar registered through a generated
        /// <c>AddXxxSidecar()</c> against all of them (<see cref="SidecarOptions.ValidateOverrides"/>): an entry that names no
        /// registered sidecar or member, or a shared knob set for one member, stops the host here rather than being ignored or
        /// failing requests later. Generated registrations call this when the host starts if the project references
        /// Microsoft.Extensions.Hosting; otherwise call it once after building the provider.
        /// </summary>
        /// <param name="provider">The application's service provider.</param>
        /// <returns>The same provider.</returns>
        /// <exception cref="InvalidOperationException">An override is wrong; the message lists every mistake.</exception>
        public static IServiceProvider ValidateSidecarOverrides(this IServiceProvider provider)
        {
            if (provider is null)
            {
                throw new ArgumentNullException(nameof(provider));
            }

            var registrations = new List<SidecarRegistration>();
            if (provider.GetService(typeof(IEnumerable<SidecarRegistration>)) is IEnumerable<SidecarRegistration> registered)
            {
                registrations.AddRange(registered);
            }

            var services = new List<SidecarService>();
            foreach (SidecarRegistration registration in registrations)
            {
                if (!services.Contains(registration.Service))
                {
                    services.Add(registration.Service);
                }
            }

            var problems = new List<string>();
            foreach (SidecarRegistration registration in registrations)
            {
                foreach (string problem in OverrideResolver.Validate(registration.OptionsFrom(provider).Overrides, services))
                {
                    if (!problems.Contains(problem))
                    {
                        problems.Add(problem);
                    }
                }
            }

            if (problems.Count > 0)
            {
                throw new InvalidOperationException(OverrideResolver.Describe(problems));
            }

            return provider;
        }
    }
}
