using System;

namespace Sidecar
{
    /// <summary>
    /// The one place run-time overrides (<see cref="SidecarOptions.Overrides"/>) are checked and layered over the
    /// compiled-in policy: a service's entries by simple then full name, then a member's own entries, with the knobs of a
    /// circuit, bulkhead or retry budget kept to the level that owns them.
    /// </summary>
    internal static class OverrideResolver
    {
        /// <summary>
        /// Checks the entries of <see cref="SidecarOptions.Overrides"/> that name a member of <paramref name="service"/> by
        /// its full name: the member must be one of <paramref name="members"/> (a misspelt member would otherwise be ignored
        /// without a word), and may set the knobs of a circuit, bulkhead or retry budget only if it is one of
        /// <paramref name="ownCircuits"/>. Entries by the simple name are not checked: another service may share it.
        /// Generated constructors call this once.
        /// </summary>
        /// <exception cref="ArgumentException">An entry names a member the service does not have, or sets a shared knob for a member that shares its circuit.</exception>
        public static void Check(string service, SidecarOptions? options, string[] members, string[]? ownCircuits)
        {
            System.Collections.Generic.IDictionary<string, SidecarPolicyOverride>? overrides = options?.Overrides;
            if (overrides is null || overrides.Count == 0 || service is null || members is null)
            {
                return;
            }

            string? simple = SimpleName(service);
            foreach (System.Collections.Generic.KeyValuePair<string, SidecarPolicyOverride> entry in overrides)
            {
                string? member = MemberOf(entry.Key, service);
                if (member is not null && !Contains(members, member))
                {
                    throw new ArgumentException(
                        "The override '" + entry.Key + "' names no member of " + service + " that a sidecar decorates; its members are: " + string.Join(", ", members) + ".",
                        nameof(options));
                }

                member ??= simple is null ? null : MemberOf(entry.Key, simple);
                if (member is not null && Contains(members, member) && entry.Value?.SharedKnob() is { } shared && (ownCircuits is null || !Contains(ownCircuits, member)))
                {
                    throw new ArgumentException(
                        "The override '" + entry.Key + "' sets " + shared + ", which belongs to the circuit, bulkhead and retry budget " + member + " shares with the rest of " + service + ": set it under the service's name instead, or give the method its own with [Sidecar(" + shared + " = ...)].",
                        nameof(options));
                }
            }
        }

        /// <summary>
        /// The policy of a pipeline serving <paramref name="members"/> of <paramref name="service"/>: the compiled-in one with
        /// the service's entries applied (simple name, then full name), and the policies of members that have entries of their own.
        /// </summary>
        public static SidecarPolicy Resolve(string service, SidecarPolicy policy, SidecarOptions options, string[]? members, string[]? ownKnobs, out System.Collections.Generic.Dictionary<string, SidecarPolicy>? memberPolicies)
        {
            memberPolicies = null;
            System.Collections.Generic.IDictionary<string, SidecarPolicyOverride> overrides = options.Overrides;
            if (overrides is null || overrides.Count == 0)
            {
                return policy;
            }

            // A member with a circuit (bulkhead, budget) of its own may have its shared knobs set by its own entry, and
            // only by it: the service's entry is about the service's circuit.
            bool ownCircuit = !string.Equals(policy.CircuitName, service, StringComparison.Ordinal);
            string? simple = SimpleName(service);
            SidecarPolicy resolved = Layer(policy, string.Empty, ForService, sharedAllowed: true);

            foreach (string key in overrides.Keys)
            {
                string? member = MemberOf(key, service) ?? (simple is null ? null : MemberOf(key, simple));
                if (member is null || (members is not null && !Contains(members, member)))
                {
                    continue;
                }

                SidecarPolicy own = Layer(resolved, "." + member, static value => value, sharedAllowed: ownCircuit);
                if (members is not null && members.Length == 1 && ownCircuit)
                {
                    // The pipeline serves this member alone and owns its circuit: its entry may reshape the circuit too.
                    resolved = own;
                }

                (memberPolicies ??= new(StringComparer.OrdinalIgnoreCase))[member] = own; // keys are case-insensitive, member part too
            }

            return resolved;

            SidecarPolicyOverride? ForService(SidecarPolicyOverride? value)
            {
                if (value is null)
                {
                    return null;
                }

                if (ownKnobs is not null && ownKnobs.Length > 0)
                {
                    value = value.Without(ownKnobs);
                }

                return ownCircuit ? value.WithoutShared() : value;
            }

            // The entry under the simple name, then the one under the full name (which wins), each as select lets it through.
            SidecarPolicy Layer(SidecarPolicy layered, string suffix, Func<SidecarPolicyOverride?, SidecarPolicyOverride?> select, bool sharedAllowed)
            {
                if (simple is not null)
                {
                    layered = Apply(layered, select(Find(simple + suffix)), simple + suffix, sharedAllowed);
                }

                return Apply(layered, select(Find(service + suffix)), service + suffix, sharedAllowed);
            }

            SidecarPolicyOverride? Find(string key) => overrides.TryGetValue(key, out SidecarPolicyOverride? found) ? found : null;
        }

        private static string? SimpleName(string service)
        {
            int dot = service.LastIndexOf('.');
            return dot >= 0 ? service.Substring(dot + 1) : null;
        }

        private static bool Contains(string[] names, string name)
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

        private static string? MemberOf(string key, string prefix)
            => key.Length > prefix.Length + 1 && key[prefix.Length] == '.' && key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && key.IndexOf('.', prefix.Length + 1) < 0
                ? key.Substring(prefix.Length + 1)
                : null;

        private static SidecarPolicy Apply(SidecarPolicy policy, SidecarPolicyOverride? value, string key, bool sharedAllowed)
        {
            if (value is null)
            {
                return policy;
            }

            if (!sharedAllowed && value.SharedKnob() is not null)
            {
                // Not this pipeline's to apply (CheckOverrides reports a misplaced one): an overload may own a circuit
                // while this one shares the service's.
                value = value.WithoutShared();
            }

            try
            {
                return policy.With(value);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new ArgumentException("The override '" + key + "' is not valid: " + ex.Message, "options", ex);
            }
        }
    }
}
