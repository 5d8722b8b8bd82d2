using System;
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
    }
}
