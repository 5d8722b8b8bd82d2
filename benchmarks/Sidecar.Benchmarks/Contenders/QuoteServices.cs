using System;
using Castle.DynamicProxy;
using Sidecar.Benchmarks.Subjects;

namespace Sidecar.Benchmarks.Contenders
{
    /// <summary>The five contenders, each wrapping its own inner instance with the same settings.</summary>
    public static class QuoteServices
    {
        private static readonly ProxyGenerator s_proxies = new();

        /// <summary>The generated sidecar, with a circuit breaker of its own (not the process-wide one).</summary>
        public static IQuoteService Generated(IQuoteService inner, TimeProvider? time = null)
            => new QuoteServiceSidecar(inner, new SidecarOptions
            {
                TimeProvider = time ?? TimeProvider.System,
                CircuitBreakers = new CircuitBreakerRegistry(),
            });

        /// <summary>The hand-written decorator.</summary>
        public static IQuoteService HandWritten(IQuoteService inner, TimeProvider? time = null)
            => new HandWrittenQuoteService(inner, time);

        /// <summary>The minimal hand-written decorator: the floor.</summary>
        public static IQuoteService Minimal(IQuoteService inner, TimeProvider? time = null)
            => new MinimalQuoteService(inner, time);

        /// <summary>A decorator over a Polly v8 pipeline.</summary>
        public static IQuoteService Polly(IQuoteService inner, TimeProvider? time = null)
            => new PollyQuoteService(inner, time);

        /// <summary>A Castle DynamicProxy interface proxy with <see cref="ResilienceInterceptor"/>.</summary>
        public static IQuoteService Castle(IQuoteService inner, TimeProvider? time = null)
            => s_proxies.CreateInterfaceProxyWithTarget(
                inner,
                new ResilienceInterceptor(3, new SimpleCircuitBreaker(5, TimeSpan.FromMilliseconds(5000), time)));
    }
}
