using System.Linq;
using Sidecar.Generators.Model;

namespace Sidecar.Generators.Emitting
{
    // Open-generic registrations (services.AddScoped(typeof(IRepository<>), typeof(Repository<>))): the container closes a
    // type for each T, so no factory can be given; it activates a class nested in the sidecar instead, which takes the
    // original implementation from a keyed registration the extension adds.
    internal static partial class DependencyInjectionEmitter
    {
        /// <summary>The class nested in a generic sidecar that the container activates for an open-generic registration.</summary>
        private const string Activated = "SidecarActivatedByContainer";

        private const string Configure = "global::Sidecar.Generated.SidecarConfigure";

        /// <summary>
        /// <c>global::Data.IRepository&lt;,&gt;</c> when the sidecar can decorate an open-generic registration of its interface:
        /// interface form (the class is generated, so the activated class can derive from it), keyed services (DI 8), and an
        /// interface whose type arguments are exactly the sidecar's type parameters. Otherwise <c>null</c>.
        /// </summary>
        private static string? OpenGenericService(ServiceModel model, HostCapabilities capabilities)
        {
            if (model.TypeParameters.Count == 0 || model.IsClassForm || !capabilities.KeyedServices
                || model.ContainingTypes.Count > 0 || model.ReservedNames.Contains(Activated) || model.Members.Any(m => m.DisplayName == Activated))
            {
                return null;
            }

            string type = model.Inners[0].Type.FullyQualified;
            string arguments = "<" + string.Join(", ", model.TypeParameters) + ">";
            int open = type.IndexOf('<');
            if (open < 0 || type.Substring(open) != arguments)
            {
                return null;
            }

            return type.Substring(0, open) + "<" + new string(',', model.TypeParameters.Count - 1) + ">";
        }

        private static string ActivationKey(ServiceModel model) => "Sidecar.Generated:" + (model.Namespace is null ? string.Empty : model.Namespace + ".") + model.ClassName.TrimStart('@') + "`" + model.TypeParameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);

        private static void EmitOpenGenericExtension(SourceWriter w, ServiceModel model, string openService, string method, string readable)
        {
            string ns = model.Namespace is null ? string.Empty : model.Namespace + ".";
            string unbound = "global::" + ns + model.ClassName + "<" + new string(',', model.TypeParameters.Count - 1) + ">";
            w.Line("/// <summary>");
            w.Line("/// Decorates the last open-generic registration of <c>" + Xml(openService) + "</c> (<c>services.AddScoped(typeof(" + Xml(openService.Replace("global::", string.Empty)) + "),");
            w.Line("/// typeof(Implementation&lt;" + new string(',', model.TypeParameters.Count - 1) + "&gt;))</c>) with <c>" + Xml(model.ClassName) + "</c>, keeping its lifetime: every <c>" + readable + "</c>");
            w.Line("/// the container closes is a sidecar over the registered implementation, which is kept as a keyed registration.");
            w.Line("/// Every closed type shares the service's circuit, bulkhead and limits, as every sidecar of the service does.");
            w.Line("/// </summary>");
            w.Line("/// <param name=\"services\">The service collection, in which the open-generic registration is made already.</param>");
            w.Line("/// <param name=\"configure\">Adjusts the options of each sidecar instance.</param>");
            w.Line("/// <returns>The same service collection.</returns>");
            w.Line("/// <exception cref=\"global::System.InvalidOperationException\">No open-generic registration of the service was found, or it names no implementation type.</exception>");
            w.Line("public static " + Services + " " + method + "(this " + Services + " services, global::System.Action<global::Sidecar.SidecarOptions>? configure = null)");
            w.Line("    => " + Helper + ".DecorateOpenGeneric(services, typeof(" + openService + "), typeof(" + unbound + "." + Activated + "), \"" + ActivationKey(model) + "\", configure, \"" + method + "\");");
        }

        private static void EmitContainerActivation(SourceWriter w, ServiceModel model, string implementation)
        {
            string key = "\"" + ActivationKey(model) + "\"";
            const string FromKeyed = "global::Microsoft.Extensions.DependencyInjection.FromKeyedServices";
            w.Open("partial class " + model.ClassName + "<" + string.Join(", ", model.TypeParameters) + ">");
            w.Line("/// <summary>");
            w.Line("/// What the container activates for an open-generic registration decorated by <c>" + AddMethodName(model) + "()</c>: the sidecar over");
            w.Line("/// the implementation that registration named (kept under a key of the sidecar's own).");
            w.Line("/// </summary>");
            w.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
            w.Open("internal sealed class " + Activated + " : " + implementation);
            w.Line("/// <summary>Called by the container.</summary>");
            w.Line("/// <param name=\"inner\">The implementation the open-generic registration named.</param>");
            w.Line("/// <param name=\"configuration\">What <c>" + AddMethodName(model) + "()</c> was given.</param>");
            w.Line("/// <param name=\"provider\">Where the options' clock, registry, observer and logging come from.</param>");
            w.Line("public " + Activated + "(");
            w.Line("    [" + FromKeyed + "(" + key + ")] " + model.Inners[0].Type + " inner,");
            w.Line("    [" + FromKeyed + "(" + key + ")] " + Configure + " configuration,");
            w.Line("    global::System.IServiceProvider provider)");
            w.Line("    : base(inner, " + Helper + ".Options(provider, (configuration ?? throw new global::System.ArgumentNullException(nameof(configuration))).Configure))");
            w.OpenBrace();
            w.Close();
            w.Close();
            w.Close();
        }

        /// <summary>The shared helper's part for open-generic registrations (keyed services only).</summary>
        private static void EmitOpenGenericHelper(SourceWriter w)
        {
            const string Descriptor = "global::Microsoft.Extensions.DependencyInjection.ServiceDescriptor";
            w.Line("/// <summary>");
            w.Line("/// Replaces the last open-generic registration of <paramref name=\"serviceType\"/> by <paramref name=\"sidecarType\"/>, keeping its");
            w.Line("/// lifetime; the implementation it named is registered again under <paramref name=\"key\"/>, which the sidecar type asks for.");
            w.Line("/// </summary>");
            w.Line("public static global::Microsoft.Extensions.DependencyInjection.IServiceCollection DecorateOpenGeneric(");
            w.Line("    global::Microsoft.Extensions.DependencyInjection.IServiceCollection services,");
            w.Line("    global::System.Type serviceType,");
            // The container activates the sidecar type through its public constructor: trimming must keep it.
            w.Line("#if NET5_0_OR_GREATER");
            w.Line("    [global::System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(global::System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)]");
            w.Line("#endif");
            w.Line("    global::System.Type sidecarType,");
            w.Line("    string key,");
            w.Line("    global::System.Action<global::Sidecar.SidecarOptions>? configure,");
            w.Line("    string method)");
            w.OpenBrace();
            w.Line("if (services is null)");
            w.Line("{");
            w.Line("    throw new global::System.ArgumentNullException(nameof(services));");
            w.Line("}");
            w.Line();
            w.Open("for (int i = services.Count - 1; i >= 0; i--)");
            w.Line(Descriptor + " original = services[i];");
            w.Line("if (original.ServiceType != serviceType || original.IsKeyedService)");
            w.Line("{");
            w.Line("    continue;");
            w.Line("}");
            w.Line();
            w.Line("if (original.ImplementationType == sidecarType)");
            w.Line("{");
            w.Line("    return services; // decorated already: once is enough");
            w.Line("}");
            w.Line();
            w.Line("if (original.ImplementationType is null)");
            w.Line("{");
            w.Line("    throw new global::System.InvalidOperationException(");
            w.Line("        method + \"() decorates the open-generic registration of \" + serviceType.FullName + \", which must name its implementation type, \"");
            w.Line("        + \"e.g. services.AddScoped(typeof(\" + OpenName(serviceType) + \"), typeof(MyImplementation<>)).\");");
            w.Line("}");
            w.Line();
            w.Line("services[i] = " + Descriptor + ".Describe(serviceType, sidecarType, original.Lifetime);");
            w.Line("services.Add(new " + Descriptor + "(serviceType, key, original.ImplementationType, original.Lifetime));");
            w.Line("services.Add(new " + Descriptor + "(typeof(SidecarConfigure), key, new SidecarConfigure(configure)));");
            w.Line("return services;");
            w.Close();
            w.Line();
            w.Line("throw new global::System.InvalidOperationException(");
            w.Line("    method + \"() decorates the open-generic registration of \" + serviceType.FullName + \", but there is none yet: register it first, \"");
            w.Line("    + \"e.g. services.AddScoped(typeof(\" + OpenName(serviceType) + \"), typeof(MyImplementation<>)). A closed registration is decorated by \"");
            w.Line("    + method + \"<...>() with its type arguments.\");");
            w.Close();
            w.Line();
            w.Line("// IRepository<> for an open generic type, as C# writes it in typeof.");
            w.Line("private static string OpenName(global::System.Type type)");
            w.Line("    => type.IsGenericTypeDefinition ? type.Name.Substring(0, type.Name.IndexOf('`')) + \"<\" + new string(',', type.GetGenericArguments().Length - 1) + \">\" : type.Name;");
            w.Line();
        }

        /// <summary>What an open-generic decoration was configured with, for the activated sidecars (keyed services only).</summary>
        private static void EmitConfigureHolder(SourceWriter w)
        {
            w.Line("/// <summary>What an <c>AddXxxSidecar()</c> of an open-generic registration was given, for the sidecars the container activates.</summary>");
            w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"Sidecar.Generators\", \"" + SidecarEmitter.GeneratorVersion + "\")]");
            w.Open("internal sealed class SidecarConfigure");
            w.Line("/// <summary>Keeps <paramref name=\"configure\"/>.</summary>");
            w.Line("public SidecarConfigure(global::System.Action<global::Sidecar.SidecarOptions>? configure) => Configure = configure;");
            w.Line();
            w.Line("/// <summary>Adjusts the options of each sidecar instance.</summary>");
            w.Line("public global::System.Action<global::Sidecar.SidecarOptions>? Configure { get; }");
            w.Close();
        }
    }
}
