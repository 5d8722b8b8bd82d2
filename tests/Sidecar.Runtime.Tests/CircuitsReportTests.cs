using System;
using System.Linq;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>What a health check reads: every circuit's state, the open ones with when they will be probed.</summary>
    public class CircuitsReportTests
    {
        private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        private readonly CircuitBreakerRegistry _circuits = new();

        private CircuitBreaker Circuit(string name)
            => _circuits.GetOrAdd(name, new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(5) }, _time);

        private static void Fail(CircuitBreaker circuit)
        {
            Assert.True(circuit.TryEnter(out CircuitPermit permit, out _));
            circuit.OnFailure(permit);
        }

        [Fact]
        public void With_every_circuit_closed_the_report_is_closed_and_counts_them()
        {
            Assert.Equal("0 circuits, all closed", CircuitsReport.Of(_circuits).Description);
            Circuit("App.IOrders");
            Assert.Equal("1 circuit, closed", CircuitsReport.Of(_circuits).Description);
            Circuit("App.IStock");

            CircuitsReport report = CircuitsReport.Of(_circuits);

            Assert.Equal(CircuitsHealth.Closed, report.Health);
            Assert.Equal("2 circuits, all closed", report.Description);
            Assert.Equal("closed", report.Data["App.IStock"]);
        }

        [Fact]
        public void An_open_circuit_is_named_with_the_time_it_will_be_probed_and_an_isolated_one_says_so()
        {
            Fail(Circuit("App.IOrders"));
            Circuit("App.IStock").Isolate();
            Circuit("App.IPrices");

            CircuitsReport report = CircuitsReport.Of(_circuits);

            Assert.Equal(CircuitsHealth.Open, report.Health);
            Assert.Contains("App.IOrders (open: probed at 2026-12-06T12:00:05.0000000+00:00)", report.Description, StringComparison.Ordinal);
            Assert.Contains("App.IStock (open: isolated until reset)", report.Description, StringComparison.Ordinal);
            Assert.DoesNotContain("App.IPrices", report.Description, StringComparison.Ordinal);
            Assert.Equal("closed", report.Data["App.IPrices"]);
        }

        [Fact]
        public void A_half_open_circuit_is_probing_unless_another_is_open()
        {
            CircuitBreaker orders = Circuit("App.IOrders");
            Fail(orders);
            _time.Advance(TimeSpan.FromSeconds(5));
            Assert.True(orders.TryEnter(out _, out _)); // the probe: half-open

            CircuitsReport probing = CircuitsReport.Of(_circuits);
            Assert.Equal(CircuitsHealth.Probing, probing.Health);
            Assert.Equal("Half-open circuits, probing: App.IOrders", probing.Description);

            Fail(Circuit("App.IStock"));
            CircuitsReport open = CircuitsReport.Of(_circuits);
            Assert.Equal(CircuitsHealth.Open, open.Health);
            Assert.EndsWith("; half-open: App.IOrders", open.Description, StringComparison.Ordinal);
        }

        [Fact]
        public void Every_give_up_reason_has_words_of_its_own()
        {
            string[] words = Enum.GetValues<GiveUpReason>().Select(GiveUpReasons.Describe).ToArray();

            Assert.Equal(words.Length, words.Distinct().Count());
            Assert.DoesNotContain(words, w => Enum.TryParse<GiveUpReason>(w, out _)); // none falls back to the enum's name
        }
    }
}
