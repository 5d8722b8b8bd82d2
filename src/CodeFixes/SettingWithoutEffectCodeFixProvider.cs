using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Sidecar.Generators.CodeFixes.Editing;

namespace Sidecar.Generators.CodeFixes
{
    /// <summary>SIDECAR018, on a setting that refines a knob that is off (e.g. <c>SamplingDuration</c> without <c>FailureRatio</c>): "Remove SamplingDuration".</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SettingWithoutEffectCodeFixProvider)), Shared]
    public sealed class SettingWithoutEffectCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.SettingWithoutEffect);

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

            // Equivalence keys name the setting, so that fixing all "Remove SamplingDuration" leaves MinimumThroughput alone.
            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Remove " + name,
                    cancellationToken => SettingArguments.RemoveAsync(document, argument, cancellationToken),
                    DiagnosticIds.SettingWithoutEffect + ".Remove." + name),
                context.Diagnostics);
        }
    }
}
