using System.Threading.Tasks;

namespace Sidecar.Benchmarks.Subjects
{
    /// <summary>
    /// The service every contender decorates. The settings are the ones each contender is configured with:
    /// 3 retries, no delay, a breaker that opens after 5 failed attempts in a row for 5 s.
    /// </summary>
    [Sidecar(Retries = 3, Delay = 0, FailureThreshold = 5, BreakDuration = 5000)]
    public interface IQuoteService
    {
        /// <summary>A synchronous call.</summary>
        int GetPrice(int sku);

        /// <summary>An asynchronous call whose task has already completed when it is returned.</summary>
        Task<int> GetPriceAsync(int sku);

        /// <summary>An asynchronous call returning a value task, completed synchronously when it succeeds.</summary>
        ValueTask<int> GetPriceValueAsync(int sku);

        /// <summary>An asynchronous call that really suspends (<c>await Task.Yield()</c>).</summary>
        Task<int> GetPriceYieldingAsync(int sku);
    }
}
