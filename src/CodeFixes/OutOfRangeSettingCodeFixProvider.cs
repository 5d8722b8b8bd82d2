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
    /// SIDECAR008: for a negative <c>Retries</c>, <c>Delay</c>, <c>MaxDelay</c>, <c>FailureThreshold</c>,
    /// <c>BreakDuration</c> or <c>Timeout</c>, "Set Retries to 0" and "Remove Retries" (back to the default);
    /// for an undefined <c>Backoff</c>, "Remove Backoff".
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(OutOfRangeSettingCodeFixProvider)), Shared]
    public sealed class OutOfRangeSettingCodeFixProvider : CodeFixProvider
    {
        private static readonly ImmutableHashSet<string> s_millisecondsOrCounts =
            ImmutableHashSet.Create("Retries", "Delay", "MaxDelay", "FailureThreshold", "BreakDuration", "Timeout", "MaxConcurrency", "MinRetriesPerSecond");

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.InvalidKnob);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || SettingArguments.At(root, context.Span) is not { } argument || SettingArguments.Name(argument) is not { } name)
            {
                return;
            }

            // Equivalence keys name the setting, so that fixing all occurrences of "Set Retries to 0" leaves Delay alone.
            Document document = context.Document;
            if (s_millisecondsOrCounts.Contains(name))
            {
                ExpressionSyntax zero = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(0));
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Set {name} to 0",
                        cancellationToken => SettingArguments.ReplaceValueAsync(document, argument, zero, cancellationToken),
                        DiagnosticIds.InvalidKnob + ".SetToZero." + name),
                    context.Diagnostics);
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Remove {name}",
                    cancellationToken => SettingArguments.RemoveAsync(document, argument, cancellationToken),
                    DiagnosticIds.InvalidKnob + ".Remove." + name),
                context.Diagnostics);
        }
    }
}
