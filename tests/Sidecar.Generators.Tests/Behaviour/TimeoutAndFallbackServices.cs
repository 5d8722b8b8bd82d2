using System;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar.Generators.Tests.Behaviour
{
    [Sidecar(Retries = 2, Delay = 0, Timeout = 1000)]
    public interface ISlowService
    {
        Task<int> GetAsync(int id, CancellationToken cancellationToken);

        Task<int> WithoutTokenAsync(int id);

        ValueTask PingAsync(CancellationToken cancellationToken);
    }

    /// <summary>Fallback in the class form: answers with a degraded value when the call finally fails.</summary>
    [Sidecar(Retries = 1, Delay = 0, Fallback = nameof(Degraded))]
    public partial class DegradingClient : IExternalClient
    {
        public string Describe() => "degrading";

        private string Degraded(string path, Exception exception) => "cached " + path + " (" + exception.GetType().Name + ")";
    }

    [Sidecar(Retries = 1, Delay = 0, FailureThreshold = 2, BreakDuration = 1000, Fallback = "Cached")]
    public interface IQuotes
    {
        Task<decimal> PriceAsync(string symbol);

        decimal Last(string symbol);
    }

    /// <summary>Fallback in the interface form: written in a partial part of the generated class.</summary>
    public partial class QuotesSidecar
    {
        private Task<decimal> Cached(string symbol) => Task.FromResult(-1m);

        private decimal Cached(string symbol, Exception exception) => exception is BrokenCircuitException ? -2m : -1m;
    }
}

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>Only the telemetry test uses this service, so its measurements are its own.</summary>
    [Sidecar(Retries = 1, Delay = 0, Fallback = "Degraded")]
    public interface IMeteredService
    {
        int Read(int id);
    }

    public partial class MeteredServiceSidecar
    {
        private int Degraded(int id) => -id;
    }
}
