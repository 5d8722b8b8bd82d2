using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Sidecar.Generators.Tests.Infrastructure;
using Xunit;

namespace Sidecar.Generators.Tests
{
    /// <summary>The names the generated class declares never collide with the user's, and the ones users need are public.</summary>
    public sealed class GeneratedNamesTests
    {
        [Fact]
        public void Members_named_like_the_generated_fields_compile_and_forward()
        {
            GeneratorResult result = TestCompilation.Run("""
                using Sidecar;
                [Sidecar(Retries = 1, RetryOn = new[] { typeof(System.TimeoutException) })]
                public interface IOdd
                {
                    int _inner { get; }
                    int _pipeline();
                    int s_policy(int inner);
                    int IsTransient();
                    int CircuitName { get; }
                }
                """);

            Assert.True(result.CompilationProblems.Count == 0, result.Describe(result.CompilationProblems));
            string source = result.Source("OddSidecar.g.cs");
            Assert.Contains("private readonly global::IOdd _inner2;", source);
            Assert.Contains("public const string CircuitName2 = \"IOdd\";", source);
        }

        [Fact]
        public void A_class_form_member_named_like_a_field_is_left_alone()
        {
            GeneratorResult result = TestCompilation.Run("""
                using Sidecar;
                public interface IClock { long Ticks(); }
                [Sidecar] public partial class ResilientClock : IClock { private readonly int _inner = 7; public int Seven() => _inner; }
                """);

            Assert.True(result.CompilationProblems.Count == 0, result.Describe(result.CompilationProblems));
        }

        [Fact]
        public void The_circuit_name_is_a_public_constant()
        {
            GeneratorResult result = TestCompilation.Run("namespace Shop { [Sidecar.Sidecar(FailureThreshold = 2)] public interface IOrders { int Count(); } }");

            Assembly assembly = result.Load();
            FieldInfo constant = assembly.GetType("Shop.OrdersSidecar")!.GetField("CircuitName")!;
            Assert.True(constant.IsLiteral && constant.IsPublic);
            Assert.Equal("Shop.IOrders", constant.GetRawConstantValue());
            string version = typeof(SidecarGenerator).Assembly.GetName().Version!.ToString(3);
            Assert.Contains("[global::System.CodeDom.Compiler.GeneratedCode(\"Sidecar.Generators\", \"" + version + "\")]", result.Source("Shop.OrdersSidecar.g.cs"));
        }

        [Theory]
        [InlineData("[Sidecar] file interface IHidden { void M(); }", "IHidden")]
        [InlineData("file interface IHidden { void M(); } [Sidecar] public partial class Resilient : IHidden { }", "Resilient")]
        [InlineData("public interface IShown { void M(); } [Sidecar] file partial class Resilient : IShown { }", "Resilient")]
        public void A_file_local_type_gets_a_diagnostic_not_code_that_does_not_compile(string declarations, string reportedOn)
        {
            GeneratorResult result = TestCompilation.Run("using Sidecar; " + declarations);

            Diagnostic reported = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR006");
            Assert.Contains("file-local", reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(reportedOn, result.Output.SyntaxTrees.First().GetText().ToString(reported.Location.SourceSpan));
            Assert.Empty(result.GeneratedCodeProblems); // nothing generated that cannot compile (CS0400 before)
            Assert.DoesNotContain(result.CompilationProblems, d => d.Id == "CS0400");
        }

        [Fact]
        public void Each_decorated_member_states_its_effective_policy_in_its_remarks()
        {
            GeneratorResult result = TestCompilation.Run("""
                using System.Threading;
                using System.Threading.Tasks;
                using Sidecar;
                [Sidecar(Retries = 7, Delay = 100, Backoff = Backoff.Exponential, MaxDelay = 1500, FailureThreshold = 5, BreakDuration = 30000, Timeout = 2000)]
                public interface IStock
                {
                    Task<int> CountAsync(CancellationToken ct);
                    [Sidecar(Retries = 0, MaxConcurrency = 4)] int Reserve(int id);
                    [PassThrough] void Flush();
                }
                """);

            string source = result.Source("StockSidecar.g.cs");
            Assert.Contains("/// Up to 8 attempts; waits 100 ms, 200 ms, 400 ms, 800 ms, 1.5 s, … before the retries (exponential, capped at 1.5 s).", source);
            Assert.Contains("/// Each attempt is abandoned after 2 s.", source);
            Assert.Contains("/// The circuit, shared by every member of the service, opens after 5 failed attempts in a row, for 30 s; then 1 probe call decides whether it closes.", source);
            Assert.Contains("/// One attempt, no retries.", source);
            Assert.Contains("/// Timeout 2 s is not enforced: the member is synchronous.", source);
            Assert.Contains("/// At most 4 attempts of this member run at once; one more is refused.", source);
            Assert.Equal(2, source.Split("/// <remarks>").Length - 1); // not on the member forwarded untouched
            Assert.True(result.CompilationProblems.Count == 0, result.Describe(result.CompilationProblems));
        }
    }
}
