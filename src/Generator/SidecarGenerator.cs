using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Sidecar.Generators.Emitting;
using Sidecar.Generators.Model;
using Sidecar.Generators.Parsing;

namespace Sidecar.Generators
{
    /// <summary>
    /// Writes a resilient decorator for every interface or partial class marked <c>[Sidecar]</c>.
    /// attribute → parser → equatable model → emitter. The diagnostics the parser finds are reported by
    /// <see cref="Diagnostics.SidecarAnalyzer"/>, at real locations; the generator only skips what it cannot generate.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class SidecarGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ParseResult> types = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    SidecarParser.AttributeName,
                    static (node, _) => node is InterfaceDeclarationSyntax or ClassDeclarationSyntax or RecordDeclarationSyntax,
                    static (ctx, ct) => SidecarParser.ParseType(ctx, ct))
                .WithTrackingName(TrackingNames.Types);

            // [Sidecar] on methods: interfaces that have no [Sidecar] of their own get a sidecar decorating just those
            // methods. Several annotated methods name the same interface, hence the de-duplication.
            IncrementalValuesProvider<ParseResult> methods = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    SidecarParser.AttributeName,
                    static (node, _) => node is MethodDeclarationSyntax,
                    static (ctx, ct) => SidecarParser.ParseMethod(ctx, ct))
                .Where(static r => r is not null)
                .Select(static (r, _) => r!)
                .Collect()
                .SelectMany(static (results, _) => results.Distinct().ToImmutableArray())
                .WithTrackingName(TrackingNames.Methods);

            IncrementalValuesProvider<ServiceModel> models = types.Select(static (r, _) => r.Model)
                .Where(static m => m is not null)
                .Select(static (m, _) => m!)
                .WithTrackingName(TrackingNames.Models);
            IncrementalValuesProvider<ServiceModel> methodModels = methods.Select(static (r, _) => r.Model)
                .Where(static m => m is not null)
                .Select(static (m, _) => m!)
                .WithTrackingName(TrackingNames.MethodModels);

            context.RegisterSourceOutput(models, static (spc, model) => Emit(spc, model));
            context.RegisterSourceOutput(methodModels, static (spc, model) => Emit(spc, model));

            // Optional integrations, generated only when the project references what they need.
            IncrementalValueProvider<HostCapabilities> capabilities = context.CompilationProvider
                .Select(static (compilation, _) => HostCapabilities.From(compilation))
                .WithTrackingName(TrackingNames.Capabilities);
            context.RegisterSourceOutput(models.Combine(capabilities), static (spc, pair) => EmitRegistration(spc, pair.Left, pair.Right));
            context.RegisterSourceOutput(methodModels.Combine(capabilities), static (spc, pair) => EmitRegistration(spc, pair.Left, pair.Right));
            context.RegisterSourceOutput(capabilities, static (spc, capabilities) =>
            {
                if (capabilities.DependencyInjection)
                {
                    spc.AddSource("Sidecar.Generated.SidecarServiceRegistration.g.cs", SourceText.From(DependencyInjectionEmitter.EmitSharedHelper(capabilities), System.Text.Encoding.UTF8));
                    if (capabilities.Logging)
                    {
                        spc.AddSource("Sidecar.Generated.SidecarLoggingObserver.g.cs", SourceText.From(DependencyInjectionEmitter.EmitLoggingObserver(), System.Text.Encoding.UTF8));
                    }

                    if (capabilities.HealthChecks)
                    {
                        spc.AddSource("Sidecar.Generated.SidecarCircuitsHealthCheck.g.cs", SourceText.From(HealthChecksEmitter.Emit(), System.Text.Encoding.UTF8));
                    }
                }
            });
        }

        private static void EmitRegistration(SourceProductionContext context, ServiceModel model, HostCapabilities capabilities)
        {
            if (capabilities.DependencyInjection && DependencyInjectionEmitter.Supports(model))
            {
                context.AddSource(model.HintName + ".DependencyInjection.g.cs", SourceText.From(DependencyInjectionEmitter.EmitExtension(model, capabilities), System.Text.Encoding.UTF8));
            }
        }

        private static void Emit(SourceProductionContext context, ServiceModel model)
        {
            string source;
            try
            {
                source = SidecarEmitter.Emit(model);
            }
            catch (System.Exception ex) when (ex is not System.OperationCanceledException)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Diagnostics.DiagnosticDescriptors.InternalError, Location.None, model.ClassName, ex.GetType().Name + ": " + ex.Message));
                return;
            }

            context.AddSource(model.HintName + ".g.cs", SourceText.From(source, System.Text.Encoding.UTF8));
        }
    }
}
