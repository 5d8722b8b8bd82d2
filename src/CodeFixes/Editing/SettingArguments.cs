using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Sidecar.Generators.CodeFixes.Editing
{
    /// <summary>Finds and edits the named arguments (settings) of a <c>[Sidecar]</c> attribute.</summary>
    internal static class SettingArguments
    {
        /// <summary>The named argument at <paramref name="span"/>, where the generator reports setting diagnostics.</summary>
        public static AttributeArgumentSyntax? At(SyntaxNode root, TextSpan span)
        {
            if (!root.FullSpan.Contains(span))
            {
                return null;
            }

            AttributeArgumentSyntax? argument = root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>();
            return argument is { NameEquals: not null, Parent: AttributeArgumentListSyntax { Parent: AttributeSyntax } } ? argument : null;
        }

        public static string? Name(AttributeArgumentSyntax argument) => argument.NameEquals?.Name.Identifier.ValueText;

        /// <summary>The argument named <paramref name="name"/> in the same attribute as <paramref name="argument"/>.</summary>
        public static AttributeArgumentSyntax? Sibling(AttributeArgumentSyntax argument, string name)
            => (argument.Parent as AttributeArgumentListSyntax)?.Arguments.FirstOrDefault(a => Name(a) == name);

        /// <summary>Replaces the value of <paramref name="argument"/>, keeping the layout around it.</summary>
        public static async Task<Document> ReplaceValueAsync(Document document, AttributeArgumentSyntax argument, ExpressionSyntax value, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            return document.WithSyntaxRoot(root.ReplaceNode(argument.Expression, value.WithTriviaFrom(argument.Expression)));
        }

        /// <summary>Removes <paramref name="argument"/>; an attribute left without arguments loses its parentheses too.</summary>
        public static async Task<Document> RemoveAsync(Document document, AttributeArgumentSyntax argument, CancellationToken cancellationToken)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            var list = (AttributeArgumentListSyntax)argument.Parent!;
            var attribute = (AttributeSyntax)list.Parent!;
            AttributeSyntax fixedAttribute = list.Arguments.Count == 1
                ? attribute.WithArgumentList(null).WithName(attribute.Name.WithTrailingTrivia(list.GetTrailingTrivia()))
                : attribute.WithArgumentList(list.WithArguments(SeparatedLists.RemoveAt(list.Arguments, list.Arguments.IndexOf(argument))));
            return document.WithSyntaxRoot(root.ReplaceNode(attribute, fixedAttribute));
        }
    }
}
