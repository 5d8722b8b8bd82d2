using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;

namespace Sidecar.Benchmarks.CompileTime
{
    /// <summary>
    /// The generator's share of a build, over <see cref="SyntheticProject"/> (1,000 <c>[Sidecar]</c> interfaces × 10
    /// members, each with its implementation). Every invocation gets new compilations (the syntax trees are reused, as
    /// the compiler has parsed them already), so no semantic information is cached from one invocation to the next.
    /// Few iterations whatever the job: one operation takes seconds.
    /// </summary>
    [MemoryDiagnoser]
    [WarmupCount(1)]
    [IterationCount(3)]
    [InvocationCount(1)]
    public class GeneratorBenchmarks
    {
        private SyntheticProject _project = null!;
        private GeneratorDriver _warmDriver = null!;
        private GeneratorDriver _warmNameOnly = null!;
        private GeneratorDriver _warmSignatures = null!;
        private CSharpCompilation _compilation = null!;
        private CSharpCompilation _unrelatedEdit = null!;
        private CSharpCompilation _interfaceEdit = null!;

        /// <summary>
        /// Interfaces in the synthetic project: <see cref="SyntheticProject.DefaultServiceCount"/>, fewer in a smoke run,
        /// which only checks that the benchmarks work.
        /// </summary>
        public static int ServiceCount { get; set; } = SyntheticProject.DefaultServiceCount;

        /// <summary>Writes the project and runs the generator once for the incremental benchmarks.</summary>
        [GlobalSetup(Targets = new[] { nameof(CompileWithoutGenerator), nameof(GeneratorFullRun), nameof(GeneratorAfterInterfaceEdit), nameof(CompileWithGenerator), nameof(FloorNameOnlyAfterUnrelatedEdit), nameof(FloorSignaturesAfterUnrelatedEdit) })]
        public void Setup()
        {
            _project = SyntheticProject.Create(ServiceCount);
            _warmDriver = IncrementalityCheck.CreateDriver(trackSteps: false).RunGenerators(_project.Compilation());
            _warmNameOnly = Driver(FloorGenerators.NameOnly).RunGenerators(_project.Compilation());
            _warmSignatures = Driver(FloorGenerators.Signatures).RunGenerators(_project.Compilation());
        }

        /// <summary>The same, and first checks (and prints) that an unrelated edit re-emits nothing.</summary>
        [GlobalSetup(Target = nameof(GeneratorAfterUnrelatedEdit))]
        public void SetupAndCheckIncrementality()
        {
            _project = SyntheticProject.Create(ServiceCount);
            if (!IncrementalityCheck.Run(_project, Console.WriteLine))
            {
                throw new InvalidOperationException("The generator's incrementality check failed; see above.");
            }

            _warmDriver = IncrementalityCheck.CreateDriver(trackSteps: false).RunGenerators(_project.Compilation());
        }

        /// <summary>New compilations for the next invocation.</summary>
        [IterationSetup]
        public void NewCompilations()
        {
            _compilation = _project.Compilation();
            _unrelatedEdit = _project.CompilationWithUnrelatedEdit();
            _interfaceEdit = _project.CompilationWithInterfaceEdit();
        }

        /// <summary>Compiling the project without the generator: binding, diagnostics and IL (Emit).</summary>
        [Benchmark(Baseline = true)]
        public EmitResult CompileWithoutGenerator() => Emit(_compilation);

        /// <summary>The generator's first run over the whole project (a new driver, as in a command-line build).</summary>
        [Benchmark]
        public GeneratorDriver GeneratorFullRun() => IncrementalityCheck.CreateDriver(trackSteps: false).RunGenerators(_compilation);

        /// <summary>The generator's run after a file that declares no service was edited (the IDE case): should re-emit nothing.</summary>
        [Benchmark]
        public GeneratorDriver GeneratorAfterUnrelatedEdit() => _warmDriver.RunGenerators(_unrelatedEdit);

        /// <summary>
        /// A generator that only finds the same interfaces and reads their names, after the same edit: what
        /// <c>ForAttributeWithMetadataName</c> costs whoever uses it.
        /// </summary>
        [Benchmark]
        public GeneratorDriver FloorNameOnlyAfterUnrelatedEdit() => _warmNameOnly.RunGenerators(_unrelatedEdit);

        /// <summary>A generator that also binds every member signature, after the same edit: the least a decorator generator pays.</summary>
        [Benchmark]
        public GeneratorDriver FloorSignaturesAfterUnrelatedEdit() => _warmSignatures.RunGenerators(_unrelatedEdit);

        /// <summary>The generator's run after one interface's settings were edited: one sidecar is regenerated.</summary>
        [Benchmark]
        public GeneratorDriver GeneratorAfterInterfaceEdit() => _warmDriver.RunGenerators(_interfaceEdit);

        /// <summary>The whole build with the generator: generator run, then Emit of the project and the 1,000 sidecars.</summary>
        [Benchmark]
        public EmitResult CompileWithGenerator()
        {
            IncrementalityCheck.CreateDriver(trackSteps: false)
                .RunGeneratorsAndUpdateCompilation(_compilation, out Compilation output, out _);
            return Emit(output);
        }

        private static GeneratorDriver Driver(IIncrementalGenerator generator)
            => CSharpGeneratorDriver.Create(new[] { generator.AsSourceGenerator() }, parseOptions: SyntheticProject.ParseOptions);

        private static EmitResult Emit(Compilation compilation)
        {
            using var stream = new MemoryStream();
            EmitResult result = compilation.Emit(stream);
            if (!result.Success)
            {
                throw new InvalidOperationException("The synthetic project does not compile: " + result.Diagnostics[0]);
            }

            return result;
        }
    }
}
