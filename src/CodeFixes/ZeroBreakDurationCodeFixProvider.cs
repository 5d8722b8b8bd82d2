using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Sidecar.Generators.CodeFixes.Editing;

namespace Sidecar.Generators.CodeFixes
{
    /// <summary>SIDECAR014, on a <c>BreakDuration = 0</c> argument: "Remove BreakDuration", so the default 5000 ms applies.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ZeroBreakDurationCodeFixProvider)), Shared]
    public sealed class ZeroBreakDurationCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ZeroBreakDuration);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc/>
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);

            // Reported on FailureThreshold instead when BreakDuration 0 comes from the type's attribute: nothing here to remove then.
            if (root is null || SettingArguments.At(root, context.Span) is not { } breakDuration || SettingArguments.Name(breakDuration) != "BreakDuration")
            {
                return;
            }

            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Remove BreakDuration",
                    cancellationToken => SettingArguments.RemoveAsync(document, breakDuration, cancellationToken),
                    DiagnosticIds.ZeroBreakDuration + ".Remove"),
                context.Diagnostics);
        }
    }
}
