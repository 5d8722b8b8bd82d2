using System.Threading.Tasks;
using Sidecar.CodeFixes.Tests.Infrastructure;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>SIDECAR010, reported on the identifier of a nested [Sidecar] class whose containing types are not all partial.</summary>
    public class MakeContainingTypesPartialTests
    {
        private const string Title = "Make containing types partial";

        [Fact]
        public async Task Every_containing_type_that_is_not_partial_becomes_partial()
        {
            await CodeFixTester.VerifyAsync<MakeContainingTypesPartialCodeFixProvider>("SIDECAR010", """
                using Sidecar;

                public interface IOrderService { int Get(int id); }

                public class Shop
                {
                    public partial record Aisle
                    {
                        internal static class Shelf
                        {
                            [Sidecar(Retries = 3)]
                            public partial class [|ResilientOrders|] : IOrderService
                            {
                            }
                        }
                    }
                }
                """, Title, """
                using Sidecar;

                public interface IOrderService { int Get(int id); }

                public partial class Shop
                {
                    public partial record Aisle
                    {
                        internal static partial class Shelf
                        {
                            [Sidecar(Retries = 3)]
                            public partial class ResilientOrders : IOrderService
                            {
                            }
                        }
                    }
                }
                """);
        }

        [Fact]
        public async Task Structs_and_interfaces_without_modifiers_take_partial_before_their_keyword()
        {
            await CodeFixTester.VerifyAsync<MakeContainingTypesPartialCodeFixProvider>("SIDECAR010", """
                using Sidecar;

                public interface IOrderService { int Get(int id); }

                interface IShop
                {
                    readonly struct Counter
                    {
                        [Sidecar]
                        partial class [|ResilientOrders|] : IOrderService
                        {
                        }
                    }
                }
                """, Title, """
                using Sidecar;

                public interface IOrderService { int Get(int id); }

                partial interface IShop
                {
                    readonly partial struct Counter
                    {
                        [Sidecar]
                        partial class ResilientOrders : IOrderService
                        {
                        }
                    }
                }
                """);
        }

        [Fact]
        public async Task The_generic_types_around_a_sidecar_interface_become_partial()
        {
            await CodeFixTester.VerifyAsync<MakeContainingTypesPartialCodeFixProvider>("SIDECAR010", """
                public class Cache<TKey>
                {
                    [Sidecar.Sidecar]
                    public interface [|IStore|] { string Get(TKey key); }
                }
                """, Title, """
                public partial class Cache<TKey>
                {
                    [Sidecar.Sidecar]
                    public interface IStore { string Get(TKey key); }
                }
                """);
        }

        [Fact]
        public async Task No_fix_is_offered_when_every_containing_type_is_partial()
        {
            var titles = await CodeFixTester.TitlesForStaleAsync<MakeContainingTypesPartialCodeFixProvider>("SIDECAR010", """
                public interface IOrderService { int Get(int id); }

                public partial class Shop
                {
                    [Sidecar.Sidecar]
                    public partial class [|ResilientOrders|] : IOrderService
                    {
                    }
                }
                """);

            Assert.Empty(titles);
        }
    }
}
