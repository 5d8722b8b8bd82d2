using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sidecar.Generators.Diagnostics;
using Sidecar.Generators.Tests.Infrastructure;
using Xunit;

namespace Sidecar.Generators.Tests
{
    /// <summary>Each diagnostic fires on the mistake it describes, and not on the correct code next to it.</summary>
    public class DiagnosticTests
    {
        public static TheoryData<string, string, string> Cases => new()
        {
            {
                "SIDECAR001",
                "using Sidecar; public interface IFoo { void M(); } [Sidecar] public class C : IFoo { }",
                "using Sidecar; public interface IFoo { void M(); } [Sidecar] public partial class C : IFoo { }"
            },
            {
                "SIDECAR002",
                "using Sidecar; [Sidecar] public partial class C { }",
                "using Sidecar; [Sidecar] public partial class C : System.IDisposable { }"
            },
            {
                "SIDECAR003",
                "using Sidecar; [Sidecar] public interface IParse { static abstract IParse Parse(string s); int Value(); }",
                "using Sidecar; [Sidecar] public interface IParse { static IParse? Parse(string s) => null; int Value(); }"
            },
            {
                "SIDECAR004",
                "using Sidecar; [Sidecar] public interface IFeed { System.Collections.Generic.IAsyncEnumerable<int> ReadAsync(); }",
                "using Sidecar; [Sidecar] public interface IFeed { [PassThrough] System.Collections.Generic.IAsyncEnumerable<int> ReadAsync(); }"
            },
            {
                "SIDECAR005",
                "using Sidecar; [Sidecar] public interface IFoo { void M(); } public class FooSidecar { }",
                "using Sidecar; [Sidecar] public interface IFoo { void M(); } public partial class FooSidecar { public void Extra() { } }"
            },
            {
                "SIDECAR006",
                "using Sidecar; public class Outer { [Sidecar] private interface IHidden { void M(); } }",
                "using Sidecar; public class Outer { [Sidecar] internal interface IHidden { void M(); } }"
            },
            {
                "SIDECAR007",
                "using Sidecar; public class Worker { [Sidecar] public void Run() { } }",
                "using Sidecar; public interface IWorker { [Sidecar] void Run(); }"
            },
            {
                "SIDECAR008",
                "using Sidecar; [Sidecar(Retries = -1)] public interface IFoo { void M(); }",
                "using Sidecar; [Sidecar(Retries = 0)] public interface IFoo { void M(); }"
            },
            {
                "SIDECAR010",
                "using Sidecar; public class Outer { [Sidecar] public partial class Inner : System.IDisposable { } }",
                "using Sidecar; public partial class Outer { [Sidecar] public partial class Inner : System.IDisposable { } }"
            },
            {
                "SIDECAR010",
                "using Sidecar; public class Outer<T> { [Sidecar] public interface IInner { T Get(); } }",
                "using Sidecar; public partial class Outer<T> { [Sidecar] public interface IInner { T Get(); } }"
            },
            {
                "SIDECAR011",
                "using Sidecar; [Sidecar(Timeout = 100)] public interface ISlow { int Compute(); }",
                "using Sidecar; [Sidecar(Timeout = 100)] public interface ISlow { System.Threading.Tasks.Task<int> ComputeAsync(System.Threading.CancellationToken ct); }"
            },
            {
                "SIDECAR012",
                "using Sidecar; [Sidecar(Fallback = \"Cached\")] public partial class C : IQuote { private string Cached(int id) => \"\"; } public interface IQuote { decimal Price(string symbol); }",
                "using Sidecar; [Sidecar(Fallback = \"Cached\")] public partial class C : IQuote { private decimal Cached(string symbol) => 0m; } public interface IQuote { decimal Price(string symbol); }"
            },
            {
                "SIDECAR013",
                "using Sidecar; [Sidecar(Delay = 500, MaxDelay = 100)] public interface IFoo { void M(); }",
                "using Sidecar; [Sidecar(Delay = 100, MaxDelay = 500)] public interface IFoo { void M(); }"
            },
            {
                "SIDECAR014",
                "using Sidecar; [Sidecar(FailureThreshold = 3, BreakDuration = 0)] public interface IFoo { void M(); }",
                "using Sidecar; [Sidecar(FailureThreshold = 0, BreakDuration = 0)] public interface IFoo { void M(); }"
            },
            {
                "SIDECAR015",
                "using Sidecar; [Sidecar(Retries = 30, Delay = 1000, Backoff = Backoff.Exponential, MaxDelay = 0)] public interface IFoo { void M(System.Threading.CancellationToken ct); }",
                "using Sidecar; [Sidecar(Retries = 30, Delay = 1000, Backoff = Backoff.Exponential, MaxDelay = 60000)] public interface IFoo { void M(System.Threading.CancellationToken ct); }"
            },
            {
                "SIDECAR016",
                "using Sidecar; [Sidecar(RetryOn = new[] { typeof(System.TimeoutException), typeof(string) })] public interface IFoo { void M(); }",
                "using Sidecar; [Sidecar(RetryOn = new[] { typeof(System.TimeoutException), typeof(System.IO.IOException) })] public interface IFoo { void M(); }"
            },
            {
                "SIDECAR017",
                "using Sidecar; [Sidecar(Retries = 5, Delay = 1000)] public interface IFoo { System.Threading.Tasks.Task M(); }",
                "using Sidecar; [Sidecar(Retries = 5, Delay = 1000)] public interface IFoo { System.Threading.Tasks.Task M(System.Threading.CancellationToken ct); }"
            },
            {
                "SIDECAR018",
                "using Sidecar; [Sidecar(MinimumThroughput = 20)] public interface IFoo { void M(); }",
                "using Sidecar; [Sidecar(FailureRatio = 0.5, MinimumThroughput = 20)] public interface IFoo { void M(); }"
            },
            {
                "SIDECAR019",
                "using Sidecar; public interface IShipping { int Quote(int kg); } [Sidecar] public class ShippingService : IShipping { public int Quote(int kg) => kg; }",
                "using Sidecar; public interface IShipping { int Quote(int kg); } public class ShippingService : IShipping { public int Quote(int kg) => kg; } [Sidecar] public partial class ResilientShipping : IShipping { }"
            },
            {
                "SIDECAR020",
                "using Sidecar; [Sidecar] public interface IFoo { [PassThrough, Sidecar(Retries = 1)] void M(); }",
                "using Sidecar; [Sidecar] public interface IFoo { [PassThrough] void M(); [Sidecar(Retries = 1)] void N(); }"
            },
            {
                "SIDECAR021",
                "using Sidecar; [Sidecar(Classify = \"Judge\")] public interface IQuote { decimal Price(string symbol); } public partial class QuoteSidecar { private static bool Judge(decimal price) => price > 0; }",
                "using Sidecar; [Sidecar(Classify = \"Judge\")] public interface IQuote { decimal Price(string symbol); } public partial class QuoteSidecar { private static Outcome Judge(decimal price) => price > 0 ? Outcome.Success : Outcome.Transient; }"
            },
            {
                "SIDECAR022",
                "using Sidecar; [Sidecar(Classify = \"Judge\", NeverRetryOn = new[] { typeof(System.ArgumentException) })] public interface IQuote { decimal Price(string symbol); } public partial class QuoteSidecar { private static Outcome Judge(System.Exception e) => Outcome.Transient; }",
                "using Sidecar; [Sidecar(Classify = \"Judge\", NeverRetryOn = new[] { typeof(System.ArgumentException) })] public interface IQuote { decimal Price(string symbol); } public partial class QuoteSidecar { private static Outcome Judge(decimal price) => Outcome.Success; }"
            },
            {
                "SIDECAR023",
                "using Sidecar; [Sidecar(Retries = 4, Delay = 200, Backoff = Backoff.Exponential, TotalTimeout = 2000)] public interface IFoo { System.Threading.Tasks.Task M(System.Threading.CancellationToken ct); }",
                "using Sidecar; [Sidecar(Retries = 3, Delay = 200, Backoff = Backoff.Exponential, TotalTimeout = 2000)] public interface IFoo { System.Threading.Tasks.Task M(System.Threading.CancellationToken ct); }"
            },
            {
                "SIDECAR024",
                "using Sidecar; [Sidecar(Hedging = 1, HedgingDelay = 200)] public interface IQuotes { System.Threading.Tasks.Task<decimal> QuoteAsync(string sku); }",
                "using Sidecar; [Sidecar(Hedging = 1, HedgingDelay = 200)] public interface IQuotes { System.Threading.Tasks.Task<decimal> QuoteAsync(string sku, System.Threading.CancellationToken ct = default); }"
            },
        };

        [Fact]
        public void SIDECAR024_says_how_many_attempts_may_run_on_for_one_call()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; [Sidecar(Hedging = 2)] public interface IQuotes { System.Threading.Tasks.ValueTask<decimal> QuoteAsync(string sku); System.Threading.Tasks.Task PingAsync(System.Threading.CancellationToken ct); }");

            Diagnostic reported = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR024");
            string message = reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("'IQuotes.QuoteAsync' is hedged", message, StringComparison.Ordinal);
            Assert.Contains("up to 3 at once for one call", message, StringComparison.Ordinal);
            Assert.Equal("QuoteAsync", result.Output.SyntaxTrees.First().GetText().ToString(reported.Location.SourceSpan));
            Assert.True(result.CompilationProblems.Count == 0, result.Describe(result.CompilationProblems));
        }

        [Fact]
        public void Hedging_a_synchronous_member_is_SIDECAR011_and_names_every_knob_it_cannot_apply()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; [Sidecar(Timeout = 100, Hedging = 1)] public interface IQuotes { decimal Quote(string sku); System.Threading.Tasks.Task<decimal> QuoteAsync(string sku, System.Threading.CancellationToken ct); }");

            Diagnostic reported = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR011");
            string message = reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.StartsWith("Timeout and Hedging is not enforced on 'IQuotes.Quote'", message, StringComparison.Ordinal);
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == "SIDECAR024");
        }

        [Theory]
        [InlineData("Retries = 4, Delay = 200, Backoff = Backoff.Exponential, TotalTimeout = 2000", "TotalTimeout = 2000 ms cannot hold the retry schedule: the delays alone reach it before retry 4, so 1 of the 4 retries can never happen; raise")]
        [InlineData("Retries = 5, Delay = 100, Backoff = Backoff.Constant, Timeout = 300, TotalTimeout = 1000", "if attempts take their whole Timeout of 300 ms, only 2 of the 5 retries fit; raise")]
        [InlineData("Retries = 10, Delay = 300, Backoff = Backoff.Linear, Timeout = 100, TotalTimeout = 2000", "before retry 4, so 7 of the 10 retries can never happen; if attempts take their whole Timeout of 100 ms, only 2 of the 10 retries fit")]
        [InlineData("Retries = 3, Delay = 400, Jitter = true, Backoff = Backoff.Constant, TotalTimeout = 1000", "before retry 4, so")]
        [InlineData("Retries = 4, Delay = 400, Jitter = true, Backoff = Backoff.Constant, TotalTimeout = 1000", "before retry 4, so 1 of the 4 retries can never happen")]
        public void SIDECAR023_counts_the_retries_that_cannot_fit(string settings, string expected)
        {
            GeneratorResult result = TestCompilation.Run("using Sidecar; [Sidecar(" + settings + ")] public interface IFoo { System.Threading.Tasks.Task M(System.Threading.CancellationToken ct); }");

            string[] messages = result.Diagnostics.Where(d => d.Id == "SIDECAR023").Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (settings.StartsWith("Retries = 3, Delay = 400", StringComparison.Ordinal))
            {
                Assert.Empty(messages); // jittered delays may be a quarter shorter: 3 × 300 ms fit in 1 s
            }
            else
            {
                Assert.Contains(expected, Assert.Single(messages), StringComparison.Ordinal);
            }
        }

        [Theory]
        [InlineData("", "does not exist", "'static Outcome Judge(decimal result)' or 'static Outcome Judge(Exception exception)'")]
        [InlineData("private static Outcome Judge(string text) => Outcome.Success;", "takes no result type of a decorated member, nor an Exception", "Judge(decimal result)")]
        [InlineData("private static Outcome Judge<T>(T value) => Outcome.Success;", "has an overload that does not fit, 'QuoteSidecar.Judge<T>(T)'", "Judge(decimal result)")]
        [InlineData("private static Outcome Judge(ref decimal value) => Outcome.Success;", "has an overload that does not fit, 'QuoteSidecar.Judge(ref decimal)'", "Judge(decimal result)")]
        public void An_unfit_Classify_says_what_is_wrong_and_shows_a_signature_that_fits(string classifier, string why, string shown)
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; [Sidecar(Classify = \"Judge\")] public interface IQuote { decimal Price(string symbol); void Touch(); } public partial class QuoteSidecar { " + classifier + " }");

            Diagnostic reported = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR021");
            string message = reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains(why, message, StringComparison.Ordinal);
            Assert.Contains(shown, message, StringComparison.Ordinal);
            Assert.Contains("in class 'QuoteSidecar'", message, StringComparison.Ordinal);
            Assert.Empty(result.GeneratedCodeProblems);
        }

        [Fact]
        public void A_classifier_for_one_result_type_leaves_the_other_members_their_defaults_without_a_diagnostic()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; [Sidecar(Classify = \"Judge\")] public interface IQuote { decimal Price(string symbol); string Name(int id); System.Threading.Tasks.Task<decimal> PriceAsync(string symbol); }"
                + " public partial class QuoteSidecar { private Outcome Judge(decimal price) => price > 0 ? Outcome.Success : Outcome.Transient; }");

            Assert.DoesNotContain(result.Diagnostics, d => d.Id is "SIDECAR021" or "SIDECAR022");
            Assert.True(result.CompilationProblems.Count == 0, result.Describe(result.CompilationProblems));
            string generated = string.Concat(result.Sources.Select(s => s.Source));
            // Price once; PriceAsync twice (its completed-task fast path and its retry loop); Name not at all.
            Assert.Equal(3, CountOf(generated, "sidecar.Judge(classified)"));
        }

        private static int CountOf(string text, string part)
        {
            int count = 0;
            for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }

        [Theory]
        [InlineData("Retries = int.MaxValue, Delay = 0", false)]
        [InlineData("Retries = int.MaxValue, Delay = 1, MaxDelay = 0", true)]
        [InlineData("Retries = int.MaxValue, Delay = 1, MaxDelay = int.MaxValue", true)]
        [InlineData("Retries = int.MaxValue, Delay = 1, Backoff = Backoff.Constant", true)]
        [InlineData("Retries = int.MaxValue, Delay = 1, Backoff = Backoff.Exponential, MaxDelay = 1", true)]
        [InlineData("Retries = 60, Delay = 1, Backoff = Backoff.Exponential, MaxDelay = 60", false)]
        public void The_longest_schedules_are_summed_without_walking_every_retry(string settings, bool absurd)
        {
            GeneratorResult result = TestCompilation.Run("using Sidecar; [Sidecar(" + settings + ")] public interface IFoo { void M(System.Threading.CancellationToken ct); }");

            Assert.Equal(absurd, result.Diagnostics.Any(d => d.Id == "SIDECAR015"));
        }

        [Theory]
        [InlineData("[Sidecar] public class ShippingService : IShipping")]
        [InlineData("[Sidecar] public partial class ShippingService : IShipping")]
        [InlineData("[Sidecar] public partial class ShippingService(int scale) : IShipping")]
        public void Sidecar_on_the_implementing_class_says_where_the_attribute_belongs_not_to_make_it_partial(string declaration)
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; public interface IShipping { int Quote(int kg); } " + declaration + " { public int Quote(int kg) => kg; }");

            Diagnostic reported = Assert.Single(result.Diagnostics);
            Assert.Equal("SIDECAR019", reported.Id);
            string message = reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("put [Sidecar] on IShipping (it generates ShippingSidecar)", message);
            Assert.Contains("[Sidecar] public partial class ResilientShipping : IShipping { }", message);
            Assert.DoesNotContain(result.Sources, s => s.HintName.StartsWith("ShippingService", StringComparison.Ordinal));
        }

        [Fact]
        public void Sidecar_on_a_class_implementing_someone_elses_interface_advises_a_separate_class_only()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; [Sidecar] public class Provider : System.IServiceProvider { public object? GetService(System.Type t) => null; }");

            string message = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR019").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.DoesNotContain("put [Sidecar] on", message);
            Assert.Contains("[Sidecar] public partial class ResilientServiceProvider : System.IServiceProvider { }", message);
        }

        [Fact]
        public void Timeout_over_someone_elses_synchronous_members_is_said_once_for_the_class()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; [Sidecar(Timeout = 100)] public partial class Tracking : System.ComponentModel.IRevertibleChangeTracking { }");

            Diagnostic reported = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR011");
            string message = reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("System.ComponentModel.IChangeTracking.AcceptChanges, System.ComponentModel.IRevertibleChangeTracking.RejectChanges", message);
            Assert.Contains("Write them by hand in the partial class", message);
            Assert.Equal("Tracking", result.Output.SyntaxTrees.First().GetText().ToString(reported.Location.SourceSpan));
            Assert.True(result.CompilationProblems.Count == 0, result.Describe(result.CompilationProblems));
        }

        [Theory]
        [InlineData("FailureRatio = 1.5", "between 0 (off) and 1")]
        [InlineData("FailureRatio = -0.1", "between 0 (off) and 1")]
        [InlineData("SamplingDuration = 0", "at least 1")]
        [InlineData("MinimumThroughput = 0", "at least 1")]
        [InlineData("HalfOpenProbes = 0", "at least 1")]
        [InlineData("MaxConcurrency = -1", "zero or positive")]
        [InlineData("RetryBudget = -0.5", "a positive fraction")]
        [InlineData("MinRetriesPerSecond = -1", "zero or positive")]
        [InlineData("ProbeTimeout = -1", "zero or positive")]
        [InlineData("Backoff = (Backoff)7", "use Backoff.Constant, Backoff.Linear or Backoff.Exponential")]
        public void Out_of_range_resilience_knob_is_reported_and_the_sidecar_still_compiles(string knob, string explanation)
        {
            string source = "using Sidecar; [Sidecar(FailureRatio = 0.5, RetryBudget = 0.1, " + knob + ")] public interface IFoo { void M(); }";
            if (knob.StartsWith("FailureRatio", StringComparison.Ordinal) || knob.StartsWith("RetryBudget", StringComparison.Ordinal))
            {
                source = "using Sidecar; [Sidecar(FailureThreshold = 1, " + knob + ")] public interface IFoo { void M(); }";
            }

            GeneratorResult result = TestCompilation.Run(source);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR008");
            Assert.Equal(knob, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.Contains(explanation, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(result.GeneratedCodeProblems);
        }

        [Theory]
        [InlineData("SamplingDuration = 1000", "FailureRatio")]
        [InlineData("HalfOpenProbes = 2", "FailureThreshold or FailureRatio")]
        [InlineData("BreakDuration = 1000", "FailureThreshold or FailureRatio")]
        [InlineData("MinRetriesPerSecond = 5", "RetryBudget")]
        [InlineData("ProbeTimeout = 5000", "FailureThreshold or FailureRatio")]
        public void A_setting_that_refines_a_knob_that_is_off_is_reported(string knob, string needs)
        {
            string source = "using Sidecar; [Sidecar(" + knob + ")] public interface IFoo { void M(); }";
            GeneratorResult result = TestCompilation.Run(source);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR018");
            Assert.Equal(knob, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.Contains("without " + needs, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }

        [Fact]
        public void A_type_knob_refining_a_feature_one_method_switches_on_is_not_reported()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; [Sidecar(BreakDuration = 30000, MinRetriesPerSecond = 5)] public interface IFoo { [Sidecar(FailureThreshold = 5)] void M(); void N(); }");
            Assert.Equal(new[] { "MinRetriesPerSecond" }, result.Diagnostics.Where(d => d.Id == "SIDECAR018").Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Split(' ')[0]));
        }

        [Fact]
        public void The_policy_literal_names_only_the_knobs_that_differ_from_their_defaults()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; [Sidecar(Retries = 3, Delay = 50, FailureThreshold = 2, ProbeTimeout = 2500, Jitter = true, Backoff = Backoff.Exponential, FailureRatio = 0.25)] public interface IFoo { void M(); }");
            Assert.True(result.CompilationProblems.Count == 0, result.Describe(result.CompilationProblems));
            string source = result.Source("FooSidecar.g.cs");
            int start = source.IndexOf("new global::Sidecar.SidecarPolicy(", StringComparison.Ordinal);
            string literal = source.Substring(start, source.IndexOf(");", start, StringComparison.Ordinal) - start);
            string[] arguments = literal.Split('\n').Skip(1).Select(l => l.Trim().TrimEnd(',')).ToArray();

            // Retries = 3 is the default: not written. The rest in the catalogue's order.
            Assert.Equal(
                new[] { "circuitName: \"IFoo\"", "delay: 50", "backoff: global::Sidecar.Backoff.Exponential", "jitter: true", "failureThreshold: 2", "failureRatio: 0.25", "probeTimeout: 2500" },
                arguments);
        }

        [Fact]
        public void Overloads_with_their_own_circuits_get_one_each()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; public interface IBase { int Get(int id); } " +
                "[Sidecar] public interface IFoo : IBase { [Sidecar(MaxConcurrency = 10)] int Get(string key); [Sidecar(MaxConcurrency = 3)] int Get(ref int id); int Get<T>(int id); }");
            Assert.True(result.CompilationProblems.Count == 0, result.Describe(result.CompilationProblems));
            string source = result.Source("FooSidecar.g.cs");
            Assert.Contains("circuitName: \"IFoo.Get(string)\"", source);
            Assert.Contains("circuitName: \"IFoo.Get(ref int)\"", source);
            Assert.Contains("circuitName: \"IFoo\"", source); // the others share the service's
        }

        [Fact]
        public void The_same_signature_from_two_interfaces_gets_a_circuit_each()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; public interface IA { [Sidecar(MaxConcurrency = 2)] int Get(int id); } public interface IB { [Sidecar(MaxConcurrency = 8)] int Get(int id); } " +
                "public interface IBoth : IA, IB { } [Sidecar] public partial class Both : IBoth { }");
            Assert.True(result.CompilationProblems.Count == 0, result.Describe(result.CompilationProblems));
            string source = result.Source("Both.g.cs");
            Assert.Contains(".IA.Get(int)\"", source);
            Assert.Contains(".IB.Get(int)\"", source);
        }

        [Fact]
        public void A_method_that_refines_its_types_breaker_is_not_reported()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; [Sidecar(FailureRatio = 0.5)] public interface IFoo { [Sidecar(MinimumThroughput = 5)] void M(); }");
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == "SIDECAR018");
            Assert.Contains("circuitName: \"IFoo.M\"", result.Source("FooSidecar.g.cs")); // its own circuit
        }

        [Fact]
        public void Out_of_range_knob_is_reported_on_the_argument_itself()
        {
            const string source = "using Sidecar; [Sidecar(Delay = 10, Retries = -1)] public interface IFoo { void M(); }";
            GeneratorResult result = TestCompilation.Run(source);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR008");
            Assert.Equal("Retries = -1", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.Contains("Retries = -1 is not valid", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }

        [Fact]
        public void RetryOn_error_points_at_the_offending_typeof()
        {
            const string source = "using Sidecar; [Sidecar(RetryOn = new[] { typeof(System.TimeoutException), typeof(int) })] public interface IFoo { void M(); }";
            GeneratorResult result = TestCompilation.Run(source);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR016");
            Assert.Equal("typeof(int)", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.Contains("exception is global::System.TimeoutException;", result.Source("FooSidecar.g.cs")); // the valid type is kept
        }

        [Fact]
        public void A_class_form_sidecar_with_a_primary_constructor_is_refused_with_the_reason()
        {
            const string source = "using Sidecar; public interface IFoo { int M(); } [Sidecar] public partial class Resilient(IFoo foo) : IFoo { }";
            GeneratorResult result = TestCompilation.Run(source);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR006");
            Assert.Contains("primary constructor", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(result.GeneratedCodeProblems);
        }

        [Fact]
        public void A_record_can_be_a_class_form_sidecar()
        {
            GeneratorResult result = TestCompilation.Run("using Sidecar; public interface IFoo { int M(); } [Sidecar] public partial record Resilient : IFoo;");
            Assert.True(result.CompilationProblems.Count == 0, result.Describe(result.CompilationProblems));
            Assert.Contains("partial record Resilient", result.Source("Resilient.g.cs"));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Mistake_is_reported_and_the_near_miss_is_not(string id, string mistake, string nearMiss)
        {
            GeneratorResult bad = TestCompilation.Run(mistake);
            Diagnostic reported = Assert.Single(bad.Diagnostics, d => d.Id == id);
            Assert.DoesNotMatch(@"\{\d\}", reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(DiagnosticDescriptors.ById(id).DefaultSeverity, reported.Severity);
            Assert.NotEqual(Location.None, reported.Location);
            Assert.EndsWith(id + ".md", reported.Descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.Empty(bad.GeneratedCodeProblems);

            GeneratorResult good = TestCompilation.Run(nearMiss);
            Assert.DoesNotContain(good.Diagnostics, d => d.Id == id);
            Assert.True(good.CompilationProblems.Count == 0, good.Describe(good.CompilationProblems));
        }

        [Fact]
        public void Language_versions_before_CSharp_8_are_refused_with_SIDECAR009()
        {
            string source = "using Sidecar; [Sidecar] public interface IFoo { void M(); }";
            CSharpCompilation old = TestCompilation.Create(new[] { source }, allowUnsafe: false, new CSharpParseOptions(LanguageVersion.CSharp7_3));
            GeneratorResult result = TestCompilation.Run(old);
            Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR009");
            Assert.Empty(result.Sources);

            CSharpCompilation ok = TestCompilation.Create(new[] { source }, allowUnsafe: false, new CSharpParseOptions(LanguageVersion.CSharp8));
            GeneratorResult fine = TestCompilation.Run(ok);
            Assert.DoesNotContain(fine.Diagnostics, d => d.Id == "SIDECAR009");
            Assert.Single(fine.Sources);
        }

        [Fact]
        public void A_bad_type_does_not_stop_the_others_from_generating()
        {
            GeneratorResult result = TestCompilation.Run(
                "using Sidecar; [Sidecar] public interface IParse { static abstract IParse Parse(string s); } [Sidecar] public interface IGood { int Value(); }");
            Assert.Single(result.Diagnostics, d => d.Id == "SIDECAR003");
            Assert.Equal("GoodSidecar.g.cs", Assert.Single(result.Sources).HintName);
        }

        [Fact]
        public void Every_descriptor_is_documented_and_listed_in_the_release_tracking_file()
        {
            string root = FindRepositoryRoot();
            string unshipped = System.IO.File.ReadAllText(System.IO.Path.Combine(root, "src", "Generator", "AnalyzerReleases.Unshipped.md"))
                + System.IO.File.ReadAllText(System.IO.Path.Combine(root, "src", "Generator", "AnalyzerReleases.Shipped.md"));
            foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All)
            {
                Assert.True(System.IO.File.Exists(System.IO.Path.Combine(root, "docs", "diagnostics", descriptor.Id + ".md")), descriptor.Id + " has no docs page");
                Assert.Contains(descriptor.Id + " |", unshipped);
            }
        }

        private static string FindRepositoryRoot()
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir, "Sidecar.Generators.sln")))
            {
                dir = System.IO.Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("repository root not found");
        }
    }
}
