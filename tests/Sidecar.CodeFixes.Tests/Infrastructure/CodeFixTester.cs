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
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Sidecar.CodeFixes.Tests.Infrastructure
{
    /// <summary>
    /// Runs a code fix the way the IDE does: a workspace with the sources, a diagnostic at a marked span, the provider's
    /// actions, the chosen action's changes applied. Spans are marked <c>[|like this|]</c> and must cover exactly one
    /// token or node, as the generator's locations do.
    /// </summary>
    internal static class CodeFixTester
    {
        private const string Open = "[|";
        private const string Close = "|]";

        private static readonly ImmutableArray<MetadataReference> s_references =
            Basic.Reference.Assemblies.Net80.References.All.Cast<MetadataReference>()
                .Append(MetadataReference.CreateFromFile(typeof(SidecarAttribute).Assembly.Location))
                .ToImmutableArray();

        /// <summary>Applies the fix titled <paramref name="title"/> and returns the text of the one document.</summary>
        public static async Task<string> ApplyAsync(CodeFixProvider provider, string diagnosticId, string markedSource, string title)
            => (await ApplyAsync(provider, diagnosticId, title, new[] { markedSource })).Single();

        /// <summary>Applies the fix titled <paramref name="title"/> for the one marked span among the sources; returns every document's text.</summary>
        public static async Task<IReadOnlyList<string>> ApplyAsync(CodeFixProvider provider, string diagnosticId, string title, string[] markedSources)
        {
            TestProject project = TestProject.Create(diagnosticId, markedSources);
            Diagnostic diagnostic = Assert.Single(project.Diagnostics);
            CodeAction action = (await ActionsAsync(provider, project.DocumentOf(diagnostic), diagnostic))
                .SingleOrDefault(a => a.Title == title)
                ?? throw new Xunit.Sdk.XunitException($"no fix titled '{title}'; offered: {string.Join(", ", (await TitlesAsync(provider, diagnosticId, markedSources)).Select(t => "'" + t + "'"))}");
            return await ApplyAsync(project, action);
        }

        /// <summary>The titles of the fixes offered for the one marked span, in order.</summary>
        public static async Task<IReadOnlyList<string>> TitlesAsync(CodeFixProvider provider, string diagnosticId, params string[] markedSources)
        {
            TestProject project = TestProject.Create(diagnosticId, markedSources);
            Diagnostic diagnostic = Assert.Single(project.Diagnostics);
            return (await ActionsAsync(provider, project.DocumentOf(diagnostic), diagnostic)).Select(a => a.Title).ToList();
        }

        /// <summary>
        /// Fixes every marked span of the document at once through the provider's fix-all provider, with the
        /// equivalence key of the fix titled <paramref name="title"/> at the first span (what "Fix all occurrences" does).
        /// </summary>
        public static async Task<string> FixAllInDocumentAsync(CodeFixProvider provider, string diagnosticId, string markedSource, string title)
        {
            TestProject project = TestProject.Create(diagnosticId, new[] { markedSource });
            Document document = project.Documents.Single();
            CodeAction first = (await ActionsAsync(provider, document, project.Diagnostics[0])).Single(a => a.Title == title);

            FixAllProvider fixAll = provider.GetFixAllProvider() ?? throw new Xunit.Sdk.XunitException("the provider has no fix-all provider");
            var context = new FixAllContext(
                document,
                provider,
                FixAllScope.Document,
                first.EquivalenceKey,
                new[] { diagnosticId },
                new FixedDiagnosticProvider(project.Diagnostics),
                CancellationToken.None);
            CodeAction action = await fixAll.GetFixAsync(context) ?? throw new Xunit.Sdk.XunitException("fix all produced no action");
            return (await ApplyAsync(project, action)).Single();
        }

        /// <summary>A document without markers in a project of its own, for running the real generator over it.</summary>
        public static Document CreateDocument(string source) => TestProject.Create("SIDECAR", new[] { source }).Documents.Single();

        /// <summary>The fixes <paramref name="provider"/> offers for <paramref name="diagnostic"/> in <paramref name="document"/>.</summary>
        public static Task<IReadOnlyList<CodeAction>> ActionsFor(CodeFixProvider provider, Document document, Diagnostic diagnostic)
            => ActionsAsync(provider, document, diagnostic);

        /// <summary><paramref name="document"/> as <paramref name="action"/> leaves it.</summary>
        public static async Task<Document> ApplyAsync(CodeAction action, Document document)
        {
            ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
            return Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution.GetDocument(document.Id)!;
        }

        private static async Task<IReadOnlyList<CodeAction>> ActionsAsync(CodeFixProvider provider, Document document, Diagnostic diagnostic)
        {
            Assert.Contains(diagnostic.Id, provider.FixableDiagnosticIds);
            var actions = new List<CodeAction>();
            var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
            await provider.RegisterCodeFixesAsync(context);
            return actions;
        }

        private static async Task<IReadOnlyList<string>> ApplyAsync(TestProject project, CodeAction action)
        {
            ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
            Solution changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
            var texts = new List<string>();
            foreach (Document original in project.Documents)
            {
                Document document = changed.GetDocument(original.Id)!;
                SyntaxTree tree = (await document.GetSyntaxTreeAsync())!;
                Assert.DoesNotContain(tree.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
                texts.Add((await document.GetTextAsync()).ToString());
            }

            return texts;
        }

        /// <summary>An in-memory project whose documents are the sources with the span markers taken out.</summary>
        private sealed class TestProject
        {
            private TestProject(IReadOnlyList<Document> documents, IReadOnlyList<Diagnostic> diagnostics)
            {
                Documents = documents;
                Diagnostics = diagnostics;
            }

            public IReadOnlyList<Document> Documents { get; }

            /// <summary>One diagnostic per marked span, in source order.</summary>
            public IReadOnlyList<Diagnostic> Diagnostics { get; }

            public Document DocumentOf(Diagnostic diagnostic)
                => Documents.Single(d => d.FilePath == diagnostic.Location.GetLineSpan().Path);

            public static TestProject Create(string diagnosticId, IReadOnlyList<string> markedSources)
            {
                var workspace = new AdhocWorkspace();
                var projectId = ProjectId.CreateNewId();
                Solution solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
                    projectId,
                    VersionStamp.Default,
                    "CodeFixTest",
                    "CodeFixTest",
                    LanguageNames.CSharp,
                    compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                    parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                    metadataReferences: s_references));

                var descriptor = new DiagnosticDescriptor(diagnosticId, diagnosticId, diagnosticId, "Sidecar", DiagnosticSeverity.Error, isEnabledByDefault: true);
                var marked = new List<(DocumentId Id, IReadOnlyList<TextSpan> Spans)>();
                for (int i = 0; i < markedSources.Count; i++)
                {
                    (string source, IReadOnlyList<TextSpan> spans) = TakeMarkers(markedSources[i]);
                    DocumentId id = DocumentId.CreateNewId(projectId);
                    solution = solution.AddDocument(DocumentInfo.Create(
                        id,
                        "Source" + i + ".cs",
                        loader: TextLoader.From(TextAndVersion.Create(SourceText.From(source), VersionStamp.Default)),
                        filePath: "/src/Source" + i + ".cs"));
                    marked.Add((id, spans));
                }

                Assert.True(workspace.TryApplyChanges(solution));
                var documents = new List<Document>();
                var diagnostics = new List<Diagnostic>();
                foreach ((DocumentId id, IReadOnlyList<TextSpan> spans) in marked)
                {
                    Document document = workspace.CurrentSolution.GetDocument(id)!;
                    SyntaxTree tree = document.GetSyntaxTreeAsync().GetAwaiter().GetResult()!;
                    SyntaxNode root = tree.GetRoot();
                    foreach (TextSpan span in spans)
                    {
                        Assert.True(
                            root.FindToken(span.Start).Span == span || root.FindNode(span).Span == span,
                            $"the marked span '{tree.GetText().ToString(span)}' is not a whole token or node");

                        // The IDE hands generator diagnostics to code fixes with a location in the document's tree.
                        diagnostics.Add(Diagnostic.Create(descriptor, Location.Create(tree, span)));
                    }

                    documents.Add(document);
                }

                return new TestProject(documents, diagnostics);
            }

            private static (string Source, IReadOnlyList<TextSpan> Spans) TakeMarkers(string marked)
            {
                var spans = new List<TextSpan>();
                string source = marked;
                for (int open = source.IndexOf(Open, StringComparison.Ordinal); open >= 0; open = source.IndexOf(Open, StringComparison.Ordinal))
                {
                    source = source.Remove(open, Open.Length);
                    int close = source.IndexOf(Close, open, StringComparison.Ordinal);
                    Assert.True(close >= 0, "a [| marker is not closed");
                    source = source.Remove(close, Close.Length);
                    spans.Add(TextSpan.FromBounds(open, close));
                }

                return (source, spans);
            }
        }

        private sealed class FixedDiagnosticProvider : FixAllContext.DiagnosticProvider
        {
            private readonly IReadOnlyList<Diagnostic> _diagnostics;

            public FixedDiagnosticProvider(IReadOnlyList<Diagnostic> diagnostics) => _diagnostics = diagnostics;

            public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
                => Task.FromResult(_diagnostics.Where(d => d.Location.GetLineSpan().Path == document.FilePath));

            public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
                => Task.FromResult(Enumerable.Empty<Diagnostic>());

            public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
                => Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);
        }
    }
}
