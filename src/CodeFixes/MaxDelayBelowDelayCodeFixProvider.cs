using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sidecar.Generators.CodeFixes.Editing;

namespace Sidecar.Generators.CodeFixes
{
    /// <summary>
    /// SIDECAR013, on a <c>MaxDelay</c> argument: "Set MaxDelay to Delay" when the same attribute gives <c>Delay</c> as
    /// a literal, and "Remove MaxDelay" (back to the default cap).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MaxDelayBelowDelayCodeFixProvider)), Shared]
    public sealed class MaxDelayBelowDelayCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.MaxDelayBelowDelay);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);

            // Reported on Delay instead when MaxDelay comes from the type's attribute: nothing here to edit then.
            if (root is null || SettingArguments.At(root, context.Span) is not { } maxDelay || SettingArguments.Name(maxDelay) != "MaxDelay")
            {
                return;
            }

            Document document = context.Document;
            if (SettingArguments.Sibling(maxDelay, "Delay")?.Expression is LiteralExpressionSyntax delay && delay.IsKind(SyntaxKind.NumericLiteralExpression))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Set MaxDelay to Delay",
                        cancellationToken => SettingArguments.ReplaceValueAsync(document, maxDelay, delay, cancellationToken),
                        DiagnosticIds.MaxDelayBelowDelay + ".SetToDelay"),
                    context.Diagnostics);
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Remove MaxDelay",
                    cancellationToken => SettingArguments.RemoveAsync(document, maxDelay, cancellationToken),
                    DiagnosticIds.MaxDelayBelowDelay + ".Remove"),
                context.Diagnostics);
        }
    }
}
