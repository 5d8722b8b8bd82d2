using System;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Sidecar.Benchmarks.Contenders;
using Sidecar.Benchmarks.Subjects;

namespace Sidecar.Benchmarks.Runtime
{
    /// <summary>
    /// Fail-fast cost: each contender's circuit was opened by a dependency that always fails, on a clock that does not
    /// move (so the circuit stays open), and every call is refused without reaching the dependency. The baseline calls
    /// the failing dependency directly: what the call costs without a breaker.
    /// </summary>
    public abstract class OpenCircuitBenchmarks
    {
        /// <summary>The argument of every call.</summary>
        protected const int Sku = 7;

        /// <summary>The failing instance called directly.</summary>
        protected IQuoteService PlainService { get; private set; } = null!;

        /// <summary>The hand-written decorator, circuit open.</summary>
        protected IQuoteService HandWrittenService { get; private set; } = null!;

        /// <summary>The generated sidecar, circuit open.</summary>
        protected IQuoteService GeneratedService { get; private set; } = null!;

        /// <summary>The Polly decorator, circuit open.</summary>
        protected IQuoteService PollyService { get; private set; } = null!;

        /// <summary>Builds the contenders and opens their circuits.</summary>
        [GlobalSetup]
        public void Setup()
        {
            var time = new FrozenTimeProvider();
            PlainService = new FailingQuoteService();
            HandWrittenService = Open(inner => QuoteServices.HandWritten(inner, time));
            GeneratedService = Open(inner => QuoteServices.Generated(inner, time));
            PollyService = Open(inner => QuoteServices.Polly(inner, time));
        }

        /// <summary>Whether <paramref name="exception"/> is a contender's refusal (not the dependency's own failure).</summary>
        public static bool IsRejection(Exception exception)
            => exception is SidecarRejectedException or CircuitOpenException or Polly.CircuitBreaker.BrokenCircuitException;

        private static IQuoteService Open(Func<IQuoteService, IQuoteService> decorate)
        {
            var inner = new FailingQuoteService();
            IQuoteService service = decorate(inner);
            for (int call = 0; call < 20; call++)
            {
                try
                {
                    service.GetPrice(Sku);
                }
                catch (Exception exception) when (IsRejection(exception))
                {
                    int calls = inner.Calls;
                    Rejects(() => service.GetPrice(Sku));
                    Rejects(() => service.GetPriceAsync(Sku).GetAwaiter().GetResult());
                    if (inner.Calls != calls)
                    {
                        throw new InvalidOperationException(service.GetType().Name + ": an open circuit let a call through.");
                    }

                    return service;
                }
                catch (TransientException)
                {
                }
            }

            throw new InvalidOperationException(service.GetType().Name + ": the circuit did not open.");
        }

        private static void Rejects(Action call)
        {
            try
            {
                call();
            }
            catch (Exception exception) when (IsRejection(exception))
            {
                return;
            }

            throw new InvalidOperationException("An open circuit did not refuse the call.");
        }
    }

    /// <summary><c>int GetPrice(int)</c> refused by an open circuit; the caller catches the exception.</summary>
    [MemoryDiagnoser]
    public class OpenCircuitSync : OpenCircuitBenchmarks
    {
        [Benchmark(Baseline = true)]
        public int Plain() => Call(PlainService);

        [Benchmark]
        public int HandWritten() => Call(HandWrittenService);

        [Benchmark]
        public int Generated() => Call(GeneratedService);

        [Benchmark]
        public int Polly() => Call(PollyService);

        private static int Call(IQuoteService service)
        {
            try
            {
                return service.GetPrice(Sku);
            }
            catch (Exception)
            {
                return -1;
            }
        }
    }

    /// <summary><c>Task&lt;int&gt; GetPriceAsync(int)</c> refused by an open circuit; the caller awaits and catches.</summary>
    [MemoryDiagnoser]
    public class OpenCircuitAsync : OpenCircuitBenchmarks
    {
        [Benchmark(Baseline = true)]
        public Task<int> Plain() => Call(PlainService);

        [Benchmark]
        public Task<int> HandWritten() => Call(HandWrittenService);

        [Benchmark]
        public Task<int> Generated() => Call(GeneratedService);

        [Benchmark]
        public Task<int> Polly() => Call(PollyService);

        private static async Task<int> Call(IQuoteService service)
        {
            try
            {
                return await service.GetPriceAsync(Sku).ConfigureAwait(false);
            }
            catch (Exception)
            {
                return -1;
            }
        }
    }
}
