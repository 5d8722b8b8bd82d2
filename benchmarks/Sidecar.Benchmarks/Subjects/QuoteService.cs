using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Sidecar.Benchmarks.Subjects
{
    /// <summary>
    /// The trivial inner implementation: what is measured is the decorator around it, not the work. Its members are
    /// never inlined: otherwise dynamic PGO devirtualizes the plain interface call, inlines the constant and the
    /// baseline measures nothing (0 ns), while a decorator keeps the call. Every contender pays the same real call.
    /// </summary>
    public sealed class QuoteService : IQuoteService
    {
        // Returned by the completed asynchronous call, so the inner instance allocates nothing and every byte a
        // benchmark reports was allocated by the decorator.
        private static readonly Task<int> s_price = Task.FromResult(Price);

        /// <summary>What every call answers.</summary>
        public const int Price = 42;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public int GetPrice(int sku) => Price;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public Task<int> GetPriceAsync(int sku) => s_price;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public ValueTask<int> GetPriceValueAsync(int sku) => new(Price);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public async Task<int> GetPriceYieldingAsync(int sku)
        {
            await Task.Yield();
            return Price;
        }
    }
}
