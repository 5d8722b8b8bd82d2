using System.Linq;
using Microsoft.CodeAnalysis;
using Sidecar.Generators.Tests.Infrastructure;
using Xunit;

namespace Sidecar.Generators.Tests
{
    /// <summary>The generated source for representative shapes, compared with the accepted snapshots; each must compile cleanly.</summary>
    public class SnapshotTests
    {
        private static void Check(string source, string hintName, string snapshot, params string[] allowedIds)
        {
            GeneratorResult result = TestCompilation.Run(source);
            Assert.True(result.CompilationProblems.All(d => allowedIds.Contains(d.Id)), result.Describe(result.CompilationProblems));
            Assert.DoesNotContain(result.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning && !allowedIds.Contains(d.Id));
            Snapshot.Verify(result.Source(hintName), snapshot);
        }

        [Fact]
        public void Interface_with_sync_and_async_members()
        {
            Check(
                """
                using System.Threading;
                using System.Threading.Tasks;
                using Sidecar;

                namespace Shop
                {
                    public sealed record Order(int Id);

                    [Sidecar(Retries = 5, Delay = 50)]
                    public interface IOrderService
                    {
                        Task<Order> GetAsync(int id, CancellationToken ct = default);
                        Task SaveAsync(Order order, CancellationToken ct = default);
                        ValueTask<int> CountAsync();
                        ValueTask PingAsync();
                        int Count(string? filter);
                        void Reset();
                    }
                }
                """,
                "Shop.OrderServiceSidecar.g.cs",
                "OrderServiceSidecar");
        }

        [Fact]
        public void Every_parameter_and_member_shape()
        {
            Check(
                """
                using System;
                using System.Collections.Generic;
                using System.Diagnostics.CodeAnalysis;
                using Sidecar;

                namespace Shapes
                {
                    public enum Color { Red = 1, Green = 2, Blue = -3 }

                    [Sidecar(Retries = 2, Delay = 0, FailureThreshold = 3, BreakDuration = 1000)]
                    public interface IShapes
                    {
                        void Refs(ref int a, out string b, in DateTime c, params int[] rest);
                        string Defaults(string s = "quote \" and \\ slash", char c = '\'', decimal m = 1.5m, double d = double.NaN, float f = 2.5f,
                            long l = -9L, ulong u = 7UL, Color color = Color.Blue, Color? maybe = null, object? o = null, DateTime when = default, int? n = 5);
                        T Generic<T, TOther>(T value, TOther other) where T : class, IComparable<T>, new() where TOther : struct;
                        void Unmanaged<T>(T value) where T : unmanaged;
                        TKey NotNull<TKey>(TKey key) where TKey : notnull;
                        void Overload(int x);
                        void Overload(string x);
                        int @class(int @event);
                        string? Nullable(string? value, List<string?>? list);
                        bool TryGet(string key, [MaybeNullWhen(false)] out string value);
                        [return: NotNullIfNotNull(nameof(input))] string? Echo(string? input);
                        int Count { get; }
                        string Name { get; set; }
                        int this[int index] { get; set; }
                        event EventHandler? Changed;
                        ref int RefReturn(int[] values);
                        Span<int> Slice(int[] values);
                        IAsyncEnumerable<int> StreamAsync();
                        [PassThrough] void Once();
                        [Sidecar(Retries = 9, FailureThreshold = 1)] void Own();
                        [Sidecar(RetryOn = new[] { typeof(TimeoutException), typeof(System.IO.IOException) })] void Transient();
                    }
                }
                """,
                "Shapes.ShapesSidecar.g.cs",
                "ShapesSidecar");
        }

        [Fact]
        public void Inherited_interfaces_with_colliding_members_use_explicit_implementation()
        {
            Check(
                """
                using System.Collections;
                using System.Collections.Generic;
                using Sidecar;

                public interface IA { int Value(); string Name { get; } }
                public interface IB { int Value(); long Name { get; } }

                [Sidecar(Retries = 1, Delay = 0)]
                public interface IBoth : IA, IB, IEnumerable<int>
                {
                }
                """,
                "BothSidecar.g.cs",
                "BothSidecar");
        }

        [Fact]
        public void Generic_internal_interface()
        {
            Check(
                """
                using System.Threading.Tasks;
                using Sidecar;

                namespace Data
                {
                    [Sidecar(Backoff = Backoff.Exponential, MaxDelay = 2000)]
                    internal interface IRepository<T, in TKey> where T : class where TKey : notnull
                    {
                        Task<T?> FindAsync(TKey key);
                        Task<TResult> QueryAsync<TResult>(System.Func<T, TResult> map) where TResult : struct;
                    }
                }
                """,
                "Data.RepositorySidecar`2.g.cs",
                "RepositorySidecar");
        }

        [Fact]
        public void Class_form_completes_only_what_was_not_written_by_hand()
        {
            Check(
                """
                using System;
                using System.Threading.Tasks;
                using Sidecar;

                namespace Cloud
                {
                    // An interface the user does not own.
                    public interface IBlobStore
                    {
                        Task<byte[]> ReadAsync(string key);
                        Task WriteAsync(string key, byte[] data);
                        void Dispose();
                    }

                    public static partial class Outer
                    {
                        [Sidecar(Retries = 4, Delay = 25, Backoff = Backoff.Exponential, FailureThreshold = 5)]
                        public partial class ResilientBlobStore : IBlobStore
                        {
                            // Written by hand: the generator leaves it alone.
                            public void Dispose() { }
                        }
                    }
                }
                """,
                "Cloud.Outer.ResilientBlobStore.g.cs",
                "ResilientBlobStore");
        }

        [Fact]
        public void Timeout_and_fallback()
        {
            Check(
                """
                using System;
                using System.Threading;
                using System.Threading.Tasks;
                using Sidecar;

                namespace Market
                {
                    [Sidecar(Retries = 2, Delay = 20, Timeout = 500, Fallback = nameof(QuotesSidecar.Cached))]
                    public interface IQuotes
                    {
                        Task<decimal> PriceAsync(string symbol, CancellationToken cancellationToken);
                        decimal Last(string symbol);
                    }

                    public partial class QuotesSidecar
                    {
                        internal Task<decimal> Cached(string symbol, CancellationToken cancellationToken) => Task.FromResult(0m);
                        internal decimal Cached(string symbol, Exception exception) => 0m;
                    }
                }
                """,
                "Market.QuotesSidecar.g.cs",
                "QuotesSidecar",
                allowedIds: "SIDECAR011");
        }

        [Fact]
        public void Classified_results_and_exceptions()
        {
            Check(
                """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;
                using Sidecar;

                namespace Weather
                {
                    [Sidecar(Retries = 2, Delay = 100, Classify = "Classify", Fallback = "Stale")]
                    public interface IForecast
                    {
                        Task<HttpResponseMessage> GetAsync(string city, CancellationToken cancellationToken);
                        ValueTask<int> TemperatureAsync(string city);
                        int Humidity(string city);
                        Task RefreshAsync(CancellationToken cancellationToken);
                    }

                    public partial class ForecastSidecar
                    {
                        private static Outcome Classify(HttpResponseMessage response) => SidecarHttp.Classify(response);
                        private Outcome Classify(int reading) => reading < -100 ? Outcome.Transient : Outcome.Success;
                        private static Outcome Classify(Exception exception) => SidecarHttp.Classify(exception);

                        private Task<HttpResponseMessage> Stale(string city, CancellationToken cancellationToken, Exception exception) => Task.FromResult(new HttpResponseMessage());
                        private ValueTask<int> Stale(string city) => new(0);
                        private int Stale(string city, Exception exception) => 0;
                        private Task Stale(CancellationToken cancellationToken) => Task.CompletedTask;
                    }
                }
                """,
                "Weather.ForecastSidecar.g.cs",
                "ForecastSidecar");
        }

        [Fact]
        public void Hedged_members_with_classifiers_a_timeout_and_a_fallback()
        {
            Check(
                """
                using System;
                using System.Net.Http;
                using System.Threading;
                using System.Threading.Tasks;
                using Sidecar;

                namespace Search
                {
                    [Sidecar(Retries = 1, Hedging = 2, HedgingDelay = 150, Timeout = 1000, Classify = "Classify")]
                    public interface ISearch
                    {
                        Task<HttpResponseMessage> FindAsync(string query, CancellationToken cancellationToken);
                        ValueTask<int> CountAsync(string query, CancellationToken cancellationToken);
                        [Sidecar(Fallback = "Offline")]
                        Task WarmAsync(CancellationToken cancellationToken);
                    }

                    public partial class SearchSidecar
                    {
                        private static Outcome Classify(HttpResponseMessage response) => SidecarHttp.Classify(response);
                        private static Outcome Classify(Exception exception) => SidecarHttp.Classify(exception);
                        private Task Offline(CancellationToken cancellationToken) => Task.CompletedTask;
                    }
                }
                """,
                "Search.SearchSidecar.g.cs",
                "SearchSidecar");
        }

        [Fact]
        public void Ratio_breaker_probes_bulkhead_retry_budget_and_decorrelated_jitter()
        {
            Check(
                """
                using System.Threading;
                using System.Threading.Tasks;
                using Sidecar;

                namespace Payments
                {
                    [Sidecar(Retries = 4, Delay = 50, Backoff = Backoff.Exponential, Jitter = true, MaxDelay = 2000,
                             FailureRatio = 0.5, SamplingDuration = 10_000, MinimumThroughput = 20, HalfOpenProbes = 3,
                             BreakDuration = 15_000, MaxConcurrency = 32, RetryBudget = 0.2, MinRetriesPerSecond = 5)]
                    public interface IGateway
                    {
                        Task<string> ChargeAsync(decimal amount, CancellationToken cancellationToken);

                        [Sidecar(MaxConcurrency = 4)]
                        string Refund(string chargeId);
                    }
                }
                """,
                "Payments.GatewaySidecar.g.cs",
                "GatewaySidecar");
        }

        [Fact]
        public void Method_attribute_alone_decorates_only_that_method()
        {
            Check(
                """
                using Sidecar;

                public interface IInventory
                {
                    [Sidecar(Retries = 2, Delay = 10)]
                    int Reserve(int sku);
                    int Release(int sku);
                }
                """,
                "InventorySidecar.g.cs",
                "InventorySidecar");
        }

        [Fact]
        public void Dependency_injection_logging_and_the_start_up_check()
        {
            // With DI, logging and hosting referenced: the extension, the helper the extensions share (with the hosted
            // check of overrides) and the logging observer.
            Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation = TestCompilation.Create(
                """
                using System.Threading.Tasks;
                using Sidecar;

                namespace Shop
                {
                    [Sidecar(Retries = 2)]
                    public interface IOrders { Task<int> CountAsync(); }
                }
                """).AddReferences(
                    MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly.Location),
                    MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.DependencyInjection.ActivatorUtilities).Assembly.Location),
                    MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILoggerFactory).Assembly.Location),
                    MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Hosting.IHostedService).Assembly.Location));
            GeneratorResult result = TestCompilation.Run(compilation);

            // (The .NET 10 packages against .NET 8 reference assemblies give CS1705 for the compilation as a whole; the
            // generated files must be clean. The test project compiles the same files for real, warnings as errors.)
            Assert.True(result.GeneratedCodeProblems.Count == 0, result.Describe(result.GeneratedCodeProblems));
            Snapshot.Verify(result.Source("Shop.OrdersSidecar.DependencyInjection.g.cs"), "OrdersSidecar.DependencyInjection");
            Snapshot.Verify(result.Source("Sidecar.Generated.SidecarServiceRegistration.g.cs"), "SidecarServiceRegistration");
            Snapshot.Verify(result.Source("Sidecar.Generated.SidecarLoggingObserver.g.cs"), "SidecarLoggingObserver");
        }
    }
}
