using System.Threading;
using System.Threading.Tasks;

namespace Sidecar.Benchmarks.Subjects
{
    /// <summary>Always fails; counts the calls that reach it, so a benchmark can check that an open circuit keeps them away.</summary>
    public sealed class FailingQuoteService : IQuoteService
    {
        private int _calls;

        /// <summary>Calls that reached this instance.</summary>
        public int Calls => Volatile.Read(ref _calls);

        /// <inheritdoc/>
        public int GetPrice(int sku)
        {
            Interlocked.Increment(ref _calls);
            throw new TransientException();
        }

        /// <inheritdoc/>
        public Task<int> GetPriceAsync(int sku)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromException<int>(new TransientException());
        }

        /// <inheritdoc/>
        public ValueTask<int> GetPriceValueAsync(int sku)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromException<int>(new TransientException());
        }

        /// <inheritdoc/>
        public async Task<int> GetPriceYieldingAsync(int sku)
        {
            Interlocked.Increment(ref _calls);
            await Task.Yield();
            throw new TransientException();
        }
    }
}
