using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Sidecar.Http.Tests
{
    /// <summary>
    /// A real Kestrel server on 127.0.0.1 and an ephemeral port whose endpoints fail on a schedule, counting every request
    /// it receives by path (each test uses keys of its own): <c>/flaky/{key}/{failures}</c> answers 503 to the first
    /// <c>failures</c> requests, then 200; <c>/throttled/{key}</c> answers 429 with <c>Retry-After: 2</c> once, then 200;
    /// <c>/hang/{key}</c> never answers (and counts the requests whose client gave up); <c>/missing/{key}</c> is 404.
    /// </summary>
    public sealed class FlakyServer : IAsyncLifetime
    {
        private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
        private WebApplication? _app;

        public Uri BaseAddress { get; private set; } = null!;

        /// <summary>Requests the server received for <paramref name="path"/> (e.g. "flaky/a"), or gave up on ("aborted/hang/a").</summary>
        public int Requests(string path) => _requests.TryGetValue(path, out int n) ? n : 0;

        private int Hit(string path) => _requests.AddOrUpdate(path, 1, (_, n) => n + 1);

        public async Task InitializeAsync()
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            WebApplication app = builder.Build();

            app.MapGet("/flaky/{key}/{failures:int}", (string key, int failures) =>
                Hit("flaky/" + key) <= failures ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Text("ok"));
            app.MapGet("/throttled/{key}", (string key, HttpContext context) =>
            {
                if (Hit("throttled/" + key) == 1)
                {
                    context.Response.Headers.RetryAfter = "2";
                    return Results.StatusCode(StatusCodes.Status429TooManyRequests);
                }

                return Results.Text("ok");
            });
            app.MapGet("/hang/{key}", async (string key, HttpContext context) =>
            {
                Hit("hang/" + key);
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    Hit("aborted/hang/" + key); // the client gave up: the sidecar's cancellation reached the server
                }

                return Results.Text("too late");
            });
            app.MapGet("/missing/{key}", (string key) =>
            {
                Hit("missing/" + key);
                return Results.NotFound();
            });

            await app.StartAsync();
            _app = app;
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            BaseAddress = new Uri(address);
        }

        public async Task DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }
        }
    }
}
