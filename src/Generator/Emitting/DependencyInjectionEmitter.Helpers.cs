using Sidecar.Generators.Model;

namespace Sidecar.Generators.Emitting
{
    // The private classes of the shared registration helper: one decoration, the reload relay, the start-up check.
    internal static partial class DependencyInjectionEmitter
    {
        /// <summary>
        /// One decoration of a registration. When the interface is not disposable, the original registration is kept under a
        /// key of its own (DI 8 and later), so the container creates, tracks and disposes the decorated instance exactly as it
        /// would have without the sidecar; a disposable interface's sidecar forwards Dispose itself, and the container
        /// disposes the sidecar.
        /// </summary>
        private static void EmitDecoration(SourceWriter w, HostCapabilities capabilities)
        {
            const string Descriptor = "global::Microsoft.Extensions.DependencyInjection.ServiceDescriptor";
            w.Line();
            w.Line("/// <summary>One decorated registration: how to create the inner instance and the sidecar around it.</summary>");
            w.Open("private sealed class Decoration");
            w.Line("private readonly global::System.Type _serviceType;");
            w.Line("private readonly " + Descriptor + " _original;");
            w.Line("private readonly global::System.Func<global::System.IServiceProvider, object, object> _decorate;");
            w.Line();
            w.Line("public Decoration(global::System.Type serviceType, " + Descriptor + " original, global::System.Func<global::System.IServiceProvider, object, object> decorate, string method, bool ownedByContainer)");
            w.OpenBrace();
            w.Line("_serviceType = serviceType;");
            w.Line("_original = original;");
            w.Line("_decorate = decorate;");
            w.Line("Method = method;");
            w.Line("OwnedByContainer = ownedByContainer;");
            w.Close();
            w.Line();
            w.Line("public string Method { get; }");
            w.Line();
            w.Line("/// <summary>Whether the container creates the inner instance itself (under this decoration as key) and so disposes it.</summary>");
            w.Line("public bool OwnedByContainer { get; }");
            w.Line();
            w.Line("public object Create(global::System.IServiceProvider provider) => _decorate(provider, CreateInner(provider));");
            if (capabilities.KeyedServices)
            {
                w.Line();
                w.Line("/// <summary>The sidecar of a keyed registration (the key is the original's).</summary>");
                w.Line("public object CreateKeyed(global::System.IServiceProvider provider, object? key) => _decorate(provider, CreateInner(provider));");
                w.Line();
                w.Line("/// <summary>The original registration, keyed by this decoration (a keyed factory still gets its own key).</summary>");
                w.Line("public " + Descriptor + " Inner()");
                w.OpenBrace();
                w.Open("if (_original.IsKeyedService)");
                w.Line("object? originalKey = _original.ServiceKey;");
                w.Line("return _original.KeyedImplementationInstance is { } keyedInstance ? new " + Descriptor + "(_serviceType, this, keyedInstance)");
                w.Line("    : _original.KeyedImplementationFactory is { } keyedFactory ? new " + Descriptor + "(_serviceType, this, (provider, key) => keyedFactory(provider, originalKey), _original.Lifetime)");
                w.Line("    : new " + Descriptor + "(_serviceType, this, _original.KeyedImplementationType!, _original.Lifetime);");
                w.Close();
                w.Line();
                w.Line("return _original.ImplementationInstance is { } instance ? new " + Descriptor + "(_serviceType, this, instance)");
                w.Line("    : _original.ImplementationFactory is { } factory ? new " + Descriptor + "(_serviceType, this, (provider, key) => factory(provider), _original.Lifetime)");
                w.Line("    : new " + Descriptor + "(_serviceType, this, _original.ImplementationType!, _original.Lifetime);");
                w.Close();
            }

            w.Line();
            w.Line("private object CreateInner(global::System.IServiceProvider provider)");
            if (capabilities.KeyedServices)
            {
                w.Line("    => OwnedByContainer");
                w.Line("        ? global::Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions.GetRequiredKeyedService(provider, _serviceType, this)");
                w.Line("        : _original.IsKeyedService");
                w.Line("            ? _original.KeyedImplementationInstance");
                w.Line("              ?? _original.KeyedImplementationFactory?.Invoke(provider, _original.ServiceKey)");
                w.Line("              ?? global::Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(provider, _original.KeyedImplementationType!)");
                w.Line("            : _original.ImplementationInstance");
                w.Line("              ?? _original.ImplementationFactory?.Invoke(provider)");
                w.Line("              ?? global::Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(provider, _original.ImplementationType!);");
            }
            else
            {
                w.Line("    => _original.ImplementationInstance");
                w.Line("       ?? _original.ImplementationFactory?.Invoke(provider)");
                w.Line("       ?? global::Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(provider, _original.ImplementationType!);");
            }

            w.Close();
        }

        private const string MonitorType = "global::Microsoft.Extensions.Options.IOptionsMonitor<global::Sidecar.SidecarOptions>";

        /// <summary>
        /// Passes a reload of <c>IOptionsMonitor&lt;SidecarOptions&gt;</c> on to the options of every sidecar the container
        /// built (each instance has options of its own): one subscription per monitor, the options held weakly.
        /// </summary>
        private static void EmitOverridesRelay(SourceWriter w)
        {
            const string Options = "global::Sidecar.SidecarOptions";
            const string Entries = "global::System.Collections.Generic.IDictionary<string, global::Sidecar.SidecarPolicyOverride>";
            const string Follower = "(global::System.WeakReference<" + Options + "> Options, global::System.Action<" + Options + ">? Configure)";
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Passes each reload of the monitored SidecarOptions on to the options of the sidecars built so far, with their own");
            w.Line("/// <c>configure</c> applied again; a reload that a sidecar refuses leaves it as it was, and sidecars built later start");
            w.Line("/// from the last overrides every sidecar accepted.");
            w.Line("/// </summary>");
            w.Open("private sealed class OverridesRelay");
            w.Line("private static readonly global::System.Runtime.CompilerServices.ConditionalWeakTable<" + MonitorType + ", OverridesRelay> s_relays =");
            w.Line("    new global::System.Runtime.CompilerServices.ConditionalWeakTable<" + MonitorType + ", OverridesRelay>();");
            w.Line();
            w.Line("private readonly global::System.Collections.Generic.List<" + Follower + "> _followers = new global::System.Collections.Generic.List<" + Follower + ">();");
            w.Line("private readonly " + MonitorType + " _monitor;");
            w.Line("private readonly global::System.IDisposable? _subscription;");
            w.Line("private " + Entries + "? _accepted;");
            w.Line();
            w.Line("private OverridesRelay(" + MonitorType + " monitor)");
            w.OpenBrace();
            w.Line("_monitor = monitor;");
            w.Line("_accepted = Current(); // what the first sidecars are built from");
            w.Line("_subscription = global::Microsoft.Extensions.Options.OptionsMonitorExtensions.OnChange(monitor, _ => Reload());");
            w.Close();
            w.Line();
            w.Line("/// <summary>Gives <paramref name=\"options\"/> the monitored overrides now, and each reload of them later.</summary>");
            w.Line("public static void Follow(" + MonitorType + " monitor, " + Options + " options, global::System.Action<" + Options + ">? configure)");
            w.OpenBrace();
            w.Line("OverridesRelay relay = s_relays.GetValue(monitor, m => new OverridesRelay(m));");
            w.Open("lock (relay._followers)");
            w.Line("// Listed before the overrides are read, so that a reload in between reaches these options too.");
            w.Open("if (relay._followers.Count >= 64 && relay._followers.Count % 64 == 0)");
            w.Line("relay._followers.RemoveAll(f => !f.Options.TryGetTarget(out _));");
            w.Close();
            w.Line();
            w.Line("relay._followers.Add((new global::System.WeakReference<" + Options + ">(options), configure));");
            w.Close();
            w.Line();
            w.Open("foreach (global::System.Collections.Generic.KeyValuePair<string, global::Sidecar.SidecarPolicyOverride> entry in relay.Current())");
            w.Line("options.Overrides[entry.Key] = entry.Value;");
            w.Close();
            w.Close();
            w.Line();
            w.Line("// The monitored overrides, or the last ones every sidecar accepted when the monitor cannot give them (a reload that");
            w.Line("// failed, or that a sidecar refused).");
            w.Line("private " + Entries + " Current()");
            w.OpenBrace();
            w.Open("try");
            w.Line("return global::System.Threading.Volatile.Read(ref _accepted) ?? _monitor.CurrentValue.Overrides;");
            w.Close();
            w.Open("catch (global::System.Exception ex) when (ex is not global::System.OutOfMemoryException)");
            w.Line("return new global::System.Collections.Generic.Dictionary<string, global::Sidecar.SidecarPolicyOverride>();");
            w.Close();
            w.Close();
            w.Line();
            w.Line("private void Reload()");
            w.OpenBrace();
            w.Line(Entries + " reloaded;");
            w.Open("try");
            w.Line("reloaded = _monitor.CurrentValue.Overrides; // the latest, whichever notification this is");
            w.Close();
            w.Open("catch (global::System.Exception ex) when (ex is not global::System.OutOfMemoryException)");
            w.Line("return; // the configuration does not bind: every sidecar keeps what it has");
            w.Close();
            w.Line();
            w.Line(Follower + "[] followers;");
            w.Open("lock (_followers)");
            w.Line("followers = _followers.ToArray();");
            w.Close();
            w.Line();
            w.Line("bool refused = false;");
            w.Open("foreach (" + Follower + " follower in followers)");
            w.Open("if (!follower.Options.TryGetTarget(out " + Options + "? options))");
            w.Line("continue;");
            w.Close();
            w.Line();
            w.Line("// The sidecar's own configure runs again over the new entries, as it did when the sidecar was built.");
            w.Line("var scratch = new " + Options + "();");
            w.Open("foreach (global::System.Collections.Generic.KeyValuePair<string, global::Sidecar.SidecarPolicyOverride> entry in reloaded)");
            w.Line("scratch.Overrides[entry.Key] = entry.Value;");
            w.Close();
            w.Line();
            w.Open("try");
            w.Line("follower.Configure?.Invoke(scratch);");
            w.Line("options.ReloadOverrides(scratch.Overrides);");
            w.Close();
            w.Open("catch (global::System.ArgumentException)");
            w.Line("refused = true; // this sidecar stays as it was; ValidateSidecarOverrides names the mistake");
            w.Close();
            w.Close();
            w.Line();
            w.Line("global::System.Threading.Volatile.Write(ref _accepted, refused ? _accepted : reloaded);");
            w.Close();
            w.Close();
        }

        /// <summary>The hosted service that checks every registered sidecar's overrides when the host starts.</summary>
        private static void EmitOverridesCheck(SourceWriter w)
        {
            const string Task = "global::System.Threading.Tasks.Task";
            const string Token = "global::System.Threading.CancellationToken";
            w.Line();
            w.Line("/// <summary>Checks the overrides of every registered sidecar when the host starts (<c>ValidateSidecarOverrides</c>).</summary>");
            w.Open("private sealed class SidecarOverridesCheck : global::Microsoft.Extensions.Hosting.IHostedService");
            w.Line("private readonly global::System.IServiceProvider _provider;");
            w.Line();
            w.Line("public SidecarOverridesCheck(global::System.IServiceProvider provider) => _provider = provider;");
            w.Line();
            w.Line("public " + Task + " StartAsync(" + Token + " cancellationToken)");
            w.OpenBrace();
            w.Line("global::Sidecar.SidecarServiceProviderExtensions.ValidateSidecarOverrides(_provider);");
            w.Line("return " + Task + ".CompletedTask;");
            w.Close();
            w.Line();
            w.Line("public " + Task + " StopAsync(" + Token + " cancellationToken) => " + Task + ".CompletedTask;");
            w.Close();
        }
    }
}
