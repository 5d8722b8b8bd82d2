using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Refit;

namespace Sidecar.Http.Tests
{
    /// <summary>
    /// A Refit interface with [Sidecar] on it: Refit's generator writes the HTTP client, this project's the sidecar.
    /// Three failed attempts in a row open the circuit; the HTTP rules of <see cref="SidecarHttp"/> classify.
    /// </summary>
    [Sidecar(Retries = 3, Delay = 20, Backoff = Backoff.Constant, FailureThreshold = 3, BreakDuration = 1000, Classify = "Classify")]
    public interface IWeatherApi
    {
        [Get("/flaky/{key}/{failures}")]
        Task<HttpResponseMessage> FlakyAsync(string key, int failures, CancellationToken cancellationToken);

        [Get("/throttled/{key}")]
        Task<HttpResponseMessage> ThrottledAsync(string key, CancellationToken cancellationToken);

        [Get("/missing/{key}")]
        Task<HttpResponseMessage> MissingAsync(string key, CancellationToken cancellationToken);

        /// <summary>Each attempt may take 1 s (time enough for the request to reach the server on a busy machine); one retry.</summary>
        [Sidecar(Retries = 1, Timeout = 1000)]
        [Get("/hang/{key}")]
        Task<HttpResponseMessage> HangAsync(string key, CancellationToken cancellationToken);

        /// <summary>No attempt timeout, but the whole call may take 1 s.</summary>
        [Sidecar(Retries = 5, TotalTimeout = 1000)]
        [Get("/hang/{key}")]
        Task<HttpResponseMessage> HangWithDeadlineAsync(string key, CancellationToken cancellationToken);
    }

    public partial class WeatherApiSidecar
    {
        private static Outcome Classify(HttpResponseMessage response) => SidecarHttp.Classify(response);

        private static Outcome Classify(Exception exception) => SidecarHttp.Classify(exception);
    }

    /// <summary>A Refit interface someone else owns: decorated by a class-form sidecar.</summary>
    public interface IForecastApi
    {
        [Get("/flaky/{key}/{failures}")]
        Task<string> TextAsync(string key, int failures, CancellationToken cancellationToken);
    }

    /// <summary>
    /// Class form over the Refit interface: a 503 reaches it as Refit's <see cref="ApiException"/>, which the class's own
    /// classifier reads the status of.
    /// </summary>
    [Sidecar(Retries = 2, Delay = 10, Backoff = Backoff.Constant, Classify = nameof(Judge))]
    public partial class ResilientForecast : IForecastApi
    {
        private static Outcome Judge(Exception exception) => exception is ApiException api
            ? SidecarHttp.Classify(api.StatusCode)
            : SidecarHttp.Classify(exception);
    }

    /// <summary>A typed HttpClient, as IHttpClientFactory hands them out, behind an interface with [Sidecar].</summary>
    [Sidecar(Retries = 2, Delay = 10, Backoff = Backoff.Constant, Classify = "Classify")]
    public interface IStatusClient
    {
        Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken);
    }

    public partial class StatusClientSidecar
    {
        private static Outcome Classify(HttpResponseMessage response) => SidecarHttp.Classify(response);

        private static Outcome Classify(Exception exception) => SidecarHttp.Classify(exception);
    }

    public sealed class StatusClient : IStatusClient
    {
        private readonly HttpClient _http;

        public StatusClient(HttpClient http) => _http = http;

        public Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken) => _http.GetAsync(path, cancellationToken);
    }
}
