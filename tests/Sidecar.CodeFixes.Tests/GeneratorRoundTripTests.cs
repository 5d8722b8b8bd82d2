using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Sidecar.CodeFixes.Tests.Infrastructure;
using Sidecar.Generators;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>
    /// The fixes against the diagnostics the real analyzer reports: the locations it chooses are ones the fixes
    /// understand, and taking the first fix offered each time ends with a project that builds with its sidecars.
    /// </summary>
    public class GeneratorRoundTripTests
    {
        private const string Source = """
            using System;
            using Sidecar;

            [Sidecar(Timeout = -1, Delay = 500, MaxDelay = 100, FailureThreshold = 3, BreakDuration = 0,
                     RetryOn = new[] { typeof(TimeoutException), typeof(string) }, MinimumThroughput = 20)]
            public interface IService
            {
                int Get(int id);
            }

            public class Service : IService
            {
                [Sidecar(Retries = 1)]
                public int Get(int id) => id;
            }

            [Sidecar]
            public class ResilientService : IService
            {
            }

            public class Outer
            {
                [Sidecar(Retries = 2)]
                public partial class NestedResilientService : IService
                {
                }
            }
            """;

        private static readonly CodeFixProvider[] s_providers =
        {
            new MakeClassPartialCodeFixProvider(),
            new RemoveAttributeFromClassMethodCodeFixProvider(),
            new OutOfRangeSettingCodeFixProvider(),
            new MakeContainingTypesPartialCodeFixProvider(),
            new MaxDelayBelowDelayCodeFixProvider(),
            new ZeroBreakDurationCodeFixProvider(),
            new RetryOnNotAnExceptionCodeFixProvider(),
            new SettingWithoutEffectCodeFixProvider(),
        };

        [Fact]
        public async Task Taking_the_first_fix_for_each_reported_diagnostic_leaves_a_project_that_builds()
        {
            Document document = CreateDocument(Source);
            var fixedIds = new SortedSet<string>(StringComparer.Ordinal);
            for (int round = 0; ; round++)
            {
                Assert.True(round < 20, "the fixes do not converge");
                (_, ImmutableArray<Diagnostic> diagnostics) = await RunGeneratorAsync(document);
                Diagnostic? fixable = diagnostics.FirstOrDefault(d => s_providers.Any(p => p.FixableDiagnosticIds.Contains(d.Id)));
                if (fixable is null)
                {
                    break;
                }

                // The analyzer reports in the document's own tree; the IDE hands the fix that span.
                SyntaxTree tree = (await document.GetSyntaxTreeAsync())!;
                Assert.Same(tree, fixable.Location.SourceTree);
                var descriptor = new DiagnosticDescriptor(fixable.Id, fixable.Id, fixable.Id, "Sidecar", fixable.Severity, isEnabledByDefault: true);
                Diagnostic inDocument = Diagnostic.Create(descriptor, Location.Create(tree, fixable.Location.SourceSpan));

                CodeFixProvider provider = s_providers.Single(p => p.FixableDiagnosticIds.Contains(fixable.Id));
                IReadOnlyList<CodeAction> actions = await ActionsAsync(provider, document, inDocument);
                Assert.True(actions.Count > 0, $"no fix offered for {fixable} at '{tree.GetText().ToString(fixable.Location.SourceSpan)}'");
                document = await ApplyAsync(actions[0], document);
                fixedIds.Add(fixable.Id);
            }

            Assert.Equal(new[] { "SIDECAR001", "SIDECAR007", "SIDECAR008", "SIDECAR010", "SIDECAR013", "SIDECAR014", "SIDECAR016", "SIDECAR018" }, fixedIds);
            (Compilation output, ImmutableArray<Diagnostic> remaining) = await RunGeneratorAsync(document);
            string text = (await document.GetTextAsync()).ToString();
            Assert.DoesNotContain(remaining, d => d.Severity == DiagnosticSeverity.Error);
            Assert.True(
                !output.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error),
                string.Join(Environment.NewLine, output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)) + Environment.NewLine + text);
            Assert.Contains("public partial class ResilientService : IService", text, StringComparison.Ordinal);
            Assert.Contains("public partial class Outer", text, StringComparison.Ordinal);
        }

        // Unlike the single-fix tests (Microsoft.CodeAnalysis.Testing), this one loops over whatever the generator and the
        // analyzer report after each fix, so it keeps one document in a workspace of its own.
        private static Document CreateDocument(string source)
        {
            var workspace = new AdhocWorkspace();
            Project project = workspace.AddProject(ProjectInfo.Create(
                ProjectId.CreateNewId(),
                VersionStamp.Default,
                "RoundTrip",
                "RoundTrip",
                LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                metadataReferences: CodeFixTester.References));
            return workspace.AddDocument(project.Id, "Source.cs", Microsoft.CodeAnalysis.Text.SourceText.From(source));
        }

        private static async Task<IReadOnlyList<CodeAction>> ActionsAsync(CodeFixProvider provider, Document document, Diagnostic diagnostic)
        {
            var actions = new List<CodeAction>();
            await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), System.Threading.CancellationToken.None));
            return actions;
        }

        private static async Task<Document> ApplyAsync(CodeAction action, Document document)
        {
            ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(System.Threading.CancellationToken.None);
            return Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution.GetDocument(document.Id)!;
        }

        private static async Task<(Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> RunGeneratorAsync(Document document)
        {
            Compilation compilation = (await document.Project.GetCompilationAsync())!;
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new SidecarGenerator().AsSourceGenerator() },
                parseOptions: (CSharpParseOptions)document.Project.ParseOptions!);
            driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
            ImmutableArray<Diagnostic> analyzerDiagnostics = await output
                .WithAnalyzers(ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new Sidecar.Generators.Diagnostics.SidecarAnalyzer()))
                .GetAnalyzerDiagnosticsAsync();
            return (output, analyzerDiagnostics.AddRange(generatorDiagnostics));
        }
    }
}
