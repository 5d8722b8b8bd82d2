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

    /// <summary>The trivial inner of the policy benchmarks (never inlined, like <see cref="QuoteService"/>).</summary>
    public sealed class PolicyQuotes : IRatioQuotes, IBulkheadQuotes, IBudgetQuotes
    {
        private static readonly Task<int> s_price = Task.FromResult(QuoteService.Price);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public int GetPrice(int sku) => QuoteService.Price;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public Task<int> GetPriceAsync(int sku) => s_price;
    }
}
