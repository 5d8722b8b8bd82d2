using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sidecar.Generators.Tests.Infrastructure;
using Xunit;

namespace Sidecar.Generators.Tests
{
    /// <summary>DI and logging code is generated exactly when the project references those packages.</summary>
    public class DependencyInjectionGenerationTests
    {
        private const string Source = "using Sidecar; namespace App { [Sidecar] public interface IOrders { int Count(); } [Sidecar] public partial class Resilient : System.IDisposable { } [Sidecar] internal partial class Hidden : System.IServiceProvider { } [Sidecar] public interface IRepo<T> { T Get(); } public interface IBag<T> { T Take(); } [Sidecar] public partial class ResilientBag<T> : IBag<T> where T : struct { } }";

        [Fact]
        public void Without_the_dependency_injection_package_nothing_is_generated_for_it()
        {
            GeneratorResult result = TestCompilation.Run(Source);

            Assert.Equal(new[] { "App.Hidden.g.cs", "App.OrdersSidecar.g.cs", "App.RepoSidecar`1.g.cs", "App.Resilient.g.cs", "App.ResilientBag`1.g.cs" }, result.Sources.Select(s => s.HintName).OrderBy(n => n, System.StringComparer.Ordinal));
            Assert.Empty(result.CompilationProblems);
        }

        [Fact]
        public void With_the_dependency_injection_package_each_sidecar_gets_an_extension_and_the_project_one_helper()
        {
            CSharpCompilation compilation = TestCompilation.Create(Source).AddReferences(
                MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.DependencyInjection.ActivatorUtilities).Assembly.Location));
            GeneratorResult result = TestCompilation.Run(compilation);

            string[] names = result.Sources.Select(s => s.HintName).ToArray();
            Assert.Contains("App.OrdersSidecar.DependencyInjection.g.cs", names);
            Assert.Contains("App.Resilient.DependencyInjection.g.cs", names);
            Assert.Contains("Sidecar.Generated.SidecarServiceRegistration.g.cs", names);
            Assert.DoesNotContain("Sidecar.Generated.SidecarLoggingObserver.g.cs", names); // logging is not referenced
            Assert.DoesNotContain("Sidecar.Generated.SidecarCircuitsHealthCheck.g.cs", names); // nor are health checks
            // A generic sidecar: closed registrations by the extension with type arguments, open-generic ones (interface form) without.
            string repo = result.Source("App.RepoSidecar`1.DependencyInjection.g.cs");
            Assert.Contains("IServiceCollection AddRepoSidecar<T>(this global::Microsoft.Extensions.DependencyInjection.IServiceCollection services, global::System.Action<global::Sidecar.SidecarOptions>? configure = null)", repo);
            Assert.Contains("IServiceCollection AddRepoSidecar(this global::Microsoft.Extensions.DependencyInjection.IServiceCollection services, global::System.Action<global::Sidecar.SidecarOptions>? configure = null)", repo);
            Assert.Contains("typeof(global::App.IRepo<>), typeof(global::App.RepoSidecar<>.SidecarActivatedByContainer)", repo);
            // The class form's constraints travel to its extension; it has no open-generic overload (the class is the user's).
            string bag = result.Source("App.ResilientBag`1.DependencyInjection.g.cs");
            Assert.Contains("AddBagSidecar<T>(this", bag);
            Assert.Contains("where T : struct", bag);
            Assert.DoesNotContain("SidecarActivatedByContainer", bag);
            Assert.Contains("public static class OrdersSidecarServiceCollectionExtensions", result.Source("App.OrdersSidecar.DependencyInjection.g.cs"));
            // A class form is registered like the interface form, by the interface's name, as visible as the class allows.
            string resilient = result.Source("App.Resilient.DependencyInjection.g.cs");
            Assert.Contains("public static class ResilientServiceCollectionExtensions", resilient);
            Assert.Contains("public static global::Microsoft.Extensions.DependencyInjection.IServiceCollection AddDisposableSidecar(", resilient);
            // And by the class's name, which stays unambiguous when two class-form sidecars decorate one interface.
            Assert.Contains("public static global::Microsoft.Extensions.DependencyInjection.IServiceCollection AddResilient(", resilient);
            Assert.DoesNotContain("Obsolete", resilient);
            string hidden = result.Source("App.Hidden.DependencyInjection.g.cs");
            Assert.Contains("internal static class HiddenServiceCollectionExtensions", hidden);
            Assert.Contains("AddServiceProviderSidecar(", hidden);
            // (The .NET 10 package against .NET 8 reference assemblies gives CS1705 for the compilation as a whole; the generated
            // files themselves must be clean. The test project itself compiles these extensions for real, warnings as errors.)
            Assert.True(result.GeneratedCodeProblems.Count == 0, result.Describe(result.GeneratedCodeProblems));
        }
    }
}
