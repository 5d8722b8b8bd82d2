using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Sidecar.Generators.Tests.Behaviour
{
    [Sidecar(Retries = 1, Delay = 0, Timeout = 50, FailureThreshold = 5, BreakDuration = 100, HalfOpenProbes = 2, MaxConcurrency = 4)]
    public interface IHangingDependency
    {
        Task<int> CallAsync(CancellationToken cancellationToken);
    }

    /// <summary>
    /// Succeeds, fails, or hangs until its token is cancelled (the sidecar's timeout or the caller), as a seeded random
    /// says. Counts the attempts still hanging.
    /// </summary>
    public sealed class HangingDependency : IHangingDependency
    {
        private readonly Random _random;
        private int _hanging;

        public HangingDependency(int seed) => _random = new Random(seed);

        public int Hanging => Volatile.Read(ref _hanging);

        public long Attempts;

        private Task? _parked;

        /// <summary>Whether an attempt hangs now, its cancellation wired up: only time or the caller can end it.</summary>
        public bool IsParked => Volatile.Read(ref _parked) is { IsCompleted: false };

        public Task<int> CallAsync(CancellationToken cancellationToken)
        {
            Attempts++;
            double roll = _random.NextDouble();
            if (roll < 0.6)
            {
                return Task.FromResult(1);
            }

            if (roll < 0.8)
            {
                return Task.FromException<int>(new ConnectionError("down"));
            }

            // Hangs until cancelled: the sidecar's timeout (which cancels the attempt's token) or the caller.
            var hang = new TaskCompletionSource<int>();
            Interlocked.Increment(ref _hanging);
            cancellationToken.Register(() =>
            {
                Interlocked.Decrement(ref _hanging);
                hang.TrySetCanceled(cancellationToken);
            });
            Volatile.Write(ref _parked, hang.Task);
            return hang.Task;
        }
    }

    /// <summary>A million calls into a dependency that also hangs, with callers that cancel at random: nothing is left held.</summary>
    public class HangingDependencyTests
    {
        private readonly ITestOutputHelper _output;

        public HangingDependencyTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void A_million_calls_with_hangs_and_cancellations_leave_no_slot_probe_or_timer_held()
        {
            int Calls = int.Parse(Environment.GetEnvironmentVariable("HANG_CALLS") ?? "1000000");
            var clock = new SteppingClock();
            var registry = new CircuitBreakerRegistry();
            var dependency = new HangingDependency(seed: 20261203);
            var sidecar = new HangingDependencySidecar(dependency, new SidecarOptions { TimeProvider = clock, CircuitBreakers = registry });
            var random = new Random(7);
            long succeeded = 0, failed = 0, timedOut = 0, refused = 0, cancelled = 0;
            var watch = System.Diagnostics.Stopwatch.StartNew();

            for (int i = 0; i < Calls; i++)
            {
                using var caller = new CancellationTokenSource();
                Task<int> call = sidecar.CallAsync(caller.Token);
                for (int step = 0; !call.IsCompleted && step < 10; step++)
                {
                    if (random.NextDouble() < 0.3)
                    {
                        caller.Cancel(); // the caller gives up
                    }
                    else
                    {
                        clock.Advance(TimeSpan.FromMilliseconds(50)); // the attempt's time is up
                    }

                    // Until the call ends or its retry hangs in turn (continuations of a cancelled wait may run on the pool).
                    Assert.True(SpinWait.SpinUntil(() => call.IsCompleted || dependency.IsParked, TimeSpan.FromSeconds(10)), $"call {i} stuck");

                }

                SpinWait.SpinUntil(() => call.IsCompleted, TimeSpan.FromSeconds(10));
                Assert.True(call.IsCompleted, $"call {i} did not end: {call.Status}, hanging {dependency.Hanging}, circuit {registry.Breakers.Single().State}, bulkhead {registry.Bulkheads.Single().Running}, caller cancelled {caller.IsCancellationRequested}, timers {clock.TimersCreated}/{clock.TimersDisposed}");
                switch (call.Exception?.InnerException)
                {
                    case null when call.IsCanceled:
                        cancelled++;
                        break;
                    case null:
                        succeeded++;
                        break;
                    case SidecarTimeoutException:
                        timedOut++;
                        break;
                    case SidecarRejectedException:
                        refused++;
                        break;
                    case ConnectionError:
                        failed++;
                        break;
                    case OperationCanceledException:
                        cancelled++;
                        break;
                    case Exception other:
                        throw new InvalidOperationException("unexpected outcome of call " + i, other);
                }

                if (i % 16 == 0)
                {
                    clock.Advance(TimeSpan.FromMilliseconds(10)); // time passes between calls, so open circuits half-open
                }
            }

            _output.WriteLine($"{Calls:N0} calls in {watch.ElapsedMilliseconds:N0} ms: {succeeded:N0} succeeded, {failed:N0} failed, {timedOut:N0} timed out, {refused:N0} refused, {cancelled:N0} cancelled; {dependency.Attempts:N0} attempts; {clock.TimersCreated:N0} timers");
            Assert.Equal(Calls, succeeded + failed + timedOut + refused + cancelled);
            Assert.True(succeeded > 0 && failed > 0 && timedOut > 0 && refused > 0 && cancelled > 0, "every outcome occurred");
            Assert.Equal(0, dependency.Hanging);
            Assert.Equal(0, registry.Bulkheads.Single().Running);
            Assert.Equal(0, registry.Breakers.Single().ProbesRunning);
            Assert.Equal(clock.TimersCreated, clock.TimersDisposed);
        }
    }
}
