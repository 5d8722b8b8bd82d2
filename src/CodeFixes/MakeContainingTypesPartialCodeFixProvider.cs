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
    /// <summary>
    /// SIDECAR010: "Make containing types partial" adds <c>partial</c> to every declaration of every type the
    /// <c>[Sidecar]</c> class is nested in (classes, structs, records, interfaces) that lacks it.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeContainingTypesPartialCodeFixProvider)), Shared]
    public sealed class MakeContainingTypesPartialCodeFixProvider : CodeFixProvider
    {
        private const string Title = "Make containing types partial";
        private const string EquivalenceKey = DiagnosticIds.ContainingTypeNotPartial + ".MakeContainingTypesPartial";

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ContainingTypeNotPartial);

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

            SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            List<TypeDeclarationSyntax> containing = ContainingDeclarations(declaration, model, context.CancellationToken)
                .Where(d => !PartialModifier.IsPartial(d))
                .ToList();
            if (containing.Count == 0)
            {
                return;
            }

            Solution solution = context.Document.Project.Solution;
            context.RegisterCodeFix(
                CodeAction.Create(Title, cancellationToken => PartialModifier.AddAsync(solution, containing, cancellationToken), EquivalenceKey),
                context.Diagnostics);
        }

        private static IEnumerable<TypeDeclarationSyntax> ContainingDeclarations(TypeDeclarationSyntax declaration, SemanticModel? model, CancellationToken cancellationToken)
        {
            // Through the symbol, so that declarations of the containing types in other files are found too.
            if (model?.GetDeclaredSymbol(declaration, cancellationToken) is { } type)
            {
                for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
                {
                    foreach (SyntaxReference reference in outer.DeclaringSyntaxReferences)
                    {
                        if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax outerDeclaration)
                        {
                            yield return outerDeclaration;
                        }
                    }
                }

                yield break;
            }

            foreach (TypeDeclarationSyntax outerDeclaration in declaration.Ancestors().OfType<TypeDeclarationSyntax>())
            {
                yield return outerDeclaration;
            }
        }
    }
}
