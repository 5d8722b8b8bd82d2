using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Sidecar.Generators.Tests.Infrastructure;
using Xunit;

namespace Sidecar.Generators.Tests
{
    /// <summary>Whatever a user types, the generator does not throw and what it generates has no errors of its own.</summary>
    public class RobustnessTests
    {
        private const string Complete = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Sidecar;

            namespace Shop
            {
                [Sidecar(Retries = 3, Delay = 50, Backoff = Backoff.Exponential, FailureThreshold = 5, RetryOn = new[] { typeof(TimeoutException) })]
                public interface IOrderService : IDisposable
                {
                    Task<int> GetAsync(int id, CancellationToken ct = default);
                    [Sidecar(Retries = 1)] void Save<T>(T item, ref int version) where T : class, new();
                    string this[int index] { get; }
                }

                [Sidecar(Fallback = "Cached")]
                public partial class Resilient : IOrderService
                {
                    private int Cached(int id) => 0;
                }
            }
            """;

        public static IEnumerable<object[]> BrokenSources()
        {
            yield return new object[] { "using Sidecar; [Sidecar] public interface IFoo { System.Threading.Tasks.Task<int> Get(int id" };
            yield return new object[] { "using Sidecar; [Sidecar] public interface IFoo { Missing Get(Unknown value); int Fine(); }" };
            yield return new object[] { "using Sidecar; [Sidecar] public interface IFoo : IMissing { int Fine(); }" };
            yield return new object[] { "using Sidecar; [Sidecar] public partial class C : IMissing { }" };
            yield return new object[] { "using Sidecar; [Sidecar(Retries = \"five\", Delay = 1.5, Backoff = 7)] public interface IFoo { int M(); }" };
            yield return new object[] { "using Sidecar; [Sidecar(RetryOn = new[] { typeof(Nope) }, Fallback = 42)] public interface IFoo { int M(); }" };
            yield return new object[] { "using Sidecar; [Sidecar(Nonsense = 1)] public interface IFoo { int M(); }" };
            yield return new object[] { "using Sidecar; [Sidecar] public interface IFoo<T> where T : Missing { T M(); }" };
            yield return new object[] { "using Sidecar; [Sidecar] public interface IFoo { void M<T>() where T : Missing; }" };
            yield return new object[] { "using Sidecar; [Sidecar] public interface { int M(); }" };
            yield return new object[] { "using Sidecar; [Sidecar] public interface IFoo { int M() }" };
            yield return new object[] { "using Sidecar; [Sidecar] [Sidecar] public interface IFoo { int M(); }" };
            yield return new object[] { "using Sidecar; public interface IFoo { [Sidecar] int M(); [Sidecar] int N(); [Sidecar(Retries = -1)] int O(); }" };
            yield return new object[] { "using Sidecar; [Sidecar] public partial class C : IFoo { public int M() => 1; } public interface IFoo { int M(); int M(); }" };
            yield return new object[] { "using Sidecar; [Sidecar] public partial struct S : System.IDisposable { }" };
            yield return new object[] { "using Sidecar; [Sidecar] public enum E { A }" };
            yield return new object[] { "using Sidecar; [Sidecar] public interface IFoo { event System.EventHandler E; int P { get; init; } ref readonly int R(in int x); }" };
            yield return new object[] { "using Sidecar; [Sidecar] public interface IFoo { unsafe int* P(int* x); }" };
        }

        [Theory]
        [MemberData(nameof(BrokenSources))]
        public void Broken_code_gets_diagnostics_never_an_exception_or_broken_generated_code(string source)
        {
            AssertSound(TestCompilation.Run(source), source);
        }

        [Fact]
        public void Typing_a_file_character_by_character_never_breaks_the_generator()
        {
            int runs = 0;
            for (int length = 0; length <= Complete.Length; length++)
            {
                AssertSound(TestCompilation.Run(Complete.Substring(0, length)), "prefix of length " + length);
                runs++;
            }

            GeneratorResult complete = TestCompilation.Run(Complete);
            Assert.True(complete.CompilationProblems.Count == 0, complete.Describe(complete.CompilationProblems));
            Assert.Equal(2, complete.Sources.Count());
            Assert.Equal(Complete.Length + 1, runs);
        }

        private static void AssertSound(GeneratorResult result, string what)
        {
            Diagnostic[] internalErrors = result.Diagnostics.Where(d => d.Id == "SIDECAR000").ToArray();
            Assert.True(internalErrors.Length == 0, what + Environment.NewLine + result.Describe(internalErrors));
            IReadOnlyList<Diagnostic> generated = result.GeneratedCodeProblems;
            Assert.True(generated.Count == 0, what + Environment.NewLine + result.Describe(generated) + Environment.NewLine + string.Join(Environment.NewLine, result.Sources.Select(s => s.Source)));
        }
    }
}
