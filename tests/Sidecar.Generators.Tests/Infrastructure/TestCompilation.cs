using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Sidecar.Generators.Tests.Infrastructure
{
    /// <summary>Compiles source in memory against the .NET 8 reference assemblies and Sidecar.dll, and runs the generator.</summary>
    internal static class TestCompilation
    {
        /// <summary>The .NET 8 reference assemblies and Sidecar.dll.</summary>
        public static ImmutableArray<MetadataReference> References => s_references;

        private static readonly ImmutableArray<MetadataReference> s_references =
            Basic.Reference.Assemblies.Net80.References.All.Cast<MetadataReference>()
                .Append(MetadataReference.CreateFromFile(typeof(SidecarAttribute).Assembly.Location))
                .ToImmutableArray();

        public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

        public static CSharpCompilation Create(params string[] sources) => Create(sources, allowUnsafe: false);

        public static CSharpCompilation Create(IEnumerable<string> sources, bool allowUnsafe, CSharpParseOptions? parseOptions = null, IEnumerable<MetadataReference>? references = null)
            => CSharpCompilation.Create(
                "TestAssembly" + Guid.NewGuid().ToString("N"),
                sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parseOptions ?? ParseOptions, path: "Source" + i + ".cs")),
                references ?? s_references,
                new CSharpCompilationOptions(
                    OutputKind.DynamicallyLinkedLibrary,
                    nullableContextOptions: NullableContextOptions.Enable,
                    allowUnsafe: allowUnsafe,
                    generalDiagnosticOption: ReportDiagnostic.Default));

        public static GeneratorResult Run(params string[] sources) => Run(Create(sources));

        public static GeneratorResult Run(CSharpCompilation compilation)
        {
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new SidecarGenerator().AsSourceGenerator() },
                parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);

            // Every test runs the generator twice, as NetEscapades.EnumGenerators' tests do: on a copy of the same
            // compilation, every step of the generator's own must be Cached or Unchanged and every output Cached.
            AssertSecondRunIsCached(driver.GetRunResult(), driver.RunGenerators(compilation.Clone()).GetRunResult());
            return new GeneratorResult(driver, output, generatorDiagnostics);
        }

        /// <summary>The step names the generator tracks, read from <c>TrackingNames</c> rather than repeated here.</summary>
        public static IReadOnlyList<string> TrackingNames { get; } = typeof(Sidecar.Generators.TrackingNames)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();

        private static void AssertSecondRunIsCached(GeneratorDriverRunResult first, GeneratorDriverRunResult second)
        {
            GeneratorRunResult before = first.Results.Single();
            GeneratorRunResult after = second.Results.Single();
            if (before.Exception is not null)
            {
                return; // a crash is what the test is about; it asserts on SIDECAR000 itself
            }

            foreach (string step in TrackingNames)
            {
                Xunit.Assert.Equal(before.TrackedSteps.ContainsKey(step), after.TrackedSteps.ContainsKey(step));
                if (!after.TrackedSteps.TryGetValue(step, out ImmutableArray<IncrementalGeneratorRunStep> steps))
                {
                    continue;
                }

                Xunit.Assert.Equal(before.TrackedSteps[step].Length, steps.Length);
                foreach ((object Value, IncrementalStepRunReason Reason) output in steps.SelectMany(s => s.Outputs))
                {
                    Xunit.Assert.True(
                        output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        "The second run of the same compilation re-ran step " + step + " (" + output.Reason + ") for " + output.Value);
                }
            }

            foreach (IncrementalStepRunReason reason in after.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason))
            {
                Xunit.Assert.Equal(IncrementalStepRunReason.Cached, reason);
            }

            Xunit.Assert.Equal(
                before.GeneratedSources.Select(s => s.HintName + "\n" + s.SourceText),
                after.GeneratedSources.Select(s => s.HintName + "\n" + s.SourceText));
        }
    }

    internal sealed record GeneratorResult(GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
    {
        private ImmutableArray<Diagnostic> _diagnostics;

        /// <summary>
        /// What a build reports for Sidecar: the analyzer's diagnostics over the compilation with the generated sources (as
        /// a build runs it: suppressions apply), then the generator's own (only SIDECAR000 for a failure of its emitter).
        /// </summary>
        public ImmutableArray<Diagnostic> Diagnostics
        {
            get
            {
                if (_diagnostics.IsDefault)
                {
                    _diagnostics = AnalyzerDiagnostics(Output).AddRange(GeneratorDiagnostics);
                }

                return _diagnostics;
            }
        }

        /// <summary>The Sidecar analyzer's diagnostics over <paramref name="compilation"/>.</summary>
        public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation)
            => compilation
                .WithAnalyzers(ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new Sidecar.Generators.Diagnostics.SidecarAnalyzer()))
                .GetAnalyzerDiagnosticsAsync()
                .GetAwaiter()
                .GetResult();

        public GeneratorDriverRunResult RunResult => Driver.GetRunResult();

        public IEnumerable<(string HintName, string Source)> Sources
            => RunResult.Results.SelectMany(r => r.GeneratedSources).Select(s => (s.HintName, s.SourceText.ToString()));

        public string Source(string hintName) => Sources.Single(s => s.HintName == hintName).Source;

        /// <summary>Errors and warnings of the whole compilation after generation (hidden and info left out).</summary>
        public IReadOnlyList<Diagnostic> CompilationProblems
            => Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

        public IReadOnlyList<Diagnostic> GeneratedCodeProblems
            => CompilationProblems.Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true).ToList();

        public string Describe(IEnumerable<Diagnostic> diagnostics)
            => string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));

        /// <summary>Emits the compilation and loads it in a collectible context.</summary>
        public Assembly Load()
        {
            using var stream = new MemoryStream();
            var emit = Output.Emit(stream);
            if (!emit.Success)
            {
                throw new InvalidOperationException("Compilation failed:" + Environment.NewLine + Describe(emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            }

            stream.Position = 0;
            return new AssemblyLoadContext(null, isCollectible: true).LoadFromStream(stream);
        }
    }
}
