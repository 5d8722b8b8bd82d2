using System.Threading.Tasks;
using Sidecar.CodeFixes.Tests.Infrastructure;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>SIDECAR001, reported on the identifier of a [Sidecar] class that is not partial.</summary>
    public class MakeClassPartialTests
    {
        [Fact]
        public async Task Partial_goes_after_the_other_modifiers_right_before_class()
        {
            await CodeFixTester.VerifyAsync<MakeClassPartialCodeFixProvider>("SIDECAR001", """
                using Sidecar;

                public interface IOrderService { int Get(int id); }

                [Sidecar(Retries = 5)]
                public sealed class [|ResilientOrders|] : IOrderService
                {
                }
                """, "Make 'ResilientOrders' partial", """
                using Sidecar;

                public interface IOrderService { int Get(int id); }

                [Sidecar(Retries = 5)]
                public sealed partial class ResilientOrders : IOrderService
                {
                }
                """);
        }

        [Fact]
        public async Task Every_declaration_becomes_partial_in_every_file_keeping_comments_and_indentation()
        {
            await CodeFixTester.VerifyAsync<MakeClassPartialCodeFixProvider>("SIDECAR001", new[]
            {
                """
                namespace Shop
                {
                    public interface IOrderService { int Get(int id); int Put(int id); }

                    [Sidecar.Sidecar]
                    internal class [|ResilientOrders|] : IOrderService
                    {
                    }
                }
                """,
                """
                namespace Shop
                {
                    /// <summary>The hand-written part.</summary>
                    class ResilientOrders
                    {
                        public int Get(int id) => id;
                    }
                }
                """,
            }, "Make 'ResilientOrders' partial", new[]
            {
                """
                namespace Shop
                {
                    public interface IOrderService { int Get(int id); int Put(int id); }

                    [Sidecar.Sidecar]
                    internal partial class ResilientOrders : IOrderService
                    {
                    }
                }
                """,
                """
                namespace Shop
                {
                    /// <summary>The hand-written part.</summary>
                    partial class ResilientOrders
                    {
                        public int Get(int id) => id;
                    }
                }
                """,
            });
        }
    }
}
