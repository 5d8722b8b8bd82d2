using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>TotalTimeout: a deadline over every attempt and every delay of a call, on a controllable clock.</summary>
    public class DeadlineTests
    {
        private readonly SteppingClock _time = new();

        private SidecarOptions Options => new() { TimeProvider = _time, CircuitBreakers = new CircuitBreakerRegistry() };

        private static void Until(Func<bool> condition, string what)
            => Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(10)), what);

        [Fact]
        public async Task The_deadline_abandons_a_hanging_attempt_and_no_retry_follows()
        {
            var inner = new ControlledDeadlineService();
            var sidecar = new DeadlineServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => _time.PendingTimers > 0, "the attempt is timed");
            _time.Advance(TimeSpan.FromMilliseconds(999));
            Assert.False(call.IsCompleted);
            _time.Advance(TimeSpan.FromMilliseconds(1));

            SidecarTimeoutException timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);
            Assert.True(timeout.IsTotalTimeout);
            Assert.Equal(TimeSpan.FromSeconds(1), timeout.Timeout);
            Assert.Contains("total time limit of 1000 ms", timeout.Message, StringComparison.Ordinal);
            Assert.Equal(1, inner.Calls); // five retries were allowed, but not past the deadline
            Assert.True(inner.Tokens[0].IsCancellationRequested); // the attempt was told to stop
        }

        [Fact]
        public async Task A_retry_whose_delay_would_end_past_the_deadline_is_not_waited_for()
        {
            var inner = new ControlledDeadlineService();
            var sidecar = new DeadlineServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => inner.Calls == 1, "the first attempt started");
            _time.Advance(TimeSpan.FromMilliseconds(850));
            inner.Attempt(0).SetException(new ConnectionError("reset")); // at 850 ms: 100 ms delay, 150 ms left: retried
            Until(() => _time.RequestedDelays.Contains(TimeSpan.FromMilliseconds(100)) || call.IsCompleted, "the retry waits");
            Assert.False(call.IsCompleted);
            _time.Advance(TimeSpan.FromMilliseconds(100));
            Until(() => inner.Calls == 2, "the retry started");

            inner.Attempt(1).SetException(new ConnectionError("reset again")); // at 950 ms: a 100 ms delay cannot end before 1000 ms

            SidecarTimeoutException timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);
            Assert.True(timeout.IsTotalTimeout);
            Assert.Contains("before retry 2 could start", timeout.Message, StringComparison.Ordinal);
            Assert.Equal("reset again", Assert.IsType<ConnectionError>(timeout.InnerException).Message);
            Assert.Equal(2, inner.Calls);
        }

        [Fact]
        public async Task Each_attempt_keeps_its_own_timeout_and_the_last_is_cut_by_the_deadline()
        {
            var inner = new ControlledDeadlineService();
            var sidecar = new DeadlineServiceSidecar(inner, Options);

            Task<int> call = sidecar.TimedAsync(1, CancellationToken.None);
            int moved = await ClockDriver.RunUntilDone(_time, call, 10);

            // Attempts at 0, 190, 380, 570, 760 ms time out after 90 ms each; the sixth, at 950 ms, has 50 ms left.
            SidecarTimeoutException timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);
            Assert.True(timeout.IsTotalTimeout);
            Assert.Equal(6, inner.Calls);
            Assert.Equal(1000, moved);
        }

        [Fact]
        public async Task Attempts_that_fail_at_once_use_every_retry_within_the_deadline()
        {
            var inner = new ControlledDeadlineService { FailAtOnce = () => new ConnectionError("refused") };
            var sidecar = new DeadlineServiceSidecar(inner, Options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            int moved = await ClockDriver.RunUntilDone(_time, call, 100);

            await Assert.ThrowsAsync<ConnectionError>(() => call); // retries ran out first: the dependency's own failure
            Assert.Equal(6, inner.Calls);
            Assert.Equal(500, moved);
        }

        [Fact]
        public async Task The_fallback_answers_a_call_past_its_deadline()
        {
            var inner = new ControlledDeadlineService();
            var sidecar = new DeadlineServiceSidecar(inner, Options);

            ValueTask<int> call = sidecar.AnsweredAsync(1, CancellationToken.None);
            Until(() => _time.PendingTimers > 0, "the attempt is timed");
            _time.Advance(TimeSpan.FromMilliseconds(1000));

            Assert.Equal(-1, await call);
            Assert.Equal(1, inner.Calls);
        }

        [Fact]
        public async Task The_caller_cancelling_is_not_reported_as_a_deadline()
        {
            var inner = new ControlledDeadlineService();
            var sidecar = new DeadlineServiceSidecar(inner, Options);
            using var cts = new CancellationTokenSource();

            Task<int> call = sidecar.GetAsync(1, cts.Token);
            Until(() => inner.Calls == 1, "the attempt started");
            cts.Cancel();

            Exception ended = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            Assert.IsNotType<SidecarTimeoutException>(ended);
        }

        [Fact]
        public async Task An_override_changes_the_deadline_without_a_rebuild()
        {
            var inner = new ControlledDeadlineService();
            SidecarOptions options = Options;
            options.Overrides["IDeadlineService.GetAsync"] = new SidecarPolicyOverride { TotalTimeout = 300 };
            var sidecar = new DeadlineServiceSidecar(inner, options);

            Task<int> call = sidecar.GetAsync(1, CancellationToken.None);
            Until(() => _time.PendingTimers > 0, "the attempt is timed");
            _time.Advance(TimeSpan.FromMilliseconds(300));

            SidecarTimeoutException timeout = await Assert.ThrowsAsync<SidecarTimeoutException>(() => call);
            Assert.Equal(TimeSpan.FromMilliseconds(300), timeout.Timeout);
        }
    }
}
