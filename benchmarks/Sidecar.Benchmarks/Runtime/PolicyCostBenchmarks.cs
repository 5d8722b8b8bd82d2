using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Sidecar.Benchmarks.Contenders;
using Sidecar.Benchmarks.Subjects;

namespace Sidecar.Benchmarks.Runtime
{
    /// <summary>
    /// What each policy adds to a call that succeeds at once, synchronous and completed-async: the consecutive-failure
    /// breaker (the <c>Generated</c> of the other classes) against the failure-ratio breaker, a bulkhead and a retry budget.
    /// </summary>
    [MemoryDiagnoser]
    public class PolicyCosts
    {
        private const int Sku = 7;
        private IQuoteService _consecutive = null!;
        private IRatioQuotes _ratio = null!;
        private IBulkheadQuotes _bulkhead = null!;
        private IBudgetQuotes _budget = null!;

        /// <summary>Builds the sidecars, each with a registry of its own.</summary>
        [GlobalSetup]
        public void Setup()
        {
            _consecutive = QuoteServices.Generated(new QuoteService());
            _ratio = new RatioQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _bulkhead = new BulkheadQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _budget = new BudgetQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
        }

        [Benchmark(Baseline = true)]
        public int ConsecutiveBreaker() => _consecutive.GetPrice(Sku);

        [Benchmark]
        public int RatioBreaker() => _ratio.GetPrice(Sku);

        [Benchmark]
        public int Bulkhead() => _bulkhead.GetPrice(Sku);

        [Benchmark]
        public int RetryBudget() => _budget.GetPrice(Sku);

        [Benchmark]
        public Task<int> ConsecutiveBreakerAsync() => _consecutive.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> RatioBreakerAsync() => _ratio.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> BulkheadAsync() => _bulkhead.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> RetryBudgetAsync() => _budget.GetPriceAsync(Sku);
    }
}
