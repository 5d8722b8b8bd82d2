using System.Threading.Tasks;
using Sidecar.CodeFixes.Tests.Infrastructure;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>"Fix all occurrences in document", through the batch fixer every provider returns.</summary>
    public class FixAllTests
    {
        [Fact]
        public async Task Set_Retries_to_0_fixes_every_negative_Retries_and_leaves_other_settings()
        {
            await CodeFixTester.VerifyAsync<OutOfRangeSettingCodeFixProvider>("SIDECAR008", """
                using Sidecar;

                [Sidecar([|Retries = -1|], [|Delay = -5|])]
                public interface IOrderService
                {
                    [Sidecar([|Retries = -3|])]
                    int Get(int id);
                }
                """, "Set Retries to 0", """
                using Sidecar;

                [Sidecar(Retries = 0, [|Delay = -5|])]
                public interface IOrderService
                {
                    [Sidecar(Retries = 0)]
                    int Get(int id);
                }
                """);
        }

        [Fact]
        public async Task Make_partial_fixes_every_class_in_the_document()
        {
            await CodeFixTester.VerifyAsync<MakeClassPartialCodeFixProvider>("SIDECAR001", """
                using Sidecar;

                public interface IOrderService { int Get(int id); }

                [Sidecar]
                public class [|ResilientOrders|] : IOrderService
                {
                }

                [Sidecar(Retries = 1)]
                internal sealed class [|QuickOrders|] : IOrderService
                {
                }
                """, "Make 'ResilientOrders' partial", """
                using Sidecar;

                public interface IOrderService { int Get(int id); }

                [Sidecar]
                public partial class ResilientOrders : IOrderService
                {
                }

                [Sidecar(Retries = 1)]
                internal sealed partial class QuickOrders : IOrderService
                {
                }
                """);
        }

        [Fact]
        public async Task Remove_from_RetryOn_fixes_every_listed_non_exception()
        {
            await CodeFixTester.VerifyAsync<RetryOnNotAnExceptionCodeFixProvider>("SIDECAR016", """
                using System;
                using Sidecar;

                [Sidecar(RetryOn = new[] { [|typeof(string)|], typeof(TimeoutException), [|typeof(int)|] })]
                public interface IOrderService
                {
                    [Sidecar(RetryOn = [[|typeof(Uri)|]])]
                    int Get(int id);
                }
                """, "Remove string from RetryOn", """
                using System;
                using Sidecar;

                [Sidecar(RetryOn = new[] { typeof(TimeoutException) })]
                public interface IOrderService
                {
                    [Sidecar]
                    int Get(int id);
                }
                """);
        }
    }
}
