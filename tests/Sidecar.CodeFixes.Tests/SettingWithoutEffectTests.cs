using System.Threading.Tasks;
using Sidecar.CodeFixes.Tests.Infrastructure;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>SIDECAR018, reported on a setting that refines a knob that is off.</summary>
    public class SettingWithoutEffectTests
    {
        [Fact]
        public async Task Remove_the_setting_removes_the_argument()
        {
            await CodeFixTester.VerifyAsync<SettingWithoutEffectCodeFixProvider>("SIDECAR018", """
                [Sidecar.Sidecar(Retries = 2, [|SamplingDuration = 10000|], FailureThreshold = 3)]
                public interface IOrderService { int Get(int id); }
                """, "Remove SamplingDuration", """
                [Sidecar.Sidecar(Retries = 2, FailureThreshold = 3)]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task The_title_names_the_setting()
        {
            var titles = await CodeFixTester.TitlesAsync<SettingWithoutEffectCodeFixProvider>("SIDECAR018", """
                [Sidecar.Sidecar([|MinRetriesPerSecond = 5|])]
                public interface IOrderService { int Get(int id); }
                """);

            Assert.Equal(new[] { "Remove MinRetriesPerSecond" }, titles);
        }
    }
}
