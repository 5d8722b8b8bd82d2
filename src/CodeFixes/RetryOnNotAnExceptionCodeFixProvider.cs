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
    /// SIDECAR016, on a <c>typeof(X)</c> in the RetryOn (or NeverRetryOn) array (<c>new[] { ... }</c>,
    /// <c>new Type[] { ... }</c> or <c>[...]</c>): "Remove X from RetryOn"; when X is the only element, the whole
    /// argument goes.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RetryOnNotAnExceptionCodeFixProvider)), Shared]
    public sealed class RetryOnNotAnExceptionCodeFixProvider : CodeFixProvider
    {
        private const string EquivalenceKey = DiagnosticIds.RetryOnNotAnException + ".RemoveFromRetryOn";

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.RetryOnNotAnException);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || !root.FullSpan.Contains(context.Span)
                || root.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<TypeOfExpressionSyntax>() is not { } typeOf
                || typeOf.FirstAncestorOrSelf<AttributeArgumentSyntax>() is not { } retryOn
                || SettingArguments.Name(retryOn) is not ("RetryOn" or "NeverRetryOn")
                || SettingArguments.At(root, retryOn.Span) != retryOn
                || !IsElementOf(typeOf, retryOn))
            {
                return;
            }

            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Remove {typeOf.Type} from {SettingArguments.Name(retryOn)}",
                    cancellationToken => RemoveAsync(document, typeOf, retryOn, cancellationToken),
                    EquivalenceKey),
                context.Diagnostics);
        }

        /// <summary>Whether <paramref name="typeOf"/> is an element of the array that is the value of <paramref name="retryOn"/>.</summary>
        private static bool IsElementOf(TypeOfExpressionSyntax typeOf, AttributeArgumentSyntax retryOn) => typeOf.Parent switch
        {
            InitializerExpressionSyntax { Parent: ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax } initializer
                => initializer.Parent == retryOn.Expression,
            ExpressionElementSyntax { Parent: CollectionExpressionSyntax collection } => collection == retryOn.Expression,
            _ => false,
        };

        private static async Task<Document> RemoveAsync(Document document, TypeOfExpressionSyntax typeOf, AttributeArgumentSyntax retryOn, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            switch (typeOf.Parent)
            {
                case InitializerExpressionSyntax initializer when initializer.Expressions.Count > 1:
                    return document.WithSyntaxRoot(root.ReplaceNode(
                        initializer,
                        initializer.WithExpressions(SeparatedLists.RemoveAt(initializer.Expressions, initializer.Expressions.IndexOf(typeOf)))));
                case ExpressionElementSyntax { Parent: CollectionExpressionSyntax collection } element when collection.Elements.Count > 1:
                    return document.WithSyntaxRoot(root.ReplaceNode(
                        collection,
                        collection.WithElements(SeparatedLists.RemoveAt(collection.Elements, collection.Elements.IndexOf(element)))));
                default:
                    // The only type listed. An empty array would read as "retry on nothing" though it means
                    // "retry on anything"; without the setting the code says what it does.
                    return await SettingArguments.RemoveAsync(document, retryOn, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
