using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sidecar.Generators.Tests.Infrastructure;
using Xunit;

namespace Sidecar.Generators.Tests
{
    /// <summary>The pipeline caches: an unrelated edit re-emits nothing, and no step keeps symbols or syntax alive.</summary>
    public class IncrementalityTests
    {
        private const string Service = """
            using System.Threading.Tasks;
            using Sidecar;
            namespace App
            {
                [Sidecar(Retries = 2)]
                public interface IOrders { Task<int> CountAsync(); }

                public interface IStock { [Sidecar] int Reserve(int sku); [Sidecar(Retries = 1)] int Release(int sku); }

                [Sidecar] public partial class Resilient : System.IDisposable { }
            }
            """;

        private const string Unrelated = "namespace App { public class Unrelated { public int Value => 1; } }";

        private static readonly IReadOnlyList<string> s_trackedSteps = TestCompilation.TrackingNames;

        [Fact]
        public void Editing_an_unrelated_file_leaves_every_step_cached()
        {
            CSharpCompilation compilation = TestCompilation.Create(Service, Unrelated);
            GeneratorResult first = TestCompilation.Run(compilation);
            Assert.Equal(3, first.Sources.Count());

            SyntaxTree oldTree = compilation.SyntaxTrees.Last();
            SyntaxTree newTree = oldTree.WithChangedText(oldTree.GetText().Replace(0, 0, "// edited\n"));
            CSharpCompilation edited = compilation.ReplaceSyntaxTree(oldTree, newTree);
            GeneratorDriverRunResult second = first.Driver.RunGenerators(edited).GetRunResult();

            GeneratorRunResult run = second.Results.Single();
            foreach (string step in s_trackedSteps)
            {
                Assert.True(run.TrackedSteps.ContainsKey(step), "step " + step + " was not tracked");
                foreach (IncrementalGeneratorRunStep runStep in run.TrackedSteps[step])
                {
                    Assert.All(runStep.Outputs, o => Assert.True(
                        o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        step + " re-ran with reason " + o.Reason));
                }
            }

            Assert.All(run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }

        [Fact]
        public void Editing_the_interface_regenerates_its_sidecar()
        {
            CSharpCompilation compilation = TestCompilation.Create(Service, Unrelated);
            GeneratorResult first = TestCompilation.Run(compilation);

            SyntaxTree oldTree = compilation.SyntaxTrees.First();
            SyntaxTree newTree = CSharpSyntaxTree.ParseText(Service.Replace("Retries = 2", "Retries = 4"), TestCompilation.ParseOptions, oldTree.FilePath);
            GeneratorDriverRunResult second = first.Driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree)).GetRunResult();

            string orders = second.Results.Single().GeneratedSources.Single(s => s.HintName == "App.OrdersSidecar.g.cs").SourceText.ToString();
            Assert.Contains("retries: 4", orders);
            Assert.Contains(second.Results.Single().TrackedSteps[Sidecar.Generators.TrackingNames.Models].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        }

        [Fact]
        public void Pipeline_outputs_hold_no_symbols_syntax_or_compilations()
        {
            GeneratorResult result = TestCompilation.Run(TestCompilation.Create(Service, Unrelated));
            GeneratorRunResult run = result.RunResult.Results.Single();
            int walked = 0;
            foreach (string step in s_trackedSteps)
            {
                foreach (IncrementalGeneratorRunStep runStep in run.TrackedSteps[step])
                {
                    foreach ((object value, IncrementalStepRunReason _) in runStep.Outputs)
                    {
                        walked += Walk(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
                    }
                }
            }

            Assert.True(walked > 50, "walked only " + walked + " objects");
        }

        private static int Walk(object? node, string path, HashSet<object> visited)
        {
            if (node is null || node is string || node.GetType().IsPrimitive || node.GetType().IsEnum || !visited.Add(node))
            {
                return 0;
            }

            Type type = node.GetType();
            Assert.False(node is Compilation or ISymbol or SyntaxNode or SyntaxTree or SemanticModel or Location, path + " holds a " + type.Name);
            int count = 1;
            if (node is IEnumerable sequence)
            {
                int i = 0;
                foreach (object? item in sequence)
                {
                    count += Walk(item, path + "[" + i++ + "]", visited);
                }

                return count;
            }

            for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    count += Walk(field.GetValue(node), path + "." + field.Name, visited);
                }
            }

            return count;
        }
    }
}
