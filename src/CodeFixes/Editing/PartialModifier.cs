using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Sidecar.Generators.CodeFixes.Editing
{
    /// <summary>Adds <c>partial</c> to type declarations.</summary>
    internal static class PartialModifier
    {
        public static bool IsPartial(TypeDeclarationSyntax declaration) => declaration.Modifiers.Any(SyntaxKind.PartialKeyword);

        /// <summary>The type declaration whose identifier is at <paramref name="span"/>, where the generator reports it.</summary>
        public static TypeDeclarationSyntax? DeclarationNamedAt(SyntaxNode root, TextSpan span)
        {
            if (!root.FullSpan.Contains(span))
            {
                return null;
            }

            SyntaxToken token = root.FindToken(span.Start);
            return token.Parent is TypeDeclarationSyntax declaration && declaration.Identifier == token ? declaration : null;
        }

        /// <summary>
        /// Adds <c>partial</c> as the last modifier, right before the type keyword: after accessibility, <c>static</c>,
        /// <c>abstract</c>, <c>sealed</c> (the conventional order) and after <c>ref</c> or <c>readonly</c>, where C# requires it.
        /// </summary>
        public static TypeDeclarationSyntax Add(TypeDeclarationSyntax declaration)
        {
            if (IsPartial(declaration))
            {
                return declaration;
            }

            if (declaration.Modifiers.Count == 0)
            {
                // The keyword carries the declaration's indentation (and any comment above it when there is no
                // attribute); 'partial' takes it over so the keyword follows on the same line.
                SyntaxToken keyword = declaration.Keyword;
                SyntaxToken partial = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
                return declaration
                    .WithKeyword(keyword.WithLeadingTrivia(SyntaxFactory.TriviaList()))
                    .WithModifiers(SyntaxFactory.TokenList(partial));
            }

            return declaration.WithModifiers(declaration.Modifiers.Add(
                SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
        }

        /// <summary>Adds <c>partial</c> to every one of <paramref name="declarations"/> that lacks it, in whichever document it is.</summary>
        public static async Task<Solution> AddAsync(Solution solution, IEnumerable<TypeDeclarationSyntax> declarations, CancellationToken cancellationToken)
        {
            // Resolve every document before changing any, while the trees still belong to the solution.
            var byDocument = declarations
                .Where(d => !IsPartial(d))
                .GroupBy(d => d.SyntaxTree)
                .Select(g => (Document: solution.GetDocument(g.Key), Declarations: g.ToList()))
                .Where(g => g.Document is not null) // a declaration in generated code or outside the solution is left alone
                .ToList();

            Solution result = solution;
            foreach ((Document? document, List<TypeDeclarationSyntax> inDocument) in byDocument)
            {
                SyntaxNode root = await inDocument[0].SyntaxTree.GetRootAsync(cancellationToken).ConfigureAwait(false);
                SyntaxNode newRoot = root.ReplaceNodes(inDocument, static (_, rewritten) => Add(rewritten));
                result = result.WithDocumentSyntaxRoot(document!.Id, newRoot);
            }

            return result;
        }
    }
}
