using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sidecar.Generators.CodeFixes.Editing;

namespace Sidecar.Generators.CodeFixes
{
    /// <summary>SIDECAR001: "Make 'C' partial" adds <c>partial</c> to every declaration of the <c>[Sidecar]</c> class.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeClassPartialCodeFixProvider)), Shared]
    public sealed class MakeClassPartialCodeFixProvider : CodeFixProvider
    {
        private const string EquivalenceKey = DiagnosticIds.ClassNotPartial + ".MakePartial";

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ClassNotPartial);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || PartialModifier.DeclarationNamedAt(root, context.Span) is not { } declaration)
            {
                return;
            }

            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Make '{declaration.Identifier.ValueText}' partial",
                    cancellationToken => MakePartialAsync(document, declaration, cancellationToken),
                    EquivalenceKey),
                context.Diagnostics);
        }

        private static async Task<Solution> MakePartialAsync(Document document, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
        {
            // Every declaration must be partial, including those in other files.
            SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            IEnumerable<TypeDeclarationSyntax> declarations = model?.GetDeclaredSymbol(declaration, cancellationToken) is { } type
                ? type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>()
                : new[] { declaration };
            return await PartialModifier.AddAsync(document.Project.Solution, declarations, cancellationToken).ConfigureAwait(false);
        }
    }
}
