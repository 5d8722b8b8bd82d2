using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Coyote.Specifications;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Concurrency.Tests
{
    /// <summary>The circuit breaker's claims, checked in every interleaving Coyote explores.</summary>
    public class CircuitBreakerInterleavingTests
    {
        private static readonly TimeSpan Break = TimeSpan.FromMilliseconds(100);

        private static CircuitBreaker Opened(SteppingClock clock, int probes)
        {
            var breaker = new CircuitBreaker("orders", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = Break, HalfOpenProbes = probes }, clock);
            breaker.OnFailure(default);
            clock.Advance(Break);
            return breaker;
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void Probes_inside_the_dependency_never_exceed_HalfOpenProbes(int probes)
        {
            Explore.Run(async () =>
            {
                var clock = new SteppingClock();
                CircuitBreaker breaker = Opened(clock, probes);
                int inDependency = 0;

                // Four callers race into the half-open circuit; what each does with its probe differs: succeed, fail, be
                // cancelled while the dependency still works on it (the slot is given back only when that work ends).
                async Task Caller(int role)
                {
                    await Task.Yield();
                    if (!breaker.TryEnter(out CircuitPermit permit, out _) || !permit.IsProbe)
                    {
                        return; // refused, or the circuit has closed again: an ordinary call
                    }

                    int running = Interlocked.Increment(ref inDependency);
                    Specification.Assert(running <= probes, $"{running} probes inside the dependency, {probes} allowed");
                    switch (role)
                    {
                        case 0:
                            Interlocked.Decrement(ref inDependency);
                            breaker.OnSuccess(permit);
                            break;
                        case 1:
                            Interlocked.Decrement(ref inDependency);
                            breaker.OnFailure(permit);
                            break;
                        default:
                            breaker.OnIgnored(permit, attemptEnded: false); // the caller gave up; the dependency goes on
                            await Task.Yield();
                            Interlocked.Decrement(ref inDependency);
                            breaker.ReleaseProbeSlot(permit);
                            break;
                    }
                }

                await Explore.All(Task.Run(() => Caller(0)), Task.Run(() => Caller(1)), Task.Run(() => Caller(2)), Task.Run(() => Caller(3)));
                Specification.Assert(breaker.ProbesRunning == 0, $"{breaker.ProbesRunning} probe slots leaked");
            });
        }

        [Fact]
        public void Every_transition_is_heard_once_in_order_and_the_last_one_heard_is_the_state()
        {
            Explore.Run(async () =>
            {
                var clock = new SteppingClock();
                var breaker = new CircuitBreaker("orders", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = Break }, clock);
                var observer = new StateLog();
                breaker.Watch(observer);

                Task failing = Task.Run(async () =>
                {
                    await Task.Yield();
                    breaker.TryEnter(out CircuitPermit permit, out _);
                    breaker.OnFailure(permit);
                });
                Task resetting = Task.Run(async () =>
                {
                    await Task.Yield();
                    breaker.Reset();
                });
                Task isolating = Task.Run(async () =>
                {
                    await Task.Yield();
                    breaker.Isolate(TimeSpan.Zero); // open, then half-open at the next call
                    if (breaker.TryEnter(out CircuitPermit probe, out _))
                    {
                        breaker.OnSuccess(probe);
                    }
                });

                await Explore.All(failing, resetting, isolating);
                CircuitState[] heard = observer.States.ToArray();
                CircuitState previous = CircuitState.Closed;
                foreach (CircuitState state in heard)
                {
                    Specification.Assert(state != previous, $"heard {string.Join(", ", heard)}: a change to the state it was already in");
                    previous = state;
                }

                Specification.Assert(previous == breaker.State, $"heard {string.Join(", ", heard)} but the circuit is {breaker.State}");
            });
        }

        [Fact]
        public void A_verdict_from_an_earlier_episode_never_moves_the_circuit()
        {
            Explore.Run(async () =>
            {
                var clock = new SteppingClock();
                var breaker = new CircuitBreaker("orders", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = Break }, clock);
                var observer = new StateLog();
                breaker.Watch(observer);
                breaker.TryEnter(out CircuitPermit slow, out _); // admitted while closed; its verdict comes at any time
                breaker.TryEnter(out CircuitPermit failing, out _);

                Task outage = Task.Run(async () =>
                {
                    await Task.Yield();
                    breaker.OnFailure(failing);
                    clock.Advance(Break);
                    if (breaker.TryEnter(out CircuitPermit probe, out _))
                    {
                        breaker.OnSuccess(probe);
                    }
                });
                Task late = Task.Run(async () =>
                {
                    await Task.Yield();
                    breaker.OnFailure(slow);
                });

                await Explore.All(outage, late);

                // Whichever of the two same-episode failures came first opened the circuit; the other, and nothing else,
                // was from a past episode by then. One outage, one recovery.
                Specification.Assert(breaker.State == CircuitState.Closed, $"the circuit ended {breaker.State}");
                Specification.Assert(
                    observer.States.SequenceEqual(new[] { CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed }),
                    $"heard {string.Join(", ", observer.States)}");
            });
        }

        [Fact]
        public void Racing_callers_half_open_the_circuit_once_and_take_exactly_the_probes_it_has()
        {
            Explore.Run(async () =>
            {
                var clock = new SteppingClock();
                CircuitBreaker breaker = Opened(clock, probes: 2);
                var observer = new StateLog();
                breaker.Watch(observer);
                int admitted = 0;

                async Task Caller()
                {
                    await Task.Yield();
                    if (breaker.TryEnter(out _, out _))
                    {
                        Interlocked.Increment(ref admitted);
                    }
                }

                await Explore.All(Task.Run(Caller), Task.Run(Caller), Task.Run(Caller));
                Specification.Assert(admitted == 2, $"{admitted} probes admitted, 2 allowed");
                Specification.Assert(observer.States.SequenceEqual(new[] { CircuitState.HalfOpen }), $"heard {string.Join(", ", observer.States)}");
            });
        }

    }
}
