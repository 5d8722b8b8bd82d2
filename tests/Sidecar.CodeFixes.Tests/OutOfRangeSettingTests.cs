using System.Threading.Tasks;
using Sidecar.CodeFixes.Tests.Infrastructure;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>SIDECAR008, reported on the named argument whose value is out of range.</summary>
    public class OutOfRangeSettingTests
    {
        private static Task FixAsync(string source, string title, string fixedSource)
            => CodeFixTester.VerifyAsync<OutOfRangeSettingCodeFixProvider>("SIDECAR008", source, title, fixedSource);

        [Fact]
        public async Task Set_to_0_replaces_the_value()
        {
            await FixAsync("""
                [Sidecar.Sidecar([|Retries = -1|], Delay = 50)]
                public interface IOrderService { int Get(int id); }
                """, "Set Retries to 0", """
                [Sidecar.Sidecar(Retries = 0, Delay = 50)]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Remove_takes_the_argument_and_its_comma()
        {
            await FixAsync("""
                [Sidecar.Sidecar(Retries = 2, [|Delay = -50|])]
                public interface IOrderService { int Get(int id); }
                """, "Remove Delay", """
                [Sidecar.Sidecar(Retries = 2)]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Removing_the_only_argument_removes_the_parentheses()
        {
            await FixAsync("""
                [Sidecar.Sidecar([|Timeout = -1|])]
                public interface IOrderService { int Get(int id); }
                """, "Remove Timeout", """
                [Sidecar.Sidecar]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Removing_an_argument_on_its_own_line_keeps_the_others_laid_out()
        {
            await FixAsync("""
                using Sidecar;

                [Sidecar(
                    Retries = 3,
                    [|FailureThreshold = -5|],
                    BreakDuration = 10_000)]
                public interface IOrderService { int Get(int id); }
                """, "Remove FailureThreshold", """
                using Sidecar;

                [Sidecar(
                    Retries = 3,
                    BreakDuration = 10_000)]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Removing_the_first_argument_pulls_the_next_one_up_to_the_parenthesis()
        {
            await FixAsync("""
                [Sidecar.Sidecar([|Retries = -1|],
                                 Delay = 50)]
                public interface IOrderService { int Get(int id); }
                """, "Remove Retries", """
                [Sidecar.Sidecar(Delay = 50)]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Removing_the_last_argument_before_a_closing_parenthesis_on_its_own_line_keeps_the_line_break()
        {
            await FixAsync("""
                using Sidecar;

                [Sidecar(
                    Retries = 3,
                    [|MaxDelay = -1|]
                )]
                public interface IOrderService { int Get(int id); }
                """, "Remove MaxDelay", """
                using Sidecar;

                [Sidecar(
                    Retries = 3
                )]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Each_numeric_setting_offers_set_to_0_then_remove()
        {
            foreach (string setting in new[] { "Retries", "Delay", "MaxDelay", "FailureThreshold", "BreakDuration", "Timeout" })
            {
                var titles = await CodeFixTester.TitlesAsync<OutOfRangeSettingCodeFixProvider>("SIDECAR008", $$"""
                    [Sidecar.Sidecar(Jitter = true, [|{{setting}} = -1|])]
                    public interface IOrderService { int Get(int id); }
                    """);

                Assert.Equal(new[] { $"Set {setting} to 0", $"Remove {setting}" }, titles);
            }
        }

        [Theory]
        [InlineData("HalfOpenProbes = 0", "Set HalfOpenProbes to 1", "HalfOpenProbes = 1")]
        [InlineData("SamplingDuration = -20", "Set SamplingDuration to 1", "SamplingDuration = 1")]
        [InlineData("FailureRatio = 1.5", "Set FailureRatio to 1", "FailureRatio = 1")]
        [InlineData("RetryBudget = -0.5", "Set RetryBudget to 0", "RetryBudget = 0")]
        [InlineData("ProbeTimeout = -1", "Set ProbeTimeout to 0", "ProbeTimeout = 0")]
        public async Task Set_to_the_nearest_valid_value_of_the_knobs_range(string written, string title, string expected)
        {
            await FixAsync($$"""
                [Sidecar.Sidecar(FailureThreshold = 1, [|{{written}}|])]
                public interface IOrderService { int Get(int id); }
                """, title, $$"""
                [Sidecar.Sidecar(FailureThreshold = 1, {{expected}})]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task An_undefined_backoff_can_only_be_removed()
        {
            var titles = await CodeFixTester.TitlesAsync<OutOfRangeSettingCodeFixProvider>("SIDECAR008", """
                using Sidecar;

                [Sidecar([|Backoff = (Backoff)7|])]
                public interface IOrderService { int Get(int id); }
                """);

            Assert.Equal(new[] { "Remove Backoff" }, titles);
        }

        [Fact]
        public async Task No_fix_is_offered_for_a_diagnostic_on_the_whole_attribute()
        {
            var titles = await CodeFixTester.TitlesForStaleAsync<OutOfRangeSettingCodeFixProvider>("SIDECAR008", """
                [[|Sidecar.Sidecar(Retries = -1)|]]
                public interface IOrderService { int Get(int id); }
                """);

            Assert.Empty(titles);
        }
    }
}
