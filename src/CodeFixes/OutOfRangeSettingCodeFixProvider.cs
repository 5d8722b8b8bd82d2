using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Sidecar.Generators.Catalogue;
using Sidecar.Generators.CodeFixes.Editing;

namespace Sidecar.Generators.CodeFixes
{
    /// <summary>
    /// SIDECAR008: for a number out of its knob's range (the knob catalogue's), "Set Retries to 0" (the nearest valid
    /// value: <c>HalfOpenProbes = 0</c> becomes 1, <c>FailureRatio = 1.5</c> becomes 1) and "Remove Retries" (back to the
    /// default); for an undefined <c>Backoff</c>, "Remove Backoff".
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(OutOfRangeSettingCodeFixProvider)), Shared]
    public sealed class OutOfRangeSettingCodeFixProvider : CodeFixProvider
    {
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
            if (Knobs.Find(name) is { Type: KnobType.Int32 or KnobType.Double } knob)
            {
                SemanticModel? model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
                object? written = model?.GetConstantValue(argument.Expression, context.CancellationToken).Value;
                double nearest = knob.Clamp(written is null ? knob.Minimum : System.Convert.ToDouble(written, CultureInfo.InvariantCulture));
                ExpressionSyntax literal = Math.Floor(nearest) == nearest && Math.Abs(nearest) <= int.MaxValue
                    ? SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal((int)nearest))
                    : SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(nearest));
                string shown = knob.Format(nearest);
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Set {name} to {shown}",
                        cancellationToken => SettingArguments.ReplaceValueAsync(document, argument, literal, cancellationToken),
                        DiagnosticIds.InvalidKnob + ".SetToNearest." + name),
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
