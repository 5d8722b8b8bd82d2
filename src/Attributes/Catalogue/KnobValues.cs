// The values of the knob catalogue's scalar knobs (Knobs.cs), compared by value. Compiled, like the catalogue, into the
// runtime (namespace Sidecar) and, linked, into the generator and the code fixes (namespace Sidecar.Generators.Catalogue).
using System;

#if SIDECAR_ANALYZER
namespace Sidecar.Generators.Catalogue
#else
namespace Sidecar
#endif
{
    /// <summary>
    /// The value of every scalar knob (<see cref="Knob.IsScalar"/>), one slot per <see cref="KnobId"/>; immutable, compared
    /// by value. A bool is 0 or 1, a <c>Backoff</c> its number.
    /// </summary>
    internal readonly struct KnobValues : IEquatable<KnobValues>
    {
        private readonly double[]? _values;

        private KnobValues(double[] values) => _values = values;

        /// <summary>Every knob at its default.</summary>
        public static KnobValues Defaults { get; } = CreateDefaults();

        /// <summary>The value of <paramref name="id"/>.</summary>
        public double this[KnobId id] => (_values ?? Defaults._values!)[(int)id];

        /// <summary>The value of <paramref name="id"/>, an <see cref="int"/> knob.</summary>
        public int Int32(KnobId id) => (int)this[id];

        /// <summary>Whether <paramref name="id"/> is on: above zero (true, for a flag).</summary>
        public bool IsOn(KnobId id) => this[id] > 0;

        /// <summary>Whether any of <paramref name="ids"/> is on.</summary>
        public bool AnyOn(KnobId[] ids) => Array.Exists(ids, IsOn);

        /// <summary>Values from an array with one slot per <see cref="KnobId"/> (taken, not copied).</summary>
        public static KnobValues From(double[] values)
            => values.Length == Knobs.All.Length ? new KnobValues(values) : throw new ArgumentException("One value per knob is needed.", nameof(values));

        /// <summary>A copy of the values, one slot per <see cref="KnobId"/>.</summary>
        public double[] ToArray() => (double[])(_values ?? Defaults._values!).Clone();

        /// <summary>A copy with <paramref name="id"/> set to <paramref name="value"/>.</summary>
        public KnobValues With(KnobId id, double value)
        {
            var copy = (double[])(_values ?? Defaults._values!).Clone();
            copy[(int)id] = value;
            return new KnobValues(copy);
        }

        /// <summary>The first knob whose value is not valid, or <c>null</c>.</summary>
        public Knob? FirstInvalid()
        {
            foreach (Knob knob in Knobs.All)
            {
                if (knob.IsScalar && !knob.IsValid(this[knob.Id]))
                {
                    return knob;
                }
            }

            return null;
        }

        public bool Equals(KnobValues other)
        {
            double[] mine = _values ?? Defaults._values!;
            double[] theirs = other._values ?? Defaults._values!;
            if (ReferenceEquals(mine, theirs))
            {
                return true;
            }

            for (int i = 0; i < mine.Length; i++)
            {
                if (!mine[i].Equals(theirs[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => obj is KnobValues other && Equals(other);

        public override int GetHashCode()
        {
            int hash = 17;
            foreach (double value in _values ?? Defaults._values!)
            {
                hash = unchecked((hash * 31) + value.GetHashCode());
            }

            return hash;
        }

        private static KnobValues CreateDefaults()
        {
            var values = new double[Knobs.All.Length];
            foreach (Knob knob in Knobs.All)
            {
                values[(int)knob.Id] = knob.Default;
            }

            return new KnobValues(values);
        }
    }
}
