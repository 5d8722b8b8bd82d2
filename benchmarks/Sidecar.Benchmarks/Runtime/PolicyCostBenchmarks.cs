using System;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Polly;
using Polly.Hedging;
using Sidecar.Benchmarks.Contenders;
using Sidecar.Benchmarks.Subjects;

namespace Sidecar.Benchmarks.Runtime
{
    /// <summary>
    /// What each policy adds to a call that succeeds at once, synchronous and completed-async: the consecutive-failure
    /// breaker (the <c>Generated</c> of the other classes) against the failure-ratio breaker, a bulkhead (with and without a
    /// queue), a retry budget, a rate limit, a result classifier, a slow-call breaker, a deadline over the call, and hedging (beside Polly's hedging strategy).
    /// </summary>
    [MemoryDiagnoser]
    public class PolicyCosts
    {
        private const int Sku = 7;
        private IQuoteService _consecutive = null!;
        private IRatioQuotes _ratio = null!;
        private IBulkheadQuotes _bulkhead = null!;
        private IBudgetQuotes _budget = null!;
        private IRateLimitedQuotes _rateLimited = null!;
        private IQueuedQuotes _queued = null!;
        private IClassifiedQuotes _classified = null!;
        private IDeadlineQuotes _deadline = null!;
        private ISlowCallQuotes _slowCalls = null!;
        private IHedgedQuotes _hedged = null!;
        private IHedgedQuotes _hedgedInner = null!;
        private ResiliencePipeline<int> _pollyHedging = null!;

        /// <summary>Builds the sidecars, each with a registry of its own.</summary>
        [GlobalSetup]
        public void Setup()
        {
            _consecutive = QuoteServices.Generated(new QuoteService());
            _ratio = new RatioQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _bulkhead = new BulkheadQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _budget = new BudgetQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _rateLimited = new RateLimitedQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _queued = new QueuedQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _classified = new ClassifiedQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _deadline = new DeadlineQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _slowCalls = new SlowCallQuotesSidecar(new PolicyQuotes(), new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _hedgedInner = new PolicyQuotes();
            _hedged = new HedgedQuotesSidecar(_hedgedInner, new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry() });
            _pollyHedging = new ResiliencePipelineBuilder<int>()
                .AddHedging(new HedgingStrategyOptions<int> { MaxHedgedAttempts = 1, Delay = TimeSpan.FromMilliseconds(100) })
                .Build();
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
        public int RateLimit() => _rateLimited.GetPrice(Sku);

        [Benchmark]
        public int BulkheadQueue() => _queued.GetPrice(Sku);

        [Benchmark]
        public int Classified() => _classified.GetPrice(Sku);

        [Benchmark]
        public int SlowCallBreaker() => _slowCalls.GetPrice(Sku);

        [Benchmark]
        public Task<int> ConsecutiveBreakerAsync() => _consecutive.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> RatioBreakerAsync() => _ratio.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> BulkheadAsync() => _bulkhead.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> RetryBudgetAsync() => _budget.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> RateLimitAsync() => _rateLimited.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> BulkheadQueueAsync() => _queued.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> ClassifiedAsync() => _classified.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> SlowCallBreakerAsync() => _slowCalls.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> TotalTimeoutAsync() => _deadline.GetPriceAsync(Sku);

        [Benchmark]
        public Task<int> HedgedAsync() => _hedged.GetPriceAsync(Sku, CancellationToken.None);

        /// <summary>Polly's hedging strategy alone (one hedge after 100 ms) over the same inner call, for comparison.</summary>
        [Benchmark]
        public ValueTask<int> HedgedPollyAsync()
            => _pollyHedging.ExecuteAsync(static (inner, token) => new ValueTask<int>(inner.GetPriceAsync(Sku, token)), _hedgedInner, CancellationToken.None);
    }
}
