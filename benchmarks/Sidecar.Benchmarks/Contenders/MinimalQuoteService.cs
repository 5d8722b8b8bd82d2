using System;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Benchmarks.Subjects;

namespace Sidecar.Benchmarks.Contenders
{
    /// <summary>
    /// The least a decorator can do for the policy (3 retries, no delay, open after 5 failures in a row for 5 s): a retry
    /// loop and a consecutive-failure breaker whose happy path is one volatile read before the call and one read of the
    /// failure count after a success, nothing else. No telemetry, no bulkhead, no budget, no episodes, no probe limit: the
    /// floor the generated sidecar is measured against, not a decorator anyone should ship.
    /// </summary>
    public sealed class MinimalQuoteService : IQuoteService
    {
        private const int MaxRetries = 3;
        private const int Threshold = 5;
        private static readonly long s_breakTicks = TimeSpan.FromSeconds(5).Ticks;

        private readonly IQuoteService _inner;
        private readonly TimeProvider _time;
        private int _failures;      // in a row; at Threshold the circuit is open until _openUntil
        private long _openUntil;    // UTC ticks

        /// <summary>Wraps <paramref name="inner"/>.</summary>
        public MinimalQuoteService(IQuoteService inner, TimeProvider? time = null)
        {
            _inner = inner;
            _time = time ?? TimeProvider.System;
        }

        /// <inheritdoc/>
        public int GetPrice(int sku)
        {
            for (int attempt = 0; ; attempt++)
            {
                if (Volatile.Read(ref _failures) >= Threshold)
                {
                    ThrowIfOpen();
                }

                try
                {
                    int result = _inner.GetPrice(sku);
                    if (_failures != 0)
                    {
                        Volatile.Write(ref _failures, 0);
                    }

                    return result;
                }
                catch (Exception exception) when (attempt < MaxRetries && exception is not CircuitOpenException)
                {
                    OnFailure();
                }
            }
        }

        /// <inheritdoc/>
        public Task<int> GetPriceAsync(int sku)
        {
            if (Volatile.Read(ref _failures) < Threshold)
            {
                Task<int> task;
                try
                {
                    task = _inner.GetPriceAsync(sku);
                }
                catch (Exception exception)
                {
                    task = Task.FromException<int>(exception);
                }

                if (task.IsCompletedSuccessfully)
                {
                    if (_failures != 0)
                    {
                        Volatile.Write(ref _failures, 0);
                    }

                    return task;
                }

                return Slow(sku, task);
            }

            return Slow(sku, null);
        }

        /// <inheritdoc/>
        public ValueTask<int> GetPriceValueAsync(int sku)
        {
            if (Volatile.Read(ref _failures) < Threshold)
            {
                ValueTask<int> task;
                try
                {
                    task = _inner.GetPriceValueAsync(sku);
                }
                catch (Exception exception)
                {
                    task = ValueTask.FromException<int>(exception);
                }

                if (task.IsCompletedSuccessfully)
                {
                    if (_failures != 0)
                    {
                        Volatile.Write(ref _failures, 0);
                    }

                    return task;
                }

                return new ValueTask<int>(Slow(sku, task.AsTask()));
            }

            return new ValueTask<int>(Slow(sku, null));
        }

        /// <inheritdoc/>
        public Task<int> GetPriceYieldingAsync(int sku) => Slow(sku, null, yielding: true);

        private async Task<int> Slow(int sku, Task<int>? first, bool yielding = false)
        {
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    Task<int> task;
                    if (attempt == 0 && first is not null)
                    {
                        task = first;
                    }
                    else
                    {
                        if (Volatile.Read(ref _failures) >= Threshold)
                        {
                            ThrowIfOpen();
                        }

                        task = yielding ? _inner.GetPriceYieldingAsync(sku) : _inner.GetPriceAsync(sku);
                    }

                    int result = await task.ConfigureAwait(false);
                    Volatile.Write(ref _failures, 0);
                    return result;
                }
                catch (Exception exception) when (attempt < MaxRetries && exception is not CircuitOpenException)
                {
                    OnFailure();
                }
            }
        }

        private void ThrowIfOpen()
        {
            long openUntil = Volatile.Read(ref _openUntil);
            if (_time.GetUtcNow().UtcTicks < openUntil)
            {
                throw new CircuitOpenException(new DateTimeOffset(openUntil, TimeSpan.Zero));
            }
        }

        private void OnFailure()
        {
            if (Interlocked.Increment(ref _failures) >= Threshold)
            {
                Volatile.Write(ref _openUntil, _time.GetUtcNow().UtcTicks + s_breakTicks);
            }
        }
    }
}
