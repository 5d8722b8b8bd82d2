using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using Sidecar.Generators.Diagnostics;

namespace Sidecar.CodeFixes.Tests.Infrastructure
{
    /// <summary>
    /// Code-fix tests on Microsoft.CodeAnalysis.Testing: the real <see cref="SidecarAnalyzer"/> reports the diagnostic, which
    /// must be exactly at the spans marked <c>[|like this|]</c> (the other Sidecar diagnostics are switched off); the fix
    /// titled as asked is applied, then again through "Fix all" in the document, the project and the solution, and every
    /// result must equal the expected text (with the diagnostics still marked that the fix leaves).
    /// </summary>
    internal static class CodeFixTester
    {
        /// <summary>Applies the fix titled <paramref name="title"/> to the one source and checks the result.</summary>
        public static Task VerifyAsync<TFix>(string diagnosticId, string markedSource, string title, string fixedSource)
            where TFix : CodeFixProvider, new()
            => VerifyAsync<TFix>(diagnosticId, new[] { markedSource }, title, new[] { fixedSource });

        /// <summary>Applies the fix titled <paramref name="title"/> across the sources and checks every one.</summary>
        /// <summary>
        /// Applies the fix titled <paramref name="title"/> to the first marked diagnostic only; the other diagnostics stay, and
        /// must be marked in <paramref name="fixedSource"/>.
        /// </summary>
        public static Task VerifyFirstAsync<TFix>(string diagnosticId, string markedSource, string title, string fixedSource)
            where TFix : CodeFixProvider, new()
            => VerifyAsync<TFix>(diagnosticId, new[] { markedSource }, title, new[] { fixedSource }, CodeFixTestBehaviors.FixOne | CodeFixTestBehaviors.SkipFixAllCheck);

        /// <summary>Applies the fix titled <paramref name="title"/> across the sources and checks every one.</summary>
        public static async Task VerifyAsync<TFix>(string diagnosticId, string[] markedSources, string title, string[] fixedSources, CodeFixTestBehaviors behaviors = CodeFixTestBehaviors.None)
            where TFix : CodeFixProvider, new()
        {
            var test = new SidecarFixTest<TFix>(diagnosticId, title) { CodeFixTestBehaviors = behaviors };
            test.FixedState.MarkupHandling = MarkupMode.Allow; // a diagnostic marked in the fixed text is one the fix leaves
            for (int i = 0; i < markedSources.Length; i++)
            {
                test.TestState.Sources.Add(("/0/Source" + i + ".cs", markedSources[i]));
                test.FixedState.Sources.Add(("/0/Source" + i + ".cs", fixedSources[i]));
            }

            await test.RunAsync(CancellationToken.None);
            if (!test.Offered.Contains(title))
            {
                throw new InvalidOperationException("No fix titled '" + title + "'; offered: " + string.Join(", ", test.Offered.Distinct().Select(t => "'" + t + "'")));
            }
        }

        /// <summary>The titles of the fixes offered for the one marked diagnostic, in order (none is applied).</summary>
        public static async Task<IReadOnlyList<string>> TitlesAsync<TFix>(string diagnosticId, string markedSource)
            where TFix : CodeFixProvider, new()
        {
            var test = new SidecarFixTest<TFix>(diagnosticId, title: null) { TestCode = markedSource, FixedCode = markedSource };
            await test.RunAsync(CancellationToken.None);
            return test.Offered.Distinct().ToList();
        }

        /// <summary>
        /// The titles offered for a diagnostic at the marked span that the analyzer would not report there (one computed
        /// before an edit, which the IDE can still hand to a fix): the fix must cope, usually by offering nothing.
        /// </summary>
        public static async Task<IReadOnlyList<string>> TitlesForStaleAsync<TFix>(string diagnosticId, string markedSource)
            where TFix : CodeFixProvider, new()
        {
            var test = new StaleDiagnosticTest<TFix>(diagnosticId, markedSource) { TestCode = markedSource, FixedCode = markedSource };
            await test.RunAsync(CancellationToken.None);
            return test.Offered.Distinct().ToList();
        }

        /// <summary>The references of a .NET 8 project that uses Sidecar: no download, no NuGet cache.</summary>
        internal static readonly ImmutableArray<MetadataReference> References =
            Basic.Reference.Assemblies.Net80.References.All.Cast<MetadataReference>()
                .Append(MetadataReference.CreateFromFile(typeof(SidecarAttribute).Assembly.Location))
                .ToImmutableArray();

        private sealed class SidecarFixTest<TFix> : CSharpCodeFixTest<SidecarAnalyzer, TFix, DefaultVerifier>
            where TFix : CodeFixProvider, new()
        {
            private readonly string _diagnosticId;
            private readonly string? _title;
            private string? _equivalenceKey;

            public SidecarFixTest(string diagnosticId, string? title)
            {
                _diagnosticId = diagnosticId;
                _title = title;
                ReferenceAssemblies = new ReferenceAssemblies("net8.0");
                TestState.AdditionalReferences.AddRange(References);
                // The generator is not run here (GeneratorRoundTripTests does that), so a class-form sidecar's interface
                // members are not implemented: compiler errors are not this test's business; the analyzer's are.
                CompilerDiagnostics = CompilerDiagnostics.None;
                foreach (DiagnosticDescriptor descriptor in new SidecarAnalyzer().SupportedDiagnostics)
                {
                    if (descriptor.Id != diagnosticId)
                    {
                        DisabledDiagnostics.Add(descriptor.Id);
                    }
                }
            }

            /// <summary>Every title the provider offered, whether or not it was the one applied.</summary>
            public List<string> Offered { get; } = new();

            protected override CompilationOptions CreateCompilationOptions()
                => ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);

            protected override ParseOptions CreateParseOptions()
                => ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Latest);

            // [|...|] marks the diagnostic under test.
            protected override DiagnosticDescriptor? GetDefaultDiagnostic(DiagnosticAnalyzer[] analyzers)
                => analyzers.SelectMany(a => a.SupportedDiagnostics).First(d => d.Id == _diagnosticId);

            // Only the titled fix is let through, so it is the one applied, alone and by "Fix all".
            protected override CodeFixContext CreateCodeFixContext(Document document, TextSpan span, ImmutableArray<Diagnostic> diagnostics, Action<CodeAction, ImmutableArray<Diagnostic>> registerCodeFix, CancellationToken cancellationToken)
                => base.CreateCodeFixContext(document, span, diagnostics, (action, fixes) =>
                {
                    Offered.Add(action.Title);
                    if (_title is not null && action.Title == _title)
                    {
                        _equivalenceKey ??= action.EquivalenceKey;
                    }

                    // The titled fix, and the ones "Fix all" would take with it (same equivalence key): the same fix of
                    // another diagnostic has a title of its own ("Make 'QuickOrders' partial").
                    if (_title is not null && (action.Title == _title || (_equivalenceKey is not null && action.EquivalenceKey == _equivalenceKey)))
                    {
                        registerCodeFix(action, fixes);
                    }
                }, cancellationToken);
        }

        /// <summary>A fix test whose diagnostic comes from the markup, not from the analyzer.</summary>
        private sealed class StaleDiagnosticTest<TFix> : CSharpCodeFixTest<MarkedSpanAnalyzer, TFix, DefaultVerifier>
            where TFix : CodeFixProvider, new()
        {
            private readonly DiagnosticDescriptor _descriptor;
            private readonly TextSpan[] _spans;

            public StaleDiagnosticTest(string diagnosticId, string markedSource)
            {
                _spans = TakeSpans(markedSource);
                // The spans are fixed: the framework's variants with a #pragma or an <auto-generated> header above would move them.
                TestBehaviors = TestBehaviors.SkipSuppressionCheck | TestBehaviors.SkipGeneratedCodeCheck;
                _descriptor = new DiagnosticDescriptor(diagnosticId, diagnosticId, diagnosticId, "Sidecar", DiagnosticSeverity.Error, isEnabledByDefault: true);
                ReferenceAssemblies = new ReferenceAssemblies("net8.0");
                TestState.AdditionalReferences.AddRange(References);
                CompilerDiagnostics = CompilerDiagnostics.None;
            }

            public List<string> Offered { get; } = new();

            protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers()
            {
                yield return new MarkedSpanAnalyzer(_descriptor, _spans);
            }

            protected override DiagnosticDescriptor? GetDefaultDiagnostic(DiagnosticAnalyzer[] analyzers) => _descriptor;

            protected override CodeFixContext CreateCodeFixContext(Document document, TextSpan span, ImmutableArray<Diagnostic> diagnostics, Action<CodeAction, ImmutableArray<Diagnostic>> registerCodeFix, CancellationToken cancellationToken)
                => base.CreateCodeFixContext(document, span, diagnostics, (action, _) => Offered.Add(action.Title), cancellationToken);

            private static TextSpan[] TakeSpans(string marked)
            {
                TestFileMarkupParser.GetSpans(marked, out string _, out ImmutableArray<TextSpan> spans);
                return spans.ToArray();
            }
        }
    }

    /// <summary>Reports one diagnostic at each given span of the first syntax tree: a stand-in for a stale diagnostic.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    internal sealed class MarkedSpanAnalyzer : DiagnosticAnalyzer
    {
        private readonly DiagnosticDescriptor _descriptor;
        private readonly TextSpan[] _spans;

        public MarkedSpanAnalyzer()
            : this(new DiagnosticDescriptor("NONE", "NONE", "NONE", "Sidecar", DiagnosticSeverity.Error, isEnabledByDefault: true), Array.Empty<TextSpan>())
        {
        }

        public MarkedSpanAnalyzer(DiagnosticDescriptor descriptor, TextSpan[] spans)
        {
            _descriptor = descriptor;
            _spans = spans;
        }

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(_descriptor);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSyntaxTreeAction(tree =>
            {
                foreach (TextSpan span in _spans)
                {
                    tree.ReportDiagnostic(Diagnostic.Create(_descriptor, Location.Create(tree.Tree, span)));
                }
            });
        }
    }
}
