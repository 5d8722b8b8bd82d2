using System;
using System.Collections.Generic;

namespace Sidecar
{
    /// <summary>
    /// Who a generated sidecar is, for <see cref="SidecarOptions.Overrides"/>: its name (also its circuit's), the other names
    /// an override may use, and the members it decorates. Each generated sidecar class exposes its own as a static
    /// <c>Service</c> field; <see cref="SidecarOptions.ValidateOverrides"/> checks overrides against a set of them.
    /// </summary>
    public sealed class SidecarService
    {
        private static readonly string[] s_none = Array.Empty<string>();
        private readonly SidecarMember[] _handles;

        /// <summary>Describes a sidecar.</summary>
        /// <param name="name">The full name of the decorated interface (interface form) or of the sidecar class (class form).</param>
        /// <param name="members">The names of the decorated members.</param>
        /// <param name="membersWithOwnCircuit">The members whose own <c>[Sidecar]</c> gives them a circuit, bulkhead or budget of their own.</param>
        /// <param name="aliases">Other full names overrides may use: for the class form, the interfaces the class decorates.</param>
        public SidecarService(string name, string[] members, string[]? membersWithOwnCircuit = null, string[]? aliases = null)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            MemberNames = members ?? throw new ArgumentNullException(nameof(members));
            OwnCircuitNames = membersWithOwnCircuit ?? s_none;
            AliasNames = aliases ?? s_none;
            OverrideNames = NamesInPrecedence(name, AliasNames);
            AllMembers = false;
            _handles = new SidecarMember[members.Length];
            for (int i = 0; i < members.Length; i++)
            {
                _handles[i] = new SidecarMember(this, members[i], i);
            }
        }

        private SidecarService(string name)
        {
            Name = name;
            MemberNames = s_none;
            OwnCircuitNames = s_none;
            AliasNames = s_none;
            OverrideNames = NamesInPrecedence(name, AliasNames);
            AllMembers = true;
            _handles = Array.Empty<SidecarMember>();
        }

        /// <summary>The full name of the decorated interface (interface form) or sidecar class (class form).</summary>
        public string Name { get; }

        /// <summary>Other full names overrides may use (the class form's interfaces).</summary>
        public IReadOnlyList<string> Aliases => AliasNames;

        /// <summary>The handle generated code passes to its pipeline for <paramref name="member"/>.</summary>
        /// <param name="member">One of <see cref="Members"/> (ordinal).</param>
        /// <exception cref="ArgumentException"><paramref name="member"/> is not one of <see cref="Members"/>.</exception>
        [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
        public SidecarMember Member(string member)
        {
            int index = Array.IndexOf(MemberNames, member);
            return index >= 0 ? _handles[index] : throw new ArgumentException("'" + member + "' is not a member of " + Name + ".", nameof(member));
        }

        /// <summary>The decorated members, by name.</summary>
        public IReadOnlyList<string> Members => MemberNames;

        /// <summary>The members with a circuit, bulkhead and retry budget of their own.</summary>
        public IReadOnlyList<string> MembersWithOwnCircuit => OwnCircuitNames;

        internal string[] MemberNames { get; }

        internal string[] OwnCircuitNames { get; }

        internal string[] AliasNames { get; }

        /// <summary>
        /// The names an override may be keyed by, the weakest first: the simple names (the aliases', then the service's), then
        /// the full names (the aliases', then the service's). A later name's entry wins over an earlier one's.
        /// </summary>
        internal string[] OverrideNames { get; }

        /// <summary>
        /// Whether the members are unknown (a pipeline built by hand from a name): any member name is accepted.
        /// </summary>
        internal bool AllMembers { get; }

        /// <summary>The full names: the service's and its aliases'.</summary>
        internal IEnumerable<string> FullNames
        {
            get
            {
                yield return Name;
                foreach (string alias in AliasNames)
                {
                    yield return alias;
                }
            }
        }

        /// <summary>A description from a name alone, for pipelines made by hand: every member name is accepted.</summary>
        internal static SidecarService Named(string name) => new(name ?? throw new ArgumentNullException(nameof(name)));

        internal bool HasMember(string member) => AllMembers || Contains(MemberNames, member);

        internal bool OwnsCircuit(string member) => Contains(OwnCircuitNames, member);

        /// <summary>Whether <paramref name="names"/> holds <paramref name="name"/>, ignoring case as override keys do.</summary>
        internal static bool Contains(IEnumerable<string> names, string name)
        {
            foreach (string candidate in names)
            {
                if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        internal static string? SimpleName(string name)
        {
            // The last dot outside a type argument list: IRepository<Shop.Order> is the simple name of Data.IRepository<Shop.Order>.
            int depth = 0;
            for (int i = name.Length - 1; i >= 0; i--)
            {
                char c = name[i];
                if (c == '>')
                {
                    depth++;
                }
                else if (c == '<')
                {
                    depth--;
                }
                else if (c == '.' && depth == 0)
                {
                    return name.Substring(i + 1);
                }
            }

            return null;
        }

        /// <inheritdoc/>
        public override string ToString() => Name;

        private static string[] NamesInPrecedence(string name, string[] aliases)
        {
            // Simple names (the aliases', then the service's), then full names (likewise): each name once, in its last place.
            var names = new List<string>();
            foreach (string alias in aliases)
            {
                Append(names, SimpleName(alias));
            }

            Append(names, SimpleName(name));
            foreach (string alias in aliases)
            {
                Append(names, alias);
            }

            Append(names, name);
            return names.ToArray();

            static void Append(List<string> names, string? candidate)
            {
                if (candidate is not null)
                {
                    names.RemoveAll(n => string.Equals(n, candidate, StringComparison.OrdinalIgnoreCase));
                    names.Add(candidate);
                }
            }
        }
    }
}
