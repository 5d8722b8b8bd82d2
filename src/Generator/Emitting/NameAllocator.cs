using System.Collections.Generic;

namespace Sidecar.Generators.Emitting
{
    /// <summary>Hands out identifiers that do not clash with the names already in scope.</summary>
    internal sealed class NameAllocator
    {
        private readonly HashSet<string> _taken;

        public NameAllocator(IEnumerable<string> taken) => _taken = new HashSet<string>(taken, System.StringComparer.Ordinal);

        public string Allocate(string name)
        {
            string candidate = name;
            for (int i = 2; !_taken.Add(candidate); i++)
            {
                candidate = name + i;
            }

            return candidate;
        }
    }
}
