using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sidecar.Generators.Tests.Infrastructure;
using Xunit;

namespace Sidecar.Generators.Tests
{
    /// <summary>
    /// The diagnostics come from <c>SidecarAnalyzer</c> at locations in the user's trees, so the compiler's own ways of
    /// silencing a warning work, and each diagnostic is reported once: the generator reports none of the parser's.
    /// </summary>
    public sealed class AnalyzerTests
    {
        private const string TwoWarnings = """
            using Sidecar;

            [Sidecar(Delay = 500, MaxDelay = 100)]
            public interface IFirst { void M(); }

            [Sidecar(Delay = 800, MaxDelay = 200)]
            public interface ISecond { void M(); }
            """;

        [Fact]
        public void Without_a_suppression_both_warnings_are_reported_once_each_by_the_analyzer_alone()
        {
            GeneratorResult result = TestCompilation.Run(TwoWarnings);

            Assert.Equal(new[] { "IFirst", "ISecond" }, Sidecar013On(result.Output));
            Assert.Empty(result.GeneratorDiagnostics);
            Assert.Equal(2, result.Diagnostics.Count(d => d.Id == "SIDECAR013"));
            Assert.All(result.Diagnostics, d => Assert.True(d.Location.IsInSource && result.Output.SyntaxTrees.Contains(d.Location.SourceTree)));
        }

        [Fact]
        public void Pragma_warning_disable_and_restore_silence_the_warning_between_them()
        {
            string source = TwoWarnings
                .Replace("[Sidecar(Delay = 500", "#pragma warning disable SIDECAR013\n[Sidecar(Delay = 500")
                .Replace("public interface IFirst { void M(); }", "public interface IFirst { void M(); }\n#pragma warning restore SIDECAR013");

            GeneratorResult result = TestCompilation.Run(source);

            Assert.Equal(new[] { "ISecond" }, Sidecar013On(result.Output));
        }

        [Fact]
        public void SuppressMessage_on_the_interface_silences_its_warning()
        {
            string source = TwoWarnings.Replace(
                "[Sidecar(Delay = 500, MaxDelay = 100)]",
                "[Sidecar(Delay = 500, MaxDelay = 100)]\n[System.Diagnostics.CodeAnalysis.SuppressMessage(\"Sidecar\", \"SIDECAR013\", Justification = \"a test\")]");

            GeneratorResult result = TestCompilation.Run(source);

            Assert.Equal(new[] { "ISecond" }, Sidecar013On(result.Output));
        }

        [Theory]
        [InlineData("none", 0, null)]
        [InlineData("error", 2, DiagnosticSeverity.Error)]
        [InlineData("suggestion", 2, DiagnosticSeverity.Info)]
        public void An_editorconfig_severity_applies(string severity, int expected, DiagnosticSeverity? reportedAs)
        {
            AnalyzerConfigSet editorconfig = AnalyzerConfigSet.Create(new[]
            {
                AnalyzerConfig.Parse("root = true\n[*.cs]\ndotnet_diagnostic.SIDECAR013.severity = " + severity + "\n", "/project/.editorconfig"),
            });
            CSharpCompilation compilation = TestCompilation.Create(TwoWarnings);
            SyntaxTree tree = compilation.SyntaxTrees.Single();
            SyntaxTree placed = tree.WithFilePath("/project/Services.cs");
            compilation = compilation.ReplaceSyntaxTree(tree, placed);
            compilation = compilation.WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(new EditorConfigOptions(editorconfig)));

            ImmutableArray<Diagnostic> reported = GeneratorResult.AnalyzerDiagnostics(compilation);

            Diagnostic[] sidecar013 = reported.Where(d => d.Id == "SIDECAR013").ToArray();
            Assert.Equal(expected, sidecar013.Length);
            Assert.All(sidecar013, d => Assert.Equal(reportedAs, d.Severity));
        }

        [Fact]
        public void An_error_in_a_method_only_interface_and_on_a_class_method_is_reported_once()
        {
            GeneratorResult result = TestCompilation.Run("""
                using Sidecar;
                public interface IFoo { [Sidecar(Retries = -1)] void M(); [Sidecar(Delay = -1)] void N(); }
                public class C { [Sidecar] public void M() { } [Sidecar] public void N() { } }
                """);

            Assert.Equal(new[] { "SIDECAR007", "SIDECAR007", "SIDECAR008", "SIDECAR008" }, result.Diagnostics.Select(d => d.Id).OrderBy(id => id));
            Assert.Empty(result.GeneratorDiagnostics);
        }

        private static string[] Sidecar013On(Compilation compilation)
            => GeneratorResult.AnalyzerDiagnostics(compilation)
                .Where(d => d.Id == "SIDECAR013")
                .Select(d => d.Location.SourceTree!.GetRoot().FindNode(d.Location.SourceSpan).AncestorsAndSelf()
                    .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InterfaceDeclarationSyntax>().First().Identifier.Text)
                .OrderBy(n => n)
                .ToArray();

        /// <summary>What the compiler builds from <c>.editorconfig</c> files: the severity of each diagnostic per tree.</summary>
        private sealed class EditorConfigOptions : SyntaxTreeOptionsProvider
        {
            private readonly AnalyzerConfigSet _set;

            public EditorConfigOptions(AnalyzerConfigSet set) => _set = set;

            public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

            public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
                => _set.GetOptionsForSourcePath(tree.FilePath).TreeOptions.TryGetValue(diagnosticId, out severity);

            public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
            {
                severity = ReportDiagnostic.Default;
                return false;
            }
        }
    }
}
