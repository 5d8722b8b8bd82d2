using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sidecar.Generators.CodeFixes.Editing;

namespace Sidecar.Generators.CodeFixes
{
    /// <summary>
    /// SIDECAR007: "Remove [Sidecar]" deletes the attribute from the class method, and its brackets when it was alone in them.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveAttributeFromClassMethodCodeFixProvider)), Shared]
    public sealed class RemoveAttributeFromClassMethodCodeFixProvider : CodeFixProvider
    {
        private const string Title = "Remove [Sidecar]";
        private const string EquivalenceKey = DiagnosticIds.AttributeOnClassMethod + ".RemoveAttribute";

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.AttributeOnClassMethod);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || !root.FullSpan.Contains(context.Span)
                || root.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeSyntax>() is not { Parent: AttributeListSyntax { Parent: not null } } attribute)
            {
                return;
            }

            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(Title, cancellationToken => RemoveAsync(document, attribute, cancellationToken), EquivalenceKey),
                context.Diagnostics);
        }

        private static async Task<Document> RemoveAsync(Document document, AttributeSyntax attribute, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            var list = (AttributeListSyntax)attribute.Parent!;
            if (list.Attributes.Count > 1)
            {
                AttributeListSyntax shorter = list.WithAttributes(SeparatedLists.RemoveAt(list.Attributes, list.Attributes.IndexOf(attribute)));
                return document.WithSyntaxRoot(root.ReplaceNode(list, shorter));
            }

            // The whole [...] goes with the line break after it. When it opened the declaration, its leading trivia
            // (indentation, documentation comment) is what now opens the declaration.
            SyntaxNode owner = list.Parent!;
            bool opensDeclaration = owner.GetFirstToken() == list.GetFirstToken();
            SyntaxNode withoutList = owner.RemoveNode(list, SyntaxRemoveOptions.KeepNoTrivia)!;
            if (opensDeclaration)
            {
                withoutList = withoutList.WithLeadingTrivia(list.GetLeadingTrivia());
            }

            return document.WithSyntaxRoot(root.ReplaceNode(owner, withoutList));
        }
    }
}
