using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sidecar.Generators;

namespace Sidecar.Benchmarks.CompileTime
{
    /// <summary>
    /// What the incremental runs of <see cref="GeneratorBenchmarks"/> really did, read from the driver's step tracking.
    /// After an unrelated edit the generator's own steps must be Cached or Unchanged and no source re-emitted; after
    /// editing one interface exactly one source is re-emitted. Roslyn's own steps that take the Compilation
    /// (<c>Compilation</c>, <c>compilationAndGroupedNodes_ForAttributeWithMetadataName</c>) are Modified by any edit by
    /// design; they are printed, not judged.
    /// </summary>
    public static class IncrementalityCheck
    {
        private static readonly string[] s_generatorSteps =
        {
            TrackingNames.Types, TrackingNames.Methods, TrackingNames.Models, TrackingNames.MethodModels,
        };

        /// <summary>Runs the check, writes what it found, and returns whether every expectation holds.</summary>
        public static bool Run(SyntheticProject project, Action<string> write)
        {
            GeneratorDriver warm = CreateDriver(trackSteps: true).RunGenerators(project.Compilation());
            int generated = warm.GetRunResult().GeneratedTrees.Length;
            write($"Incrementality: the full run generated {generated} sources for {project.ServiceCount} interfaces.");

            GeneratorRunResult unrelated = warm.RunGenerators(project.CompilationWithUnrelatedEdit()).GetRunResult().Results.Single();
            write("Incrementality: after an unrelated edit: " + Describe(unrelated));
            bool unrelatedCached = GeneratorStepReasons(unrelated).All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)
                && OutputReasons(unrelated).All(r => r == IncrementalStepRunReason.Cached);
            write("Incrementality: unrelated edit re-emits nothing: " + (unrelatedCached ? "yes, all Cached/Unchanged" : "NO"));

            GeneratorRunResult edited = warm.RunGenerators(project.CompilationWithInterfaceEdit()).GetRunResult().Results.Single();
            write("Incrementality: after editing one interface: " + Describe(edited));
            int reemitted = OutputReasons(edited).Count(r => r is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);
            write($"Incrementality: editing one interface re-emits {reemitted} source(s) (expected 1).");

            return generated == project.ServiceCount && unrelatedCached && reemitted == 1;
        }

        /// <summary>A driver running the Sidecar generator only.</summary>
        public static GeneratorDriver CreateDriver(bool trackSteps)
            => CSharpGeneratorDriver.Create(
                new[] { new SidecarGenerator().AsSourceGenerator() },
                parseOptions: SyntheticProject.ParseOptions,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

        private static IEnumerable<IncrementalStepRunReason> GeneratorStepReasons(GeneratorRunResult run)
            => s_generatorSteps.Where(run.TrackedSteps.ContainsKey).SelectMany(name => Reasons(run.TrackedSteps[name]));

        private static IEnumerable<IncrementalStepRunReason> OutputReasons(GeneratorRunResult run)
            => run.TrackedOutputSteps.Values.SelectMany(steps => Reasons(steps));

        private static IEnumerable<IncrementalStepRunReason> Reasons(IEnumerable<IncrementalGeneratorRunStep> steps)
            => steps.SelectMany(s => s.Outputs).Select(o => o.Reason);

        private static string Describe(GeneratorRunResult run)
            => string.Join(
                "; ",
                run.TrackedSteps
                    .OrderBy(s => Array.IndexOf(s_generatorSteps, s.Key) is int i && i >= 0 ? i : 100)
                    .ThenBy(s => s.Key, StringComparer.Ordinal)
                    .Select(s => s.Key + " " + string.Join(
                        "/",
                        Reasons(s.Value).GroupBy(r => r).OrderBy(g => g.Key).Select(g => g.Key + "=" + g.Count()))
                        + " (" + s.Value.Sum(step => step.ElapsedTime.TotalMilliseconds).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " ms)"));
    }
}
