using System.Threading.Tasks;
using Sidecar.CodeFixes.Tests.Infrastructure;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>SIDECAR007, reported on a [Sidecar] attribute on a method of a class.</summary>
    public class RemoveAttributeFromClassMethodTests
    {
        private const string Title = "Remove [Sidecar]";

        [Fact]
        public async Task An_attribute_alone_in_its_brackets_goes_with_its_line_and_the_documentation_stays()
        {
            await CodeFixTester.VerifyAsync<RemoveAttributeFromClassMethodCodeFixProvider>("SIDECAR007", """
                using Sidecar;

                public class OrderService
                {
                    /// <summary>Gets an order.</summary>
                    [[|Sidecar(Retries = 5)|]] // retried
                    public int Get(int id) => id;
                }
                """, Title, """
                using Sidecar;

                public class OrderService
                {
                    /// <summary>Gets an order.</summary>
                    public int Get(int id) => id;
                }
                """);
        }

        [Fact]
        public async Task An_attribute_list_after_another_goes_with_its_line()
        {
            await CodeFixTester.VerifyFirstAsync<RemoveAttributeFromClassMethodCodeFixProvider>("SIDECAR007", """
                using System;
                using Sidecar;

                public class OrderService
                {
                    [Obsolete]
                    [[|Sidecar|]]
                    public int Get(int id) => id;

                    [Obsolete] [[|SidecarAttribute(Delay = 5)|]] public int Put(int id) => id;
                }
                """, Title, """
                using System;
                using Sidecar;

                public class OrderService
                {
                    [Obsolete]
                    public int Get(int id) => id;

                    [Obsolete] [[|SidecarAttribute(Delay = 5)|]] public int Put(int id) => id;
                }
                """);
        }

        [Fact]
        public async Task An_attribute_on_the_same_line_as_the_method_leaves_the_line_tidy()
        {
            await CodeFixTester.VerifyFirstAsync<RemoveAttributeFromClassMethodCodeFixProvider>("SIDECAR007", """
                using System;
                using Sidecar;

                public class OrderService
                {
                    [Obsolete] [[|SidecarAttribute(Delay = 5)|]] public int Put(int id) => id;

                    [[|Sidecar|]] public int Get(int id) => id;
                }
                """, Title, """
                using System;
                using Sidecar;

                public class OrderService
                {
                    [Obsolete] public int Put(int id) => id;

                    [[|Sidecar|]] public int Get(int id) => id;
                }
                """);
        }

        [Fact]
        public async Task An_attribute_opening_the_line_of_the_method_leaves_the_method_indented()
        {
            await CodeFixTester.VerifyAsync<RemoveAttributeFromClassMethodCodeFixProvider>("SIDECAR007", """
                public class OrderService
                {
                    [[|Sidecar.Sidecar|]] public int Get(int id) => id;
                }
                """, Title, """
                public class OrderService
                {
                    public int Get(int id) => id;
                }
                """);
        }

        [Fact]
        public async Task An_attribute_sharing_its_brackets_leaves_the_others()
        {
            await CodeFixTester.VerifyAsync<RemoveAttributeFromClassMethodCodeFixProvider>("SIDECAR007", """
                using System;
                using Sidecar;

                public class OrderService
                {
                    [[|Sidecar(Retries = 1)|], Obsolete("use GetAsync")]
                    public int Get(int id) => id;
                }
                """, Title, """
                using System;
                using Sidecar;

                public class OrderService
                {
                    [Obsolete("use GetAsync")]
                    public int Get(int id) => id;
                }
                """);
        }
    }
}
