using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>A service whose retries and give-ups are logged: jittered delays, and a kind of failure that is never retried.</summary>
    [Sidecar(Retries = 2, Delay = 100, Jitter = true, NeverRetryOn = new[] { typeof(ArgumentException) })]
    public interface ILoggedService
    {
        int Get(int id);

        Task<int> GetAsync(int id, CancellationToken cancellationToken);
    }

    /// <summary>Five retries allowed, but two failures in a row open the circuit.</summary>
    [Sidecar(Retries = 5, Delay = 0, FailureThreshold = 2)]
    public interface ILoggedBreaker
    {
        int Call();
    }

    public sealed class LoggedInner : ILoggedService, ILoggedBreaker
    {
        public Func<Exception> Failure { get; set; } = () => new ConnectionError("down");

        public int Get(int id) => throw Failure();

        public async Task<int> GetAsync(int id, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return id;
        }

        public int Call() => throw Failure();
    }

    /// <summary>What the generated logging observer writes: one concise line per retry, and a give-up that says why.</summary>
    public class LoggingTests
    {
        private readonly FakeLoggerProvider _logs = new();

        private ServiceProvider Provider(LoggedInner inner)
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(new SteppingClock { AutoAdvance = true });
            services.AddSingleton(new CircuitBreakerRegistry());
            services.AddLogging(builder => builder.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
            services.AddSingleton<ILoggedService>(inner).AddLoggedServiceSidecar();
            services.AddSingleton<ILoggedBreaker>(inner).AddLoggedBreakerSidecar();
            return services.BuildServiceProvider();
        }

        private IReadOnlyList<FakeLogRecord> Entries(string eventName) => _logs.Collector.GetSnapshot().Where(e => e.Id.Name == eventName).ToList();

        [Fact]
        public void A_retry_is_one_warning_line_without_the_stack_trace_and_with_whole_milliseconds()
        {
            using ServiceProvider provider = Provider(new LoggedInner());

            Assert.Throws<ConnectionError>(() => provider.GetRequiredService<ILoggedService>().Get(1));

            IReadOnlyList<FakeLogRecord> retries = Entries("SidecarRetry");
            Assert.Equal(2, retries.Count);
            Assert.All(retries, retry =>
            {
                Assert.Equal(LogLevel.Warning, retry.Level);
                Assert.Null(retry.Exception); // the give-up carries it, once
                Assert.Matches("^[0-9]+$", retry.GetStructuredStateValue("DelayMs")!); // jittered, but no "97.3121"
                Assert.DoesNotContain("\n", retry.Message, StringComparison.Ordinal);
            });
        }

        [Fact]
        public void Giving_up_after_the_last_retry_keeps_the_exception_and_says_the_retries_are_spent()
        {
            using ServiceProvider provider = Provider(new LoggedInner());

            Assert.Throws<ConnectionError>(() => provider.GetRequiredService<ILoggedService>().Get(1));

            FakeLogRecord gaveUp = Assert.Single(Entries("SidecarGaveUp"));
            Assert.Equal(LogLevel.Error, gaveUp.Level);
            Assert.IsType<ConnectionError>(gaveUp.Exception);
            Assert.Equal("3", gaveUp.GetStructuredStateValue("Attempt"));
            Assert.Equal("retries exhausted", gaveUp.GetStructuredStateValue("Reason"));
            Assert.EndsWith("not retried: retries exhausted", gaveUp.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_failure_that_is_never_retried_says_so_at_information_level()
        {
            using ServiceProvider provider = Provider(new LoggedInner { Failure = () => new ArgumentException("bad id") });

            Assert.Throws<ArgumentException>(() => provider.GetRequiredService<ILoggedService>().Get(1));

            Assert.Empty(Entries("SidecarRetry"));
            FakeLogRecord gaveUp = Assert.Single(Entries("SidecarGaveUp"));
            Assert.Equal(LogLevel.Information, gaveUp.Level); // the caller's mistake, not the dependency's
            Assert.Null(gaveUp.Exception); // the caller has it
            Assert.Equal("not transient (ignored)", gaveUp.GetStructuredStateValue("Reason"));
        }

        [Fact]
        public void A_retry_stopped_by_the_circuit_opening_says_so()
        {
            using ServiceProvider provider = Provider(new LoggedInner());

            Assert.Throws<ConnectionError>(() => provider.GetRequiredService<ILoggedBreaker>().Call());

            Assert.Single(Entries("SidecarRetry"));
            FakeLogRecord gaveUp = Assert.Single(Entries("SidecarGaveUp"));
            Assert.Equal("2", gaveUp.GetStructuredStateValue("Attempt"));
            Assert.Equal("the circuit is open", gaveUp.GetStructuredStateValue("Reason"));
        }

        [Fact]
        public async Task The_callers_cancellation_is_logged_as_the_reason_without_an_exception()
        {
            using ServiceProvider provider = Provider(new LoggedInner());
            using var cts = new CancellationTokenSource();

            Task<int> call = provider.GetRequiredService<ILoggedService>().GetAsync(1, cts.Token);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

            FakeLogRecord gaveUp = Assert.Single(Entries("SidecarGaveUp"));
            Assert.Equal(LogLevel.Information, gaveUp.Level);
            Assert.Null(gaveUp.Exception);
            Assert.Equal("the caller cancelled", gaveUp.GetStructuredStateValue("Reason"));
        }
    }
}
