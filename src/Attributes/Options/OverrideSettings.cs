using System;
using System.Collections.Generic;
using System.Globalization;

namespace Sidecar
{
    /// <summary>
    /// Reads run-time overrides from flat configuration settings (<c>IOrderService:Retries</c> = <c>5</c>) against the
    /// knob catalogue, strictly: every setting that names no knob, a knob that cannot be overridden, or a value of the
    /// wrong type or out of range is an error, and all of them are reported together.
    /// </summary>
    internal static class OverrideSettings
    {
        public static void Read(IDictionary<string, SidecarPolicyOverride> overrides, IEnumerable<KeyValuePair<string, string?>> settings)
        {
            var errors = new List<string>();
            var read = new Dictionary<string, SidecarPolicyOverride>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, string?> setting in settings)
            {
                string key = setting.Key ?? string.Empty;
                int colon = key.LastIndexOf(':');
                if (colon < 0)
                {
                    if (setting.Value is not null)
                    {
                        errors.Add("'" + key + "' = '" + setting.Value + "' names no knob: settings are '<service or Service.Member>:<knob>'");
                    }

                    continue; // a section: the entry's name
                }

                string entry = key.Substring(0, colon);
                string name = key.Substring(colon + 1);
                if (entry.Length == 0 || entry.IndexOf(':') >= 0)
                {
                    errors.Add("'" + key + "' is not '<service or Service.Member>:<knob>'");
                    continue;
                }

                if (setting.Value is null)
                {
                    errors.Add("'" + key + "' has no value" + (Find(name) is null ? Suggestion(name) : string.Empty));
                    continue;
                }

                if (Find(name) is not { } knob)
                {
                    errors.Add("'" + key + "' names no knob" + Suggestion(name));
                    continue;
                }

                if (!knob.Overridable)
                {
                    errors.Add("'" + key + "': " + knob.Name + " cannot be overridden at run time; it is compiled in from [Sidecar]");
                    continue;
                }

                if (Parse(knob, setting.Value.Trim()) is not double value)
                {
                    errors.Add("'" + key + "' = '" + setting.Value + "' is not " + Expected(knob));
                    continue;
                }

                if (!knob.IsValid(value))
                {
                    errors.Add("'" + key + "' = '" + setting.Value + "' is out of range: " + knob.Hint);
                    continue;
                }

                if (!read.TryGetValue(entry, out SidecarPolicyOverride? target))
                {
                    read[entry] = target = overrides.TryGetValue(entry, out SidecarPolicyOverride? existing) ? existing : new SidecarPolicyOverride();
                }

                target.Set(knob.Id, value);
            }

            if (errors.Count > 0)
            {
                throw new ArgumentException("The Sidecar overrides are not valid:" + Environment.NewLine + " - " + string.Join(Environment.NewLine + " - ", errors), nameof(settings));
            }

            foreach (KeyValuePair<string, SidecarPolicyOverride> entry in read)
            {
                overrides[entry.Key] = entry.Value;
            }
        }

        /// <summary>The knob called <paramref name="name"/>, ignoring case as configuration keys do.</summary>
        private static Knob? Find(string name)
            => Array.Find(Knobs.All, k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));

        private static double? Parse(Knob knob, string text)
        {
            switch (knob.Type)
            {
                case KnobType.Int32:
                    return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) ? number : null;
                case KnobType.Double:
                    return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) ? real : null;
                case KnobType.Boolean:
                    return bool.TryParse(text, out bool flag) ? (flag ? 1 : 0) : null;
                case KnobType.Backoff:
                    for (int backoff = (int)knob.Minimum; backoff <= knob.Maximum; backoff++)
                    {
                        if (string.Equals(text, knob.Format(backoff), StringComparison.OrdinalIgnoreCase))
                        {
                            return backoff; // by name only: "2" is not accepted for Exponential
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }

        private static string Expected(Knob knob) => knob.Type switch
        {
            KnobType.Int32 => "a whole number" + (knob.Unit.Length > 0 ? " (" + knob.Unit + ")" : string.Empty),
            KnobType.Double => "a number, e.g. 0.5",
            KnobType.Boolean => "true or false",
            _ => "a Backoff: Constant, Linear or Exponential",
        };

        /// <summary>"; did you mean Retries?" for a name a letter or two away from a knob's.</summary>
        private static string Suggestion(string name)
        {
            var names = new List<string>();
            foreach (Knob knob in Knobs.All)
            {
                names.Add(knob.Name);
            }

            return Nearest(name, names) is { } best ? "; did you mean " + best + "?" : string.Empty;
        }

        /// <summary>The candidate a letter or two away from <paramref name="name"/> (ignoring case), or <c>null</c>.</summary>
        internal static string? Nearest(string name, IEnumerable<string> candidates)
        {
            string? best = null;
            int bestDistance = 3;
            foreach (string candidate in candidates)
            {
                int distance = Distance(name.ToUpperInvariant(), candidate.ToUpperInvariant());
                if (distance < bestDistance)
                {
                    best = candidate;
                    bestDistance = distance;
                }
            }

            return best;
        }

        private static int Distance(string a, string b)
        {
            var row = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                row[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                int diagonal = row[0];
                row[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int above = row[j];
                    row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                    diagonal = above;
                }
            }

            return row[b.Length];
        }
    }
}
