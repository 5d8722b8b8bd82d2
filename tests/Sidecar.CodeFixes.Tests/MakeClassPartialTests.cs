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
            string fixedSource = await CodeFixTester.ApplyAsync(new MakeClassPartialCodeFixProvider(), "SIDECAR001", """
                using Sidecar;

                public interface IOrderService { int Get(int id); }

                [Sidecar(Retries = 5)]
                public sealed class [|ResilientOrders|] : IOrderService
                {
                }
                """, "Make 'ResilientOrders' partial");

            Assert.Equal("""
                using Sidecar;

                public interface IOrderService { int Get(int id); }

                [Sidecar(Retries = 5)]
                public sealed partial class ResilientOrders : IOrderService
                {
                }
                """, fixedSource);
        }

        [Fact]
        public async Task Every_declaration_becomes_partial_in_every_file_keeping_comments_and_indentation()
        {
            var fixedSources = await CodeFixTester.ApplyAsync(new MakeClassPartialCodeFixProvider(), "SIDECAR001", "Make 'ResilientOrders' partial", new[]
            {
                """
                namespace Shop
                {
                    public interface IOrderService { int Get(int id); }

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
            });

            Assert.Equal("""
                namespace Shop
                {
                    public interface IOrderService { int Get(int id); }

                    [Sidecar.Sidecar]
                    internal partial class ResilientOrders : IOrderService
                    {
                    }
                }
                """, fixedSources[0]);
            Assert.Equal("""
                namespace Shop
                {
                    /// <summary>The hand-written part.</summary>
                    partial class ResilientOrders
                    {
                        public int Get(int id) => id;
                    }
                }
                """, fixedSources[1]);
        }
    }
}
