using System;
using System.Collections.Generic;

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
        /// one of its full names: the member must be one it decorates (a misspelt member would otherwise be ignored without a
        /// word), and may set the knobs of a circuit, bulkhead or retry budget only if it has its own. Entries by a simple name
        /// are not checked here, since another service may share it; <see cref="Validate"/>, which knows every service, checks
        /// them. Generated constructors call this once.
        /// </summary>
        /// <exception cref="ArgumentException">An entry names a member the service does not have, or sets a shared knob for a member that shares its circuit.</exception>
        public static void Check(SidecarService service, SidecarOptions? options)
        {
            IDictionary<string, SidecarPolicyOverride>? overrides = options?.Overrides;
            if (overrides is null || overrides.Count == 0 || service.AllMembers)
            {
                return;
            }

            foreach (KeyValuePair<string, SidecarPolicyOverride> entry in overrides)
            {
                bool byFullName = false;
                string? member = null;
                foreach (string name in service.OverrideNames)
                {
                    if (MemberOf(entry.Key, name) is { } found)
                    {
                        member = found;
                        byFullName = byFullName || SidecarService.Contains(service.FullNames, name);
                    }
                }

                if (member is not null && Problem(service, entry.Key, member, entry.Value, byFullName) is { } problem)
                {
                    throw new ArgumentException(problem, nameof(options));
                }
            }
        }

        /// <summary>
        /// Every mistake in <paramref name="overrides"/> given the services that exist: an entry that names none of them (or a
        /// member none of them has), and a shared knob set for a member that shares its circuit. Empty when all is well.
        /// </summary>
        public static List<string> Validate(IDictionary<string, SidecarPolicyOverride> overrides, IReadOnlyCollection<SidecarService> services)
        {
            var problems = new List<string>();
            foreach (KeyValuePair<string, SidecarPolicyOverride> entry in overrides)
            {
                bool named = false;
                string? noSuchMember = null;
                string? misplaced = null;
                foreach (SidecarService service in services)
                {
                    foreach (string name in service.OverrideNames)
                    {
                        if (string.Equals(entry.Key, name, StringComparison.OrdinalIgnoreCase))
                        {
                            named = true;
                        }
                        else if (MemberOf(entry.Key, name) is { } member)
                        {
                            if (!service.HasMember(member))
                            {
                                noSuchMember ??= NoSuchMember(service, entry.Key, member);
                                continue;
                            }

                            named = true;
                            misplaced ??= Misplaced(service, entry.Key, member, entry.Value);
                        }
                    }
                }

                if (misplaced is not null)
                {
                    problems.Add(misplaced);
                }
                else if (!named)
                {
                    problems.Add(noSuchMember ?? Unknown(entry.Key, services));
                }
            }

            return problems;
        }

        /// <summary>The message that lists <paramref name="problems"/>.</summary>
        public static string Describe(IEnumerable<string> problems)
            => "The Sidecar overrides are not valid:" + Environment.NewLine + " - " + string.Join(Environment.NewLine + " - ", problems);

        private static string Unknown(string key, IReadOnlyCollection<SidecarService> services)
        {
            var names = new List<string>();
            foreach (SidecarService service in services)
            {
                foreach (string name in service.OverrideNames)
                {
                    names.Add(name);
                    foreach (string member in service.MemberNames)
                    {
                        names.Add(name + "." + member);
                    }
                }
            }

            string known = services.Count == 0
                ? "no sidecar is registered"
                : "the services are " + string.Join(", ", Names(services));
            string? nearest = OverrideSettings.Nearest(key, names);
            return "The override '" + key + "' names no decorated service or member (" + known + ")" + (nearest is null ? "." : "; did you mean '" + nearest + "'?");

            static IEnumerable<string> Names(IReadOnlyCollection<SidecarService> services)
            {
                foreach (SidecarService service in services)
                {
                    yield return service.Name;
                }
            }
        }

        /// <summary>What is wrong with <paramref name="key"/>'s entry for <paramref name="member"/> of <paramref name="service"/>, or <c>null</c>.</summary>
        private static string? Problem(SidecarService service, string key, string member, SidecarPolicyOverride? value, bool byFullName)
            => !service.HasMember(member)
                ? byFullName ? NoSuchMember(service, key, member) : null
                : Misplaced(service, key, member, value);

        private static string NoSuchMember(SidecarService service, string key, string member)
        {
            string? nearest = OverrideSettings.Nearest(member, service.MemberNames);
            return "The override '" + key + "' names no member of " + service.Name + " that a sidecar decorates; its members are: " + string.Join(", ", service.MemberNames)
                + (nearest is null ? "." : "; did you mean '" + key.Substring(0, key.Length - member.Length) + nearest + "'?");
        }

        private static string? Misplaced(SidecarService service, string key, string member, SidecarPolicyOverride? value)
            => value?.SharedKnob() is { } shared && !service.OwnsCircuit(member)
                ? "The override '" + key + "' sets " + shared + ", which belongs to the circuit, bulkhead and retry budget " + member + " shares with the rest of " + service.Name + ": set it under the service's name instead, or give the method its own with [Sidecar(" + shared + " = ...)]."
                : null;

        /// <summary>
        /// The policy of a pipeline serving <paramref name="members"/> of <paramref name="service"/>: the compiled-in one with
        /// the service's entries applied (in the order of <see cref="SidecarService.OverrideNames"/>: simple names, then full
        /// names), and the policies of members that have entries of their own.
        /// </summary>
        public static SidecarPolicy Resolve(SidecarService service, SidecarPolicy policy, SidecarOptions options, string[]? members, string[]? ownKnobs, out Dictionary<string, SidecarPolicy>? memberPolicies)
        {
            memberPolicies = null;
            IDictionary<string, SidecarPolicyOverride> overrides = options.Overrides;
            if (overrides is null || overrides.Count == 0)
            {
                return policy;
            }

            // A member with a circuit (bulkhead, budget) of its own may have its shared knobs set by its own entry, and
            // only by it: the service's entry is about the service's circuit.
            bool ownCircuit = !string.Equals(policy.CircuitName, service.Name, StringComparison.Ordinal);
            SidecarPolicy resolved = Layer(policy, string.Empty, ForService, sharedAllowed: true);

            foreach (string key in overrides.Keys)
            {
                string? member = null;
                foreach (string name in service.OverrideNames)
                {
                    member ??= MemberOf(key, name);
                }

                if (member is null || (members is not null && !SidecarService.Contains(members, member)) || memberPolicies?.ContainsKey(member) == true)
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

            // Each name's entry in turn, the strongest last, each as select lets it through.
            SidecarPolicy Layer(SidecarPolicy layered, string suffix, Func<SidecarPolicyOverride?, SidecarPolicyOverride?> select, bool sharedAllowed)
            {
                foreach (string name in service.OverrideNames)
                {
                    layered = Apply(layered, select(Find(name + suffix)), name + suffix, sharedAllowed);
                }

                return layered;
            }

            SidecarPolicyOverride? Find(string key) => overrides.TryGetValue(key, out SidecarPolicyOverride? found) ? found : null;
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
