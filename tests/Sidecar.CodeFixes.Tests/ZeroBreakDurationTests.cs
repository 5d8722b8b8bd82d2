using System.Threading.Tasks;
using Sidecar.CodeFixes.Tests.Infrastructure;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>SIDECAR014, reported on <c>BreakDuration = 0</c> (or on FailureThreshold when BreakDuration comes from the type).</summary>
    public class ZeroBreakDurationTests
    {
        [Fact]
        public async Task Remove_BreakDuration_removes_the_argument()
        {
            await CodeFixTester.VerifyAsync<ZeroBreakDurationCodeFixProvider>("SIDECAR014", """
                [Sidecar.Sidecar(FailureThreshold = 5, [|BreakDuration = 0|], Retries = 2)]
                public interface IOrderService { int Get(int id); }
                """, "Remove BreakDuration", """
                [Sidecar.Sidecar(FailureThreshold = 5, Retries = 2)]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task No_fix_is_offered_when_reported_on_FailureThreshold()
        {
            var titles = await CodeFixTester.TitlesAsync<ZeroBreakDurationCodeFixProvider>("SIDECAR014", """
                [Sidecar.Sidecar(BreakDuration = 0)]
                public interface IOrderService
                {
                    [Sidecar.Sidecar([|FailureThreshold = 3|])]
                    int Get(int id);
                }
                """);

            Assert.Empty(titles);
        }
    }
}
