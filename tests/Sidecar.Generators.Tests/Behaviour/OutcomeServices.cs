using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>What a typed HttpClient looks like to a sidecar: responses, and the exceptions HttpClient throws.</summary>
    [Sidecar(Retries = 3, Delay = 100, Backoff = Backoff.Constant, FailureThreshold = 3, BreakDuration = 1000, Classify = "Classify")]
    public interface IWeatherApi
    {
        Task<HttpResponseMessage> GetAsync(string city, CancellationToken cancellationToken);

        ValueTask<HttpResponseMessage> GetValueAsync(string city, CancellationToken cancellationToken);

        HttpResponseMessage Get(string city, CancellationToken cancellationToken);

        Task PingAsync(CancellationToken cancellationToken);
    }

    /// <summary>The interface form's classifier: the HTTP rules, one line each.</summary>
    public partial class WeatherApiSidecar
    {
        private static Outcome Classify(HttpResponseMessage response) => SidecarHttp.Classify(response);

        private static Outcome Classify(Exception exception) => SidecarHttp.Classify(exception);
    }

    /// <summary>Answers each call with the next scripted response or exception; counts calls and keeps what it returned.</summary>
    public sealed class ScriptedWeather : IWeatherApi
    {
        private readonly Queue<Func<HttpResponseMessage>> _script = new();

        public int Calls { get; private set; }

        public List<TrackedResponse> Returned { get; } = new();

        /// <summary>What every call answers once the script is used up.</summary>
        public Func<HttpResponseMessage> Otherwise { get; set; } = () => new TrackedResponse(HttpStatusCode.OK);

        public ScriptedWeather Then(HttpStatusCode status, TimeSpan? retryAfter = null)
        {
            _script.Enqueue(() =>
            {
                var response = new TrackedResponse(status);
                if (retryAfter is TimeSpan wait)
                {
                    response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(wait);
                }

                return response;
            });
            return this;
        }

        public ScriptedWeather Throws(Exception exception)
        {
            _script.Enqueue(() => throw exception);
            return this;
        }

        private HttpResponseMessage Next()
        {
            Calls++;
            HttpResponseMessage response = (_script.Count > 0 ? _script.Dequeue() : Otherwise)();
            if (response is TrackedResponse tracked)
            {
                Returned.Add(tracked);
            }

            return response;
        }

        public Task<HttpResponseMessage> GetAsync(string city, CancellationToken cancellationToken)
        {
            try
            {
                return Task.FromResult(Next());
            }
            catch (Exception ex)
            {
                return Task.FromException<HttpResponseMessage>(ex);
            }
        }

        public ValueTask<HttpResponseMessage> GetValueAsync(string city, CancellationToken cancellationToken) => new(GetAsync(city, cancellationToken));

        public HttpResponseMessage Get(string city, CancellationToken cancellationToken) => Next();

        public Task PingAsync(CancellationToken cancellationToken) => GetAsync("ping", cancellationToken);
    }

    /// <summary>A response that knows whether it was disposed.</summary>
    public sealed class TrackedResponse : HttpResponseMessage
    {
        public TrackedResponse(HttpStatusCode status)
            : base(status)
        {
        }

        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    public interface IStock
    {
        Task<int> CountAsync(string sku);

        int Count(string sku, int shelf);
    }

    /// <summary>
    /// Class form: an instance classifier for results and exceptions, and a fallback. A negative count is the warehouse
    /// failing (Transient), zero an unknown SKU (Ignored); an ArgumentException is the caller's mistake.
    /// </summary>
    [Sidecar(Retries = 2, Delay = 0, MaxConcurrency = 1, Classify = nameof(Judge), Fallback = nameof(Cached))]
    public partial class ResilientStock : IStock
    {
        public int ResultsJudged { get; private set; }

        public int ExceptionsJudged { get; private set; }

        public bool ClassifierThrows { get; set; }

        public List<Exception> FallbackSaw { get; } = new();

        private Outcome Judge(int count)
        {
            ResultsJudged++;
            if (ClassifierThrows)
            {
                throw new InvalidOperationException("classifier bug");
            }

            return count < 0 ? Outcome.Transient : count == 0 ? Outcome.Ignored : Outcome.Success;
        }

        private Outcome Judge(Exception exception)
        {
            ExceptionsJudged++;
            return exception is ArgumentException ? Outcome.Ignored : exception is NotSupportedException ? Outcome.Failure : Outcome.Transient;
        }

        private Task<int> Cached(string sku, Exception exception) => Task.FromResult(Answer(exception));

        private int Cached(string sku, int shelf, Exception exception) => Answer(exception);

        private int Answer(Exception exception)
        {
            FallbackSaw.Add(exception);
            return exception is SidecarResultException { Result: int last } ? 1000 - last : 999;
        }
    }

    /// <summary>Answers each call with the next scripted count, or throws the next scripted exception.</summary>
    public sealed class ScriptedStock : IStock
    {
        private readonly Queue<object> _script = new();

        public int Calls { get; private set; }

        public ScriptedStock Then(params object[] answers)
        {
            foreach (object answer in answers)
            {
                _script.Enqueue(answer);
            }

            return this;
        }

        private int Next()
        {
            Calls++;
            object answer = _script.Count > 0 ? _script.Dequeue() : 1;
            return answer is Exception exception ? throw exception : (int)answer;
        }

        public Task<int> CountAsync(string sku)
        {
            try
            {
                return Task.FromResult(Next());
            }
            catch (Exception ex)
            {
                return Task.FromException<int>(ex);
            }
        }

        public int Count(string sku, int shelf) => Next();
    }

    /// <summary>No Classify: a NeverRetryOn exception is Ignored by default, so the fallback does not answer it.</summary>
    [Sidecar(Retries = 2, Delay = 0, NeverRetryOn = new[] { typeof(ArgumentException) }, Fallback = nameof(Cached))]
    public partial class DefaultClassifiedStock : IStock
    {
        private Task<int> Cached(string sku) => Task.FromResult(-1);

        private int Cached(string sku, int shelf) => -1;
    }
}
