using System.Threading.Tasks;
using Sidecar.CodeFixes.Tests.Infrastructure;
using Sidecar.Generators.CodeFixes;
using Xunit;

namespace Sidecar.CodeFixes.Tests
{
    /// <summary>SIDECAR016, reported on a <c>typeof</c> in RetryOn (or NeverRetryOn) that names no exception type.</summary>
    public class RetryOnNotAnExceptionTests
    {
        private static Task FixAsync(string source, string title, string fixedSource)
            => CodeFixTester.VerifyAsync<RetryOnNotAnExceptionCodeFixProvider>("SIDECAR016", source, title, fixedSource);

        [Fact]
        public async Task Removes_the_type_from_an_implicitly_typed_array()
        {
            await FixAsync("""
                using System;
                using Sidecar;

                [Sidecar(RetryOn = new[] { typeof(TimeoutException), [|typeof(string)|], typeof(System.IO.IOException) })]
                public interface IOrderService { int Get(int id); }
                """, "Remove string from RetryOn", """
                using System;
                using Sidecar;

                [Sidecar(RetryOn = new[] { typeof(TimeoutException), typeof(System.IO.IOException) })]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Removes_the_last_type_from_a_collection_expression()
        {
            await FixAsync("""
                using System;
                using Sidecar;

                [Sidecar(Retries = 2, RetryOn = [typeof(TimeoutException), [|typeof(DateTime)|]])]
                public interface IOrderService { int Get(int id); }
                """, "Remove DateTime from RetryOn", """
                using System;
                using Sidecar;

                [Sidecar(Retries = 2, RetryOn = [typeof(TimeoutException)])]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Removes_the_type_before_a_trailing_comma_from_a_multi_line_array()
        {
            await FixAsync("""
                using System;
                using Sidecar;

                [Sidecar(RetryOn = new Type[]
                {
                    typeof(TimeoutException),
                    [|typeof(Uri)|],
                })]
                public interface IOrderService { int Get(int id); }
                """, "Remove Uri from RetryOn", """
                using System;
                using Sidecar;

                [Sidecar(RetryOn = new Type[]
                {
                    typeof(TimeoutException),
                })]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Removing_the_only_type_removes_the_setting()
        {
            await FixAsync("""
                using Sidecar;

                [Sidecar(Retries = 2, RetryOn = new[] { [|typeof(string)|] })]
                public interface IOrderService { int Get(int id); }
                """, "Remove string from RetryOn", """
                using Sidecar;

                [Sidecar(Retries = 2)]
                public interface IOrderService { int Get(int id); }
                """);
        }

        [Fact]
        public async Task Removing_the_only_type_of_the_only_setting_leaves_a_bare_attribute()
        {
            await FixAsync("""
                using Sidecar;

                public interface IOrderService
                {
                    [Sidecar(NeverRetryOn = [[|typeof(int)|]])]
                    int Get(int id);
                }
                """, "Remove int from NeverRetryOn", """
                using Sidecar;

                public interface IOrderService
                {
                    [Sidecar]
                    int Get(int id);
                }
                """);
        }

        [Fact]
        public async Task No_fix_is_offered_for_a_typeof_outside_RetryOn()
        {
            var titles = await CodeFixTester.TitlesForStaleAsync<RetryOnNotAnExceptionCodeFixProvider>("SIDECAR016", """
                using System.ComponentModel;

                [TypeConverter([|typeof(string)|])]
                public interface IOrderService { int Get(int id); }
                """);

            Assert.Empty(titles);
        }
    }
}
