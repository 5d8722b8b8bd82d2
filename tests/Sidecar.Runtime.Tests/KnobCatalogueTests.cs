using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>
    /// The knob catalogue (<c>src/Attributes/Catalogue/Knobs.cs</c>) is the one description of every knob: the attribute,
    /// the override, the policy's constructor and the README's table must each agree with it, knob by knob.
    /// </summary>
    public sealed class KnobCatalogueTests
    {
        public static IEnumerable<object[]> AllKnobs => Knobs.All.Select(k => new object[] { k.Name });

        /// <summary>The knobs the attribute and the policy's constructor have: all but the run-time-only ones (chaos).</summary>
        public static IEnumerable<object[]> CompiledKnobs => Knobs.All.Where(k => !k.RunTimeOnly).Select(k => new object[] { k.Name });

        public static IEnumerable<object[]> CompiledScalarKnobs => Knobs.All.Where(k => k.IsScalar && !k.RunTimeOnly).Select(k => new object[] { k.Name });

        public static IEnumerable<object[]> ScalarKnobs => Knobs.All.Where(k => k.IsScalar).Select(k => new object[] { k.Name });

        [Theory]
        [MemberData(nameof(CompiledKnobs))]
        public void The_attribute_has_the_knob_with_the_catalogue_default(string name)
        {
            Knob knob = Knobs.Find(name)!;
            PropertyInfo? property = typeof(SidecarAttribute).GetProperty(name);

            Assert.NotNull(property);
            Assert.Equal(ClrType(knob), property!.PropertyType);
            object? value = property.GetValue(new SidecarAttribute());
            if (knob.IsScalar)
            {
                Assert.Equal(knob.Default, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                Assert.Null(value);
            }
        }

        [Fact]
        public void Every_attribute_property_is_a_knob_of_the_catalogue()
        {
            string[] properties = typeof(SidecarAttribute).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.DeclaringType == typeof(SidecarAttribute))
                .Select(p => p.Name)
                .ToArray();

            Assert.Equal(Knobs.All.Where(k => !k.RunTimeOnly).Select(k => k.Name).OrderBy(n => n), properties.OrderBy(n => n));
        }

        [Fact]
        public void Run_time_only_knobs_can_be_overridden_and_are_no_attribute_property()
        {
            Assert.Contains(Knobs.All, k => k.RunTimeOnly);
            Assert.All(Knobs.All.Where(k => k.RunTimeOnly), k =>
            {
                Assert.True(k.Overridable);
                Assert.Null(typeof(SidecarAttribute).GetProperty(k.Name));
            });
        }

        [Fact]
        public void The_override_has_exactly_the_overridable_knobs()
        {
            string[] properties = typeof(SidecarPolicyOverride).GetProperties().Select(p => p.Name).OrderBy(n => n).ToArray();

            Assert.Equal(Knobs.All.Where(k => k.Overridable).Select(k => k.Name).OrderBy(n => n), properties);
            Assert.All(Knobs.All.Where(k => k.Overridable), k => Assert.Equal(typeof(Nullable<>).MakeGenericType(ClrType(k)), typeof(SidecarPolicyOverride).GetProperty(k.Name)!.PropertyType));
        }

        [Theory]
        [MemberData(nameof(CompiledScalarKnobs))]
        public void The_policy_constructor_takes_the_knob_with_the_catalogue_default(string name)
        {
            Knob knob = Knobs.Find(name)!;
            ParameterInfo? parameter = PolicyConstructor().GetParameters().SingleOrDefault(p => p.Name == knob.ParameterName);

            Assert.NotNull(parameter);
            Assert.Equal(ClrType(knob), parameter!.ParameterType);
            Assert.Equal(knob.Default, Convert.ToDouble(parameter.DefaultValue, System.Globalization.CultureInfo.InvariantCulture));
        }

        [Fact]
        public void Every_policy_constructor_parameter_but_the_circuit_predicate_and_fallback_is_a_knob()
        {
            string[] others = PolicyConstructor().GetParameters().Select(p => p.Name!).Except(new[] { "circuitName", "isTransient", "fallback" }).OrderBy(n => n).ToArray();

            Assert.Equal(Knobs.All.Where(k => k.IsScalar && !k.RunTimeOnly).Select(k => k.ParameterName).OrderBy(n => n), others);
        }

        [Theory]
        [MemberData(nameof(ScalarKnobs))]
        public void An_overridden_knob_changes_that_knob_alone(string name)
        {
            Knob knob = Knobs.Find(name)!;
            double value = Changed(knob);
            var overrides = new SidecarPolicyOverride();
            PropertyInfo property = typeof(SidecarPolicyOverride).GetProperty(name)!;
            property.SetValue(overrides, ToClr(knob, value));

            SidecarPolicy policy = new SidecarPolicy("orders").With(overrides);

            Assert.Equal(value, policy.Values[knob.Id]);
            Assert.All(Knobs.All.Where(k => k.IsScalar && k.Id != knob.Id), k => Assert.Equal(k.Default, policy.Values[k.Id]));
            Assert.False(overrides.IsEmpty);
            Assert.Equal(knob.Scope == KnobScope.Service ? name : null, overrides.SharedKnob());
            Assert.True(overrides.Without(new[] { name }).IsEmpty);
        }

        [Theory]
        [MemberData(nameof(ScalarKnobs))]
        public void A_value_out_of_range_is_refused_in_the_knobs_name(string name)
        {
            Knob knob = Knobs.Find(name)!;
            if (knob.Type is KnobType.Boolean)
            {
                return; // a bool has no value out of range
            }

            var overrides = new SidecarPolicyOverride();
            typeof(SidecarPolicyOverride).GetProperty(name)!.SetValue(overrides, ToClr(knob, knob.Minimum - 1));

            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SidecarPolicy("orders").With(overrides));

            Assert.Equal(knob.ParameterName, ex.ParamName);
            Assert.Contains(name + " is not valid: " + knob.Hint, ex.Message);
        }

        [Fact]
        public void The_readme_knob_table_lists_every_knob_with_its_default()
        {
            string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
            var rows = Regex.Matches(readme, @"^\| `(?<name>\w+)` \| (?<default>[^|]+?) \|", RegexOptions.Multiline)
                .Cast<Match>()
                .Where(m => Knobs.Find(m.Groups["name"].Value) is not null)
                .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["default"].Value);

            Assert.All(Knobs.All, k => Assert.True(rows.TryGetValue(k.Name, out string? shown) && shown == k.DefaultText, $"README: `{k.Name}` | {k.DefaultText} | expected"));
        }

        [Fact]
        public void The_catalogue_is_in_knob_order_and_its_defaults_are_valid()
        {
            for (int i = 0; i < Knobs.All.Length; i++)
            {
                Assert.Equal(i, (int)Knobs.All[i].Id);
                Assert.True(!Knobs.All[i].IsScalar || Knobs.All[i].IsValid(Knobs.All[i].Default), Knobs.All[i].Name);
                Assert.All(Knobs.All[i].Refines, r => Assert.True(Knobs.Of(r).IsScalar));
            }

            Assert.Null(KnobValues.Defaults.FirstInvalid());
        }

        private static ConstructorInfo PolicyConstructor() => typeof(SidecarPolicy).GetConstructors().Single();

        private static Type ClrType(Knob knob) => knob.Type switch
        {
            KnobType.Int32 => typeof(int),
            KnobType.Double => typeof(double),
            KnobType.Boolean => typeof(bool),
            KnobType.Backoff => typeof(Backoff),
            KnobType.ExceptionTypes => typeof(Type[]),
            _ => typeof(string),
        };

        private static object ToClr(Knob knob, double value) => knob.Type switch
        {
            KnobType.Int32 => (int)value,
            KnobType.Boolean => value != 0,
            KnobType.Backoff => (Backoff)(int)value,
            _ => value,
        };

        /// <summary>A valid value other than the default.</summary>
        private static double Changed(Knob knob)
        {
            double candidate = knob.Type == KnobType.Double ? knob.Default + 0.5 : knob.Default + 1;
            return knob.IsValid(candidate) ? candidate : knob.Minimum;
        }

        private static string RepositoryRoot()
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Sidecar.Generators.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("repository root not found");
        }
    }
}
