using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Sidecar.Benchmarks.Subjects
{
    /// <summary>The happy path with a failure-ratio breaker: every success is recorded in the sampling window.</summary>
    [Sidecar(Retries = 3, Delay = 0, FailureRatio = 0.5, MinimumThroughput = 100)]
    public interface IRatioQuotes
    {
        int GetPrice(int sku);

        Task<int> GetPriceAsync(int sku);
    }

    /// <summary>The happy path through a bulkhead: every attempt takes and gives back a slot.</summary>
    [Sidecar(Retries = 3, Delay = 0, MaxConcurrency = 64)]
    public interface IBulkheadQuotes
    {
        int GetPrice(int sku);

        Task<int> GetPriceAsync(int sku);
    }

    /// <summary>The happy path with a retry budget: every call is deposited.</summary>
    [Sidecar(Retries = 3, Delay = 0, RetryBudget = 0.2)]
    public interface IBudgetQuotes
    {
        int GetPrice(int sku);

        Task<int> GetPriceAsync(int sku);
    }

    /// <summary>The happy path with a rate limit far above the load: every attempt takes a permit of the sliding log.</summary>
    [Sidecar(Retries = 3, Delay = 0, RateLimit = 1_000_000, RateLimitWindow = 1)]
    public interface IRateLimitedQuotes
    {
        int GetPrice(int sku);

        Task<int> GetPriceAsync(int sku);
    }

    /// <summary>The happy path with a bulkhead queue that never fills: a free slot is taken as without one.</summary>
    [Sidecar(Retries = 3, Delay = 0, MaxConcurrency = 64, MaxQueue = 64)]
    public interface IQueuedQuotes
    {
        int GetPrice(int sku);

        Task<int> GetPriceAsync(int sku);
    }

    /// <summary>The happy path with a result classifier: every result is classified Success.</summary>
    [Sidecar(Retries = 3, Delay = 0, FailureThreshold = 5, Classify = "Classify")]
    public interface IClassifiedQuotes
    {
        int GetPrice(int sku);

        Task<int> GetPriceAsync(int sku);
    }

    /// <summary>The classifier of <see cref="IClassifiedQuotes"/>.</summary>
    public partial class ClassifiedQuotesSidecar
    {
        private static Outcome Classify(int price) => price > 0 ? Outcome.Success : Outcome.Transient;
    }

    /// <summary>The happy path with a deadline over the call: every call goes through the timed retry loop.</summary>
    [Sidecar(Retries = 3, Delay = 0, TotalTimeout = 10_000)]
    public interface IDeadlineQuotes
    {
        Task<int> GetPriceAsync(int sku);
    }

    /// <summary>The happy path with a slow-call breaker: every attempt is timed and recorded in the sampling window.</summary>
    [Sidecar(Retries = 3, Delay = 0, SlowCallDuration = 1000, MinimumThroughput = 100)]
    public interface ISlowCallQuotes
    {
        int GetPrice(int sku);

        Task<int> GetPriceAsync(int sku);
    }

    /// <summary>The happy path of a hedged member: the first attempt answers at once, so no hedge starts.</summary>
    [Sidecar(Retries = 3, Delay = 0, Hedging = 1, HedgingDelay = 100)]
    public interface IHedgedQuotes
    {
        Task<int> GetPriceAsync(int sku, System.Threading.CancellationToken cancellationToken);
    }

    /// <summary>The trivial inner of the policy benchmarks (never inlined, like <see cref="QuoteService"/>).</summary>
    public sealed class PolicyQuotes : IRatioQuotes, IBulkheadQuotes, IBudgetQuotes, IRateLimitedQuotes, IQueuedQuotes, IClassifiedQuotes, IDeadlineQuotes, IHedgedQuotes, ISlowCallQuotes
    {
        private static readonly Task<int> s_price = Task.FromResult(QuoteService.Price);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public int GetPrice(int sku) => QuoteService.Price;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public Task<int> GetPriceAsync(int sku) => s_price;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public Task<int> GetPriceAsync(int sku, System.Threading.CancellationToken cancellationToken) => s_price;
    }
}
