using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Sidecar.Benchmarks.Contenders;
using Sidecar.Benchmarks.Subjects;

namespace Sidecar.Benchmarks.Runtime
{
    /// <summary>
    /// The five contenders over one <see cref="FlakyQuoteService"/> each: every call fails once and succeeds on its
    /// first retry (no delay). The baseline catches the failure and calls again by hand: the price of the exception
    /// itself, which every contender pays too.
    /// </summary>
    public abstract class RetryBenchmarks
    {
        /// <summary>The argument of every call.</summary>
        protected const int Sku = 7;

        /// <summary>The flaky instance called directly.</summary>
        protected IQuoteService PlainService { get; private set; } = null!;

        /// <summary>The hand-written decorator.</summary>
        protected IQuoteService HandWrittenService { get; private set; } = null!;

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
            PlainService = new FlakyQuoteService();
            HandWrittenService = QuoteServices.HandWritten(new FlakyQuoteService());
            GeneratedService = QuoteServices.Generated(new FlakyQuoteService());
            PollyService = QuoteServices.Polly(new FlakyQuoteService());
            CastleService = QuoteServices.Castle(new FlakyQuoteService());
        }
    }

    /// <summary><c>int GetPrice(int)</c> that throws once, then succeeds.</summary>
    [MemoryDiagnoser]
    public class RetrySync : RetryBenchmarks
    {
        [Benchmark(Baseline = true)]
        public int Plain()
        {
            try
            {
                return PlainService.GetPrice(Sku);
            }
            catch (TransientException)
            {
                return PlainService.GetPrice(Sku);
            }
        }

        [Benchmark]
        public int HandWritten() => HandWrittenService.GetPrice(Sku);

        [Benchmark]
        public int Generated() => GeneratedService.GetPrice(Sku);

        [Benchmark]
        public int Polly() => PollyService.GetPrice(Sku);

        [Benchmark]
        public int Castle() => CastleService.GetPrice(Sku);
    }

    /// <summary><c>Task&lt;int&gt; GetPriceAsync(int)</c> that returns a faulted task once, then a completed one.</summary>
    [MemoryDiagnoser]
    public class RetryAsync : RetryBenchmarks
    {
        [Benchmark(Baseline = true)]
        public async Task<int> Plain()
        {
            try
            {
                return await PlainService.GetPriceAsync(Sku).ConfigureAwait(false);
            }
            catch (TransientException)
            {
                return await PlainService.GetPriceAsync(Sku).ConfigureAwait(false);
            }
        }

        [Benchmark]
        public Task<int> HandWritten() => HandWrittenService.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> Generated() => GeneratedService.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> Polly() => PollyService.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> Castle() => CastleService.GetPriceAsync(Sku);
    }
}
