using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sidecar.Generators.CodeFixes.Editing
{
    /// <summary>Removes an element from a comma-separated list and leaves the layout as if it had never been there.</summary>
    internal static class SeparatedLists
    {
        /// <summary>
        /// Removes the element at <paramref name="index"/> with one comma: the comma after it when there is one
        /// (the next element takes over the removed one's indentation), otherwise the comma before it (the previous
        /// element takes over what followed the removed one, such as a line break before a closing bracket).
        /// The list must have at least two elements, or one followed by a trailing comma.
        /// </summary>
        public static SeparatedSyntaxList<T> RemoveAt<T>(SeparatedSyntaxList<T> list, int index)
            where T : SyntaxNode
        {
            List<SyntaxNodeOrToken> items = list.GetWithSeparators().ToList();
            int position = 2 * index;
            SyntaxNodeOrToken removed = items[position];
            if (position + 1 < items.Count)
            {
                items.RemoveRange(position, 2);
                if (position < items.Count)
                {
                    items[position] = items[position].WithLeadingTrivia(removed.GetLeadingTrivia());
                }
            }
            else
            {
                items.RemoveRange(position - 1, 2);
                items[position - 2] = items[position - 2].WithTrailingTrivia(removed.GetTrailingTrivia());
            }

            return SyntaxFactory.SeparatedList<T>(items);
        }
    }
}
