using System.Threading.Tasks;
using Sidecar.CodeFixes.Tests.Infrastructure;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>SIDECAR013, reported on the MaxDelay argument (or on Delay when MaxDelay comes from the type).</summary>
    public class MaxDelayBelowDelayTests
    {
        [Fact]
        public async Task Set_MaxDelay_to_Delay_copies_the_delay_literal()
        {
            await CodeFixTester.VerifyAsync<MaxDelayBelowDelayCodeFixProvider>("SIDECAR013", """
                [Sidecar.Sidecar(Delay = 1_000, [|MaxDelay = 200|], Retries = 4)]
                public interface IOrderService { int Get(int id); }
                """, "Set MaxDelay to Delay", """
                [Sidecar.Sidecar(Delay = 1_000, MaxDelay = 1_000, Retries = 4)]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Remove_MaxDelay_removes_the_argument()
        {
            await CodeFixTester.VerifyAsync<MaxDelayBelowDelayCodeFixProvider>("SIDECAR013", """
                [Sidecar.Sidecar([|MaxDelay = 200|], Delay = 1000)]
                public interface IOrderService { int Get(int id); }
                """, "Remove MaxDelay", """
                [Sidecar.Sidecar(Delay = 1000)]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Without_a_delay_literal_in_the_attribute_only_remove_is_offered()
        {
            var titles = await CodeFixTester.TitlesAsync<MaxDelayBelowDelayCodeFixProvider>("SIDECAR013", """
                public static class Timings { public const int Slow = 1000; }

                [Sidecar.Sidecar(Delay = Timings.Slow, [|MaxDelay = 200|])]
                public interface IOrderService { int Get(int id); }
                """);

            Assert.Equal(new[] { "Remove MaxDelay" }, titles);
        }

        [Fact]
        public async Task No_fix_is_offered_when_reported_on_Delay()
        {
            var titles = await CodeFixTester.TitlesAsync<MaxDelayBelowDelayCodeFixProvider>("SIDECAR013", """
                [Sidecar.Sidecar(MaxDelay = 200)]
                public interface IOrderService
                {
                    [Sidecar.Sidecar([|Delay = 1000|])]
                    int Get(int id);
                }
                """);

            Assert.Empty(titles);
        }
    }
}
