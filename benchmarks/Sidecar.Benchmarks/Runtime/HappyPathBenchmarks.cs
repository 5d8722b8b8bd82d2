using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Sidecar.Benchmarks.Contenders;
using Sidecar.Benchmarks.Subjects;

namespace Sidecar.Benchmarks.Runtime
{
    /// <summary>The five contenders over one <see cref="QuoteService"/> each; the calls succeed at once.</summary>
    public abstract class HappyPathBenchmarks
    {
        /// <summary>The argument of every call.</summary>
        protected const int Sku = 7;

        /// <summary>The inner instance called directly, through the interface.</summary>
        protected IQuoteService PlainService { get; private set; } = null!;

        /// <summary>The hand-written decorator.</summary>
        protected IQuoteService HandWrittenService { get; private set; } = null!;

        /// <summary>The minimal hand-written decorator (retry loop, consecutive-failure breaker, nothing else).</summary>
        protected IQuoteService MinimalService { get; private set; } = null!;

        /// <summary>The generated sidecar.</summary>
        protected IQuoteService GeneratedService { get; private set; } = null!;

        /// <summary>The Polly decorator.</summary>
        protected IQuoteService PollyService { get; private set; } = null!;

        /// <summary>The Castle proxy.</summary>
        protected IQuoteService CastleService { get; private set; } = null!;

        /// <summary>Builds the contenders.</summary>
        [GlobalSetup]
        public void Setup()
        {
            PlainService = new QuoteService();
            HandWrittenService = QuoteServices.HandWritten(new QuoteService());
            MinimalService = QuoteServices.Minimal(new QuoteService());
            GeneratedService = QuoteServices.Generated(new QuoteService());
            PollyService = QuoteServices.Polly(new QuoteService());
            CastleService = QuoteServices.Castle(new QuoteService());
        }
    }

    /// <summary><c>int GetPrice(int)</c>: a synchronous call that succeeds.</summary>
    [MemoryDiagnoser]
    public class SyncCall : HappyPathBenchmarks
    {
        [Benchmark(Baseline = true)]
        public int Plain() => PlainService.GetPrice(Sku);

        [Benchmark]
        public int HandWritten() => HandWrittenService.GetPrice(Sku);

        [Benchmark]
        public int Minimal() => MinimalService.GetPrice(Sku);

        [Benchmark]
        public int Generated() => GeneratedService.GetPrice(Sku);

        [Benchmark]
        public int Polly() => PollyService.GetPrice(Sku);

        [Benchmark]
        public int Castle() => CastleService.GetPrice(Sku);
    }

    /// <summary><c>Task&lt;int&gt; GetPriceAsync(int)</c>: the inner task has already completed successfully.</summary>
    [MemoryDiagnoser]
    public class CompletedTask : HappyPathBenchmarks
    {
        [Benchmark(Baseline = true)]
        public Task<int> Plain() => PlainService.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> HandWritten() => HandWrittenService.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> Minimal() => MinimalService.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> Generated() => GeneratedService.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> Polly() => PollyService.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> Castle() => CastleService.GetPriceAsync(Sku);
    }

    /// <summary><c>ValueTask&lt;int&gt; GetPriceValueAsync(int)</c>: completed synchronously.</summary>
    [MemoryDiagnoser]
    public class CompletedValueTask : HappyPathBenchmarks
    {
        [Benchmark(Baseline = true)]
        public ValueTask<int> Plain() => PlainService.GetPriceValueAsync(Sku);

        [Benchmark]
        public ValueTask<int> HandWritten() => HandWrittenService.GetPriceValueAsync(Sku);

        [Benchmark]
        public ValueTask<int> Minimal() => MinimalService.GetPriceValueAsync(Sku);

        [Benchmark]
        public ValueTask<int> Generated() => GeneratedService.GetPriceValueAsync(Sku);

        [Benchmark]
        public ValueTask<int> Polly() => PollyService.GetPriceValueAsync(Sku);

        [Benchmark]
        public ValueTask<int> Castle() => CastleService.GetPriceValueAsync(Sku);
    }

    /// <summary><c>Task&lt;int&gt; GetPriceYieldingAsync(int)</c>: the inner call really suspends (<c>await Task.Yield()</c>).</summary>
    [MemoryDiagnoser]
    public class YieldingTask : HappyPathBenchmarks
    {
        [Benchmark(Baseline = true)]
        public Task<int> Plain() => PlainService.GetPriceYieldingAsync(Sku);

        [Benchmark]
        public Task<int> HandWritten() => HandWrittenService.GetPriceYieldingAsync(Sku);

        [Benchmark]
        public Task<int> Minimal() => MinimalService.GetPriceYieldingAsync(Sku);

        [Benchmark]
        public Task<int> Generated() => GeneratedService.GetPriceYieldingAsync(Sku);

        [Benchmark]
        public Task<int> Polly() => PollyService.GetPriceYieldingAsync(Sku);

        [Benchmark]
        public Task<int> Castle() => CastleService.GetPriceYieldingAsync(Sku);
    }
}
