using System;
using System.Threading.Tasks;

namespace Sidecar.Benchmarks.Subjects
{
    /// <summary>
    /// Fails every other call, so a decorated call fails once and succeeds on its first retry: the price of one retry.
    /// Asynchronous members fail the way asynchronous code does, with a faulted task.
    /// </summary>
    public sealed class FlakyQuoteService : IQuoteService
    {
        private static readonly Task<int> s_price = Task.FromResult(QuoteService.Price);
        private int _calls;

        /// <inheritdoc/>
        public int GetPrice(int sku)
        {
            if (FailsNow())
            {
                throw new TransientException();
            }

            return QuoteService.Price;
        }

        /// <inheritdoc/>
        public Task<int> GetPriceAsync(int sku)
            => FailsNow() ? Task.FromException<int>(new TransientException()) : s_price;

        /// <inheritdoc/>
        public ValueTask<int> GetPriceValueAsync(int sku)
            => FailsNow() ? ValueTask.FromException<int>(new TransientException()) : new(QuoteService.Price);

        /// <inheritdoc/>
        public async Task<int> GetPriceYieldingAsync(int sku)
        {
            await Task.Yield();
            if (FailsNow())
            {
                throw new TransientException();
            }

            return QuoteService.Price;
        }

        private bool FailsNow() => (++_calls & 1) == 1;
    }

    /// <summary>What the flaky and failing services throw.</summary>
    public sealed class TransientException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public TransientException()
            : base("The dependency failed.")
        {
        }
    }
}
