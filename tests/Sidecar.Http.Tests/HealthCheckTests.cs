using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Refit;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Http.Tests
{
    /// <summary>The pattern's monitor: a real host's /health endpoint reports the sidecars' circuits.</summary>
    public sealed class HealthCheckTests : IClassFixture<FlakyServer>
    {
        private readonly FlakyServer _dependency;

        public HealthCheckTests(FlakyServer dependency) => _dependency = dependency;

        // A host whose /health writes the status and the check's description; the circuits live in `circuits`.
        private static async Task<(WebApplication App, HttpClient Client)> Host(CircuitBreakerRegistry circuits, HealthStatus? failureStatus)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            builder.Services.AddSingleton(circuits);
            builder.Services.AddHealthChecks().AddSidecarCircuits(failureStatus: failureStatus);
            WebApplication app = builder.Build();
            app.MapHealthChecks("/health", new HealthCheckOptions
            {
                ResponseWriter = (context, report) => context.Response.WriteAsync(
                    report.Status + ": " + string.Join("; ", report.Entries.Select(e => e.Key + " " + e.Value.Description))),
            });
            await app.StartAsync();
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return (app, new HttpClient { BaseAddress = new Uri(address) });
        }

        private async Task OpenTheCircuit(CircuitBreakerRegistry circuits, TimeProvider time)
        {
            using var http = new HttpClient { BaseAddress = _dependency.BaseAddress };
            var weather = new WeatherApiSidecar(RestService.For<IWeatherApi>(http), new SidecarOptions { TimeProvider = time, CircuitBreakers = circuits });
            using HttpResponseMessage failed = await weather.FlakyAsync(Guid.NewGuid().ToString("N"), 100, CancellationToken.None);
        }

        [Fact]
        public async Task Health_is_healthy_while_the_circuits_are_closed_and_degraded_with_the_circuit_and_its_probe_time_when_one_opens()
        {
            var circuits = new CircuitBreakerRegistry();
            var time = new SteppingClock { AutoAdvance = true };
            (WebApplication app, HttpClient client) = await Host(circuits, failureStatus: null);
            await using (app)
            using (client)
            {
                circuits.GetOrAdd("Inventory", new CircuitBreakerOptions { FailureThreshold = 5 });
                Assert.Equal("Healthy: sidecar-circuits 1 circuit, closed", await client.GetStringAsync("/health"));

                await OpenTheCircuit(circuits, time);

                HttpResponseMessage response = await client.GetAsync("/health");
                string body = await response.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.OK, response.StatusCode); // Degraded: the service still answers, its dependency does not
                Assert.StartsWith("Degraded: sidecar-circuits Open circuits: " + WeatherApiSidecar.CircuitName + " (open: probed at ", body, StringComparison.Ordinal);
                Assert.True(circuits.TryGet(WeatherApiSidecar.CircuitName, out CircuitBreaker? circuit));
                Assert.Contains(circuit!.OpenUntil!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);

                circuit.Reset(); // as a successful probe would

                Assert.StartsWith("Healthy:", await client.GetStringAsync("/health"), StringComparison.Ordinal);
            }
        }

        [Fact]
        public async Task An_open_circuit_can_be_reported_unhealthy_and_the_endpoint_answers_503()
        {
            var circuits = new CircuitBreakerRegistry();
            (WebApplication app, HttpClient client) = await Host(circuits, HealthStatus.Unhealthy);
            await using (app)
            using (client)
            {
                await OpenTheCircuit(circuits, new SteppingClock { AutoAdvance = true });

                HttpResponseMessage response = await client.GetAsync("/health");

                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.StartsWith("Unhealthy: sidecar-circuits Open circuits: ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
    }
}
