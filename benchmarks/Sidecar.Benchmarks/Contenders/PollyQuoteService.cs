using System;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Sidecar.Benchmarks.Subjects;

namespace Sidecar.Benchmarks.Contenders
{
    /// <summary>
    /// The same decorator on Polly v8: one <see cref="ResiliencePipeline"/>, built once, with retry outside and the
    /// circuit breaker inside (every attempt is counted by the breaker, as in the generated decorator). Callbacks are
    /// static lambdas with a value-tuple state, Polly's allocation-free calling style.
    /// </summary>
    public sealed class PollyQuoteService : IQuoteService
    {
        private readonly IQuoteService _inner;
        private readonly ResiliencePipeline _pipeline;

        /// <summary>Wraps <paramref name="inner"/>.</summary>
        public PollyQuoteService(IQuoteService inner, TimeProvider? time = null)
        {
            _inner = inner;
            _pipeline = CreatePipeline(time ?? TimeProvider.System);
        }

        /// <summary>3 retries without delay; a breaker that opens after 5 failed attempts (all failed) for 5 s.</summary>
        public static ResiliencePipeline CreatePipeline(TimeProvider time)
            => new ResiliencePipelineBuilder { TimeProvider = time }
                .AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = 3,
                    Delay = TimeSpan.Zero,
                    BackoffType = DelayBackoffType.Constant,
                    UseJitter = false,
                    // Polly's default retries every exception but cancellation, a rejection by the breaker included;
                    // the other contenders never retry a rejection, so neither does this one.
                    ShouldHandle = static args => new ValueTask<bool>(
                        args.Outcome.Exception is not null and not OperationCanceledException and not BrokenCircuitException),
                })
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    // Polly's breaker counts a failure ratio over a window; every attempt failed, at least 5 of them,
                    // is the closest it comes to "5 failures in a row".
                    FailureRatio = 1.0,
                    MinimumThroughput = 5,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = TimeSpan.FromMilliseconds(5000),
                })
                .Build();

        /// <inheritdoc/>
        public int GetPrice(int sku)
            => _pipeline.Execute(static s => s.Inner.GetPrice(s.Sku), (Inner: _inner, Sku: sku));

        /// <inheritdoc/>
        public Task<int> GetPriceAsync(int sku)
            => _pipeline.ExecuteAsync(
                static (s, _) => new ValueTask<int>(s.Inner.GetPriceAsync(s.Sku)),
                (Inner: _inner, Sku: sku),
                CancellationToken.None).AsTask();

        /// <inheritdoc/>
        public ValueTask<int> GetPriceValueAsync(int sku)
            => _pipeline.ExecuteAsync(
                static (s, _) => s.Inner.GetPriceValueAsync(s.Sku),
                (Inner: _inner, Sku: sku),
                CancellationToken.None);

        /// <inheritdoc/>
        public Task<int> GetPriceYieldingAsync(int sku)
            => _pipeline.ExecuteAsync(
                static (s, _) => new ValueTask<int>(s.Inner.GetPriceYieldingAsync(s.Sku)),
                (Inner: _inner, Sku: sku),
                CancellationToken.None).AsTask();
    }
}
