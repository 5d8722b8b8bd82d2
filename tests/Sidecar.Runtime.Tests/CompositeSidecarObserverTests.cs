using System;
using System.Collections.Generic;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    public sealed class CompositeSidecarObserverTests
    {
        [Fact]
        public void Combining_nothing_gives_null_and_one_observer_gives_that_observer()
        {
            var only = new Log("a", new List<string>());

            Assert.Null(CompositeSidecarObserver.Combine(null, null));
            Assert.Same(only, CompositeSidecarObserver.Combine(null, only));
        }

        [Fact]
        public void Every_callback_reaches_every_observer_in_order()
        {
            var lines = new List<string>();
            SidecarObserver both = CompositeSidecarObserver.Combine(new Log("a", lines), new Log("b", lines))!;
            var failure = new InvalidOperationException("boom");

            both.OnAttemptFailed("S", "M", 1, failure, true, TimeSpan.FromMilliseconds(5));
            both.OnRetryDenied("S", "M", 2, failure);
            both.OnCircuitStateChanged("C", CircuitState.Open);
            both.OnRejected("S", "M", new BulkheadRejectedException("S", 3));

            Assert.Equal(
                new[]
                {
                    "a failed S.M 1 retry=True 5", "b failed S.M 1 retry=True 5",
                    "a denied S.M 2", "b denied S.M 2",
                    "a circuit C Open", "b circuit C Open",
                    "a rejected S.M BulkheadRejectedException", "b rejected S.M BulkheadRejectedException",
                },
                lines);
        }

        private sealed class Log : SidecarObserver
        {
            private readonly string _name;
            private readonly List<string> _lines;

            public Log(string name, List<string> lines)
            {
                _name = name;
                _lines = lines;
            }

            public override void OnAttemptFailed(string service, string member, int attempt, Exception exception, bool willRetry, TimeSpan delay)
                => _lines.Add($"{_name} failed {service}.{member} {attempt} retry={willRetry} {delay.TotalMilliseconds}");

            public override void OnRetryDenied(string service, string member, int attempt, Exception exception)
                => _lines.Add($"{_name} denied {service}.{member} {attempt}");

            public override void OnCircuitStateChanged(string circuitName, CircuitState state)
                => _lines.Add($"{_name} circuit {circuitName} {state}");

            public override void OnRejected(string service, string member, SidecarRejectedException exception)
                => _lines.Add($"{_name} rejected {service}.{member} {exception.GetType().Name}");
        }
    }
}
