using System;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Benchmarks.Subjects;

namespace Sidecar.Benchmarks.Contenders
{
    /// <summary>
    /// The decorator a careful person writes by hand with the same behaviour as the generated one: a retry loop with
    /// an exception filter, a consecutive-failure breaker, and for asynchronous members a synchronous fast path when
    /// the inner task has already completed successfully (no state machine on the happy path).
    /// </summary>
    public sealed class HandWrittenQuoteService : IQuoteService
    {
        private const int MaxRetries = 3;
        private static readonly TimeSpan s_delay = TimeSpan.Zero;

        private readonly IQuoteService _inner;
        private readonly SimpleCircuitBreaker _breaker;

        /// <summary>Wraps <paramref name="inner"/>.</summary>
        public HandWrittenQuoteService(IQuoteService inner, TimeProvider? time = null)
        {
            _inner = inner;
            _breaker = new SimpleCircuitBreaker(5, TimeSpan.FromMilliseconds(5000), time);
        }

        /// <inheritdoc/>
        public int GetPrice(int sku)
        {
            for (int attempt = 0; ; attempt++)
            {
                _breaker.ThrowIfOpen();
                try
                {
                    int result = _inner.GetPrice(sku);
                    _breaker.OnSuccess();
                    return result;
                }
                catch (Exception exception) when (ShouldRetry(exception, attempt))
                {
                    if (s_delay > TimeSpan.Zero)
                    {
                        Thread.Sleep(s_delay);
                    }
                }
            }
        }

        /// <inheritdoc/>
        public Task<int> GetPriceAsync(int sku)
        {
            if (!_breaker.IsClosed)
            {
                return GetPriceAsyncSlow(sku, null);
            }

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
                _breaker.OnSuccess();
                return task;
            }

            return GetPriceAsyncSlow(sku, task);
        }

        /// <inheritdoc/>
        public ValueTask<int> GetPriceValueAsync(int sku)
        {
            if (!_breaker.IsClosed)
            {
                return GetPriceValueAsyncSlow(sku, null);
            }

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
                _breaker.OnSuccess();
                return task;
            }

            return GetPriceValueAsyncSlow(sku, task);
        }

        /// <inheritdoc/>
        public Task<int> GetPriceYieldingAsync(int sku)
        {
            if (!_breaker.IsClosed)
            {
                return GetPriceYieldingAsyncSlow(sku, null);
            }

            Task<int> task;
            try
            {
                task = _inner.GetPriceYieldingAsync(sku);
            }
            catch (Exception exception)
            {
                task = Task.FromException<int>(exception);
            }

            if (task.IsCompletedSuccessfully)
            {
                _breaker.OnSuccess();
                return task;
            }

            return GetPriceYieldingAsyncSlow(sku, task);
        }

        private async Task<int> GetPriceAsyncSlow(int sku, Task<int>? first)
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
                        _breaker.ThrowIfOpen();
                        task = _inner.GetPriceAsync(sku);
                    }

                    int result = await task.ConfigureAwait(false);
                    _breaker.OnSuccess();
                    return result;
                }
                catch (Exception exception) when (ShouldRetry(exception, attempt))
                {
                    if (s_delay > TimeSpan.Zero)
                    {
                        await Task.Delay(s_delay).ConfigureAwait(false);
                    }
                }
            }
        }

        private async ValueTask<int> GetPriceValueAsyncSlow(int sku, ValueTask<int>? first)
        {
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    ValueTask<int> task;
                    if (attempt == 0 && first is { } firstTask)
                    {
                        task = firstTask;
                    }
                    else
                    {
                        _breaker.ThrowIfOpen();
                        task = _inner.GetPriceValueAsync(sku);
                    }

                    int result = await task.ConfigureAwait(false);
                    _breaker.OnSuccess();
                    return result;
                }
                catch (Exception exception) when (ShouldRetry(exception, attempt))
                {
                    if (s_delay > TimeSpan.Zero)
                    {
                        await Task.Delay(s_delay).ConfigureAwait(false);
                    }
                }
            }
        }

        private async Task<int> GetPriceYieldingAsyncSlow(int sku, Task<int>? first)
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
                        _breaker.ThrowIfOpen();
                        task = _inner.GetPriceYieldingAsync(sku);
                    }

                    int result = await task.ConfigureAwait(false);
                    _breaker.OnSuccess();
                    return result;
                }
                catch (Exception exception) when (ShouldRetry(exception, attempt))
                {
                    if (s_delay > TimeSpan.Zero)
                    {
                        await Task.Delay(s_delay).ConfigureAwait(false);
                    }
                }
            }
        }

        // Runs as an exception filter: a failure that is not retried propagates untouched, stack trace included.
        private bool ShouldRetry(Exception exception, int attempt)
        {
            if (exception is CircuitOpenException)
            {
                return false;
            }

            _breaker.OnFailure();
            return attempt < MaxRetries && _breaker.IsClosed;
        }
    }
}
