using System;
using System.Collections.Generic;
using System.Composition;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>Which provider fixes which diagnostic, and that the IDE can find and batch every one of them.</summary>
    public class ProviderCatalogueTests
    {
        private static readonly Dictionary<Type, string[]> s_expected = new()
        {
            [typeof(MakeClassPartialCodeFixProvider)] = new[] { "SIDECAR001" },
            [typeof(RemoveAttributeFromClassMethodCodeFixProvider)] = new[] { "SIDECAR007" },
            [typeof(OutOfRangeSettingCodeFixProvider)] = new[] { "SIDECAR008" },
            [typeof(MakeContainingTypesPartialCodeFixProvider)] = new[] { "SIDECAR010" },
            [typeof(MaxDelayBelowDelayCodeFixProvider)] = new[] { "SIDECAR013" },
            [typeof(ZeroBreakDurationCodeFixProvider)] = new[] { "SIDECAR014" },
            [typeof(RetryOnNotAnExceptionCodeFixProvider)] = new[] { "SIDECAR016" },
            [typeof(SettingWithoutEffectCodeFixProvider)] = new[] { "SIDECAR018" },
        };

        private static IEnumerable<Type> ProviderTypes()
            => typeof(MakeClassPartialCodeFixProvider).Assembly.GetTypes()
                .Where(t => typeof(CodeFixProvider).IsAssignableFrom(t) && !t.IsAbstract);

        [Fact]
        public void Every_provider_fixes_exactly_the_diagnostics_it_handles()
        {
            Assert.Equal(s_expected.Keys.OrderBy(t => t.Name), ProviderTypes().OrderBy(t => t.Name));
            foreach ((Type type, string[] ids) in s_expected)
            {
                var provider = (CodeFixProvider)Activator.CreateInstance(type)!;
                Assert.Equal(ids, provider.FixableDiagnosticIds.ToArray());
            }
        }

        [Fact]
        public void Diagnostics_that_change_a_contract_or_need_a_decision_have_no_fix()
        {
            // SIDECAR003 (static abstract members) and SIDECAR012 (fallback) need a design decision; adding a
            // CancellationToken parameter (SIDECAR017) would change the interface's contract.
            IEnumerable<string> fixable = ProviderTypes()
                .SelectMany(t => ((CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds);
            Assert.Equal(
                new[] { "SIDECAR001", "SIDECAR007", "SIDECAR008", "SIDECAR010", "SIDECAR013", "SIDECAR014", "SIDECAR016", "SIDECAR018" },
                fixable.OrderBy(id => id, StringComparer.Ordinal));
        }

        [Fact]
        public void Every_provider_is_exported_for_CSharp_shared_and_batch_fixable()
        {
            foreach (Type type in ProviderTypes())
            {
                Assert.True(type.IsPublic && type.IsSealed, type.Name + " is not public sealed");
                ExportCodeFixProviderAttribute? export = type.GetCustomAttribute<ExportCodeFixProviderAttribute>();
                Assert.NotNull(export);
                Assert.Equal(new[] { LanguageNames.CSharp }, export!.Languages);
                Assert.Equal(type.Name, export.Name);
                Assert.NotNull(type.GetCustomAttribute<SharedAttribute>());

                var provider = (CodeFixProvider)Activator.CreateInstance(type)!;
                Assert.Same(WellKnownFixAllProviders.BatchFixer, provider.GetFixAllProvider());
            }
        }
    }
}
