using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sidecar;

namespace SidecarServices
{
    /// <summary>
    /// A payment gateway that times out now and then: the kind of dependency a sidecar is for. A charge that timed out may
    /// still have gone through, so retrying it is safe only because every request carries an idempotency key that the
    /// gateway deduplicates by (as real payment APIs do): a retry with the same key returns the first charge's receipt
    /// instead of charging again. Without such a key, do not retry a charge on a timeout.
    /// </summary>
    [Sidecar(Retries = 3, Delay = 20, Backoff = Backoff.Exponential, FailureThreshold = 4, BreakDuration = 200,
        RetryOn = new[] { typeof(TimeoutException) }, NeverRetryOn = new[] { typeof(ArgumentException) })]
    public interface IPaymentGateway
    {
        Task<string> ChargeAsync(string idempotencyKey, string customer, decimal amount, CancellationToken cancellationToken = default);
    }

    public sealed class FlakyPaymentGateway : IPaymentGateway
    {
        private readonly Random _random = new(7); // fixed seed: the same run every time
        private readonly Dictionary<string, string> _charged = new(StringComparer.Ordinal);
        private int _calls;

        public bool Down { get; set; }

        /// <summary>Charges actually made (each idempotency key at most once).</summary>
        public int Charges
        {
            get
            {
                lock (_charged)
                {
                    return _charged.Count;
                }
            }
        }

        public async Task<string> ChargeAsync(string idempotencyKey, string customer, decimal amount, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            int call = Interlocked.Increment(ref _calls);
            if (amount <= 0)
            {
                throw new ArgumentException("The amount must be positive.", nameof(amount));
            }

            if (Down || _random.NextDouble() < 0.2)
            {
                throw new TimeoutException("The gateway did not answer in time."); // nothing was charged
            }

            string receipt;
            lock (_charged)
            {
                if (!_charged.TryGetValue(idempotencyKey, out receipt!))
                {
                    receipt = "receipt-" + call;
                    _charged[idempotencyKey] = receipt;
                }
            }

            if (_random.NextDouble() < 0.25)
            {
                // The worst kind of timeout: the charge went through, the answer was lost on the way back.
                throw new TimeoutException("The gateway charged, but its answer did not arrive in time.");
            }

            return receipt;
        }
    }

    public static class Program
    {
        public static async Task Main()
        {
            // Metrics: what an OpenTelemetry collector would receive from AddMeter("Sidecar").
            var totals = new SortedDictionary<string, long>(StringComparer.Ordinal);
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == SidecarTelemetry.MeterName)
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                string key = instrument.Name + string.Concat(tags.ToArray().Where(t => t.Key is "sidecar.outcome" or "sidecar.circuit.state").Select(t => " " + t.Key + "=" + t.Value));
                lock (totals)
                {
                    totals[key] = totals.GetValueOrDefault(key) + value;
                }
            });
            listener.Start();

            // Run-time overrides: the attribute says Retries = 3 and FailureThreshold = 4; configuration (here in memory,
            // usually appsettings.json or environment variables) says 5 and 6, without a rebuild.
            IConfiguration configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Sidecar:Overrides:IPaymentGateway:Retries"] = "5",
                    ["Sidecar:Overrides:IPaymentGateway:FailureThreshold"] = "6",
                })
                .Build();

            // Read once, here, so that a misspelt knob or a value that is not a number stops the program now, with every
            // mistake listed, not at the first call (IConfiguration.Bind would drop such an entry without a word).
            var overrides = new SidecarOptions().AddOverrides(configuration.GetSection("Sidecar:Overrides").AsEnumerable(makePathsRelative: true));

            var services = new ServiceCollection();
            services.AddLogging(logging => logging
                .AddSimpleConsole(console => { console.SingleLine = true; console.IncludeScopes = false; })
                .SetMinimumLevel(LogLevel.Information));
            services.AddSingleton<FlakyPaymentGateway>();
            services.AddSingleton<IPaymentGateway>(provider => provider.GetRequiredService<FlakyPaymentGateway>())
                .AddPaymentGatewaySidecar(options =>
                {
                    foreach (KeyValuePair<string, SidecarPolicyOverride> entry in overrides.Overrides)
                    {
                        options.Overrides[entry.Key] = entry.Value;
                    }
                }); // generated: decorates the registration, keeps its lifetime

            await using ServiceProvider provider = services.BuildServiceProvider();

            // And every override key must name a registered sidecar or one of its members: checked once, now. (With
            // Microsoft.Extensions.Hosting referenced, AddXxxSidecar() runs this check when the host starts.)
            provider.ValidateSidecarOverrides();
            IPaymentGateway gateway = provider.GetRequiredService<IPaymentGateway>();
            Console.WriteLine("Resolved IPaymentGateway: " + gateway.GetType().Name);
            Console.WriteLine("From configuration: Retries = 5, FailureThreshold = 6 (the attribute says 3 and 4)");

            Console.WriteLine();
            Console.WriteLine("Six charges against a gateway that times out now and then, sometimes after charging:");
            for (int i = 1; i <= 6; i++)
            {
                await Charge(gateway, "customer-" + i, 10m * i);
            }

            Console.WriteLine();
            Console.WriteLine("A bad request is not retried:");
            await Charge(gateway, "customer-7", -1m);

            Console.WriteLine();
            Console.WriteLine("The gateway goes down: the circuit opens and calls fail fast.");
            provider.GetRequiredService<FlakyPaymentGateway>().Down = true;
            for (int i = 8; i <= 10; i++)
            {
                await Charge(gateway, "customer-" + i, 5m);
            }

            Console.WriteLine();
            Console.WriteLine("It comes back; after the break a probe closes the circuit.");
            provider.GetRequiredService<FlakyPaymentGateway>().Down = false;
            await Task.Delay(250);
            await Charge(gateway, "customer-11", 5m);

            await Task.Delay(100); // let the console logger flush before the summary
            Console.WriteLine();
            Console.WriteLine("Charges the gateway made: " + provider.GetRequiredService<FlakyPaymentGateway>().Charges
                + ", one per successful order: every retry carried the order's idempotency key, so none charged twice.");
            Console.WriteLine();
            Console.WriteLine("Metrics from the \"Sidecar\" meter:");
            lock (totals)
            {
                foreach (KeyValuePair<string, long> total in totals)
                {
                    Console.WriteLine("  " + total.Key + ": " + total.Value);
                }
            }
        }

        private static async Task Charge(IPaymentGateway gateway, string customer, decimal amount)
        {
            try
            {
                // One key per order, the same for every retry the sidecar makes of it.
                Console.WriteLine("  " + customer + ": " + await gateway.ChargeAsync("order-" + customer, customer, amount));
            }
            catch (Exception ex)
            {
                Console.WriteLine("  " + customer + ": failed with " + ex.GetType().Name);
            }

            await Task.Delay(20); // give the console logger a moment, so lines keep their order
        }
    }
}
