using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Sidecar.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>
    /// The newer policies under contention, through generated sidecars: a half-open circuit admits exactly its probes,
    /// a bulkhead never lets more attempts run than it allows, a retry budget holds under a 100 % failure rate.
    /// Figures go to the test output (docs/reliability.md lists a run).
    /// </summary>
    [Collection(FaultInjectionCollection.Name)]
    public class PolicyFaultTests
    {
        private const int Threads = 8;
        private readonly ITestOutputHelper _output;

        public PolicyFaultTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Racing_on_a_half_open_circuit_exactly_the_configured_probes_reach_the_inner()
        {
            const int rounds = 300;
            const int probes = 3;
            var time = new SteppingClock();
            var registry = new CircuitBreakerRegistry();
            var observer = new RecordingObserver();
            var inner = new ScriptedInner();
            var sidecar = new ProbedServiceSidecar(inner, new SidecarOptions { TimeProvider = time, CircuitBreakers = registry, Observer = observer });
            var random = new Random(20_261_123);
            Open(sidecar, inner);
            CircuitBreaker breaker = registry.Breakers.Single();

            int closedRounds = 0;
            var clock = Stopwatch.StartNew();
            for (int r = 0; r < rounds; r++)
            {
                bool succeed = random.Next(2) == 0;
                int finished = 0, admittedDone = 0, refused = 0, refusedWhileProbing = 0, succeeded = 0, faults = 0;
                Exception? unexpected = null;

                // Admitted probes hold until every refused caller is done, so all eight really race for three slots.
                inner.Succeed = succeed;
                inner.Hold = () => Volatile.Read(ref finished) - Volatile.Read(ref admittedDone) >= Threads - probes;
                long attemptsBefore = inner.Attempts;
                time.Advance(TimeSpan.FromMilliseconds(100));

                using var barrier = new Barrier(Threads);
                OnThreads(Threads, worker =>
                {
                    barrier.SignalAndWait();
                    Thread.SpinWait(new Random((r * Threads) + worker).Next(0, 5_000));
                    try
                    {
                        sidecar.Call(worker);
                        Interlocked.Increment(ref succeeded);
                        Interlocked.Increment(ref admittedDone);
                    }
                    catch (InjectedFault)
                    {
                        Interlocked.Increment(ref faults);
                        Interlocked.Increment(ref admittedDone);
                    }
                    catch (BrokenCircuitException rejected)
                    {
                        Interlocked.Increment(ref refused);
                        if (rejected.ProbeInFlight)
                        {
                            Interlocked.Increment(ref refusedWhileProbing);
                        }
                    }
                    catch (Exception other)
                    {
                        unexpected ??= other;
                    }
                    finally
                    {
                        Interlocked.Increment(ref finished);
                    }
                });

                string where = $"round {r} (probes {(succeed ? "succeed" : "fail")})";
                Assert.True(unexpected is null, where + ": " + unexpected);
                Assert.True(inner.Attempts - attemptsBefore == probes, where + $": {inner.Attempts - attemptsBefore} calls reached the inner");
                Assert.True(refusedWhileProbing == Threads - probes, where + $": {refusedWhileProbing} refused as 'probe in flight'");
                Assert.Equal(0, inner.HoldTimeouts);
                if (succeed)
                {
                    Assert.Equal(probes, succeeded);
                    Assert.Equal(CircuitState.Closed, breaker.State);
                    closedRounds++;
                    inner.Hold = null;
                    Open(sidecar, inner);
                }
                else
                {
                    // The first failing probe reopens the circuit; the others' failures come too late to count.
                    Assert.Equal(probes, faults);
                    Assert.Equal(CircuitState.Open, breaker.State);
                }
            }

            clock.Stop();
            string[] transitions = observer.Events.Where(e => e.Contains("->")).Select(e => e.Substring(e.LastIndexOf(' ') + 1)).ToArray();
            _output.WriteLine(
                $"probe race probes={probes} threads={Threads} rounds={rounds} (closing {closedRounds}) attempts={inner.Attempts:N0} " +
                $"transitions={transitions.Length} elapsed={clock.ElapsedMilliseconds} ms");

            // Never skipped, never doubled: Open, HalfOpen, then Closed (and Open again) or Open, round after round.
            for (int i = 1; i < transitions.Length; i++)
            {
                string expectedAfter = transitions[i - 1] switch { "Open" => "HalfOpen", "HalfOpen" => "Closed|Open", _ => "Open" };
                Assert.True(expectedAfter.Split('|').Contains(transitions[i]), $"transition {i}: {transitions[i - 1]} -> {transitions[i]}");
            }

            Assert.Equal(rounds, transitions.Count(t => t == "HalfOpen"));
            Assert.Equal(closedRounds, transitions.Count(t => t == "Closed"));
        }

        [Fact]
        public void Under_contention_the_bulkhead_never_lets_more_attempts_run_than_it_allows()
        {
            const int callsPerThread = 20_000;
            var registry = new CircuitBreakerRegistry();
            // Each attempt yields its processor, so that threads overlap inside the inner instance.
            var inner = new ScriptedInner { Hold = () => { Thread.Yield(); return true; } };
            var sidecar = new BulkheadServiceSidecar(inner, new SidecarOptions { CircuitBreakers = registry });
            long succeeded = 0, refused = 0;
            Exception? unexpected = null;

            var clock = Stopwatch.StartNew();
            OnThreads(Threads, worker =>
            {
                var random = new Random(worker);
                for (int i = 0; i < callsPerThread; i++)
                {
                    try
                    {
                        Task<int> call = (i & 1) == 0 ? Task.FromResult(sidecar.Call(i)) : sidecar.CallAsync(i, default);
                        Assert.Equal(i, call.GetAwaiter().GetResult());
                        Interlocked.Increment(ref succeeded);
                    }
                    catch (BulkheadRejectedException)
                    {
                        Interlocked.Increment(ref refused);
                    }
                    catch (Exception other)
                    {
                        unexpected ??= other;
                    }

                    if (random.Next(8) == 0)
                    {
                        Thread.Yield();
                    }
                }
            });
            clock.Stop();

            long calls = (long)Threads * callsPerThread;
            _output.WriteLine($"bulkhead max=3 threads={Threads} calls={calls:N0} succeeded={succeeded:N0} refused={refused:N0} most running={inner.MostRunning} elapsed={clock.ElapsedMilliseconds} ms");
            Assert.Null(unexpected);
            Assert.Equal(calls, succeeded + refused);
            Assert.Equal(succeeded, inner.Attempts);
            Assert.InRange(inner.MostRunning, 1, 3);
            Assert.True(refused > 0, "no call was refused: the test did not create contention");
            Assert.Equal(0, registry.Bulkheads.Single().Running);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(8)]
        public void Under_a_100_percent_failure_rate_retries_stay_within_the_budget(int threads)
        {
            // 10 simulated seconds per phase, 3 phases: the window (10 s) holds exactly one phase at a time.
            const int callsPerPhase = 60_000;
            const int phases = 3;
            var time = new SteppingClock();
            var registry = new CircuitBreakerRegistry();
            var inner = new ScriptedInner { Succeed = false };
            var sidecar = new BudgetedServiceSidecar(inner, new SidecarOptions { TimeProvider = time, CircuitBreakers = registry });
            long faults = 0;
            Exception? unexpected = null;
            var clock = Stopwatch.StartNew();

            for (int phase = 0; phase < phases; phase++)
            {
                long attemptsBefore = inner.Attempts;
                OnThreads(threads, worker =>
                {
                    for (int i = worker; i < callsPerPhase; i += threads)
                    {
                        try
                        {
                            _ = (i & 1) == 0 ? sidecar.Call(i) : sidecar.CallAsync(i, default).GetAwaiter().GetResult();
                            unexpected ??= new InvalidOperationException("a call succeeded");
                        }
                        catch (InjectedFault)
                        {
                            Interlocked.Increment(ref faults);
                        }
                        catch (Exception other)
                        {
                            unexpected ??= other;
                        }
                    }
                });

                // Every call failed and asked for 3 retries; the budget allowed 0.2 per call plus 10 per second (100 per window).
                long retries = inner.Attempts - attemptsBefore - callsPerPhase;
                double bound = (0.2 * callsPerPhase) + 100;
                _output.WriteLine($"retry budget 20% + 10/s threads={threads} phase={phase} calls={callsPerPhase:N0} retries={retries:N0} ratio={(double)retries / callsPerPhase:P2} bound={bound:N0}");
                Assert.InRange(retries, (long)bound - threads, (long)bound);
                time.Advance(TimeSpan.FromSeconds(10));
            }

            clock.Stop();
            _output.WriteLine($"retry budget threads={threads} calls={phases * callsPerPhase:N0} attempts={inner.Attempts:N0} elapsed={clock.ElapsedMilliseconds} ms");
            Assert.Null(unexpected);
            Assert.Equal(phases * callsPerPhase, faults);
        }

        [Fact]
        public async Task Cancelling_during_a_delay_or_an_attempt_ends_the_call_at_once_and_leaves_nothing_unobserved()
        {
            const int callsPerCase = 1_000;
            int unobserved = 0;
            void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
            {
                if (e.Exception.InnerExceptions.Any(x => x is InjectedFault))
                {
                    Interlocked.Increment(ref unobserved);
                }
            }

            TaskScheduler.UnobservedTaskException += OnUnobserved;
            try
            {
                var clock = Stopwatch.StartNew();
                var lateFailures = new List<TaskCompletionSource<int>>();
                int[] innerCalls = new int[3];
                for (int i = 0; i < 3 * callsPerCase; i++)
                {
                    int scenario = i % 3;
                    var time = new SteppingClock();
                    var registry = new CircuitBreakerRegistry();
                    var inner = new CancellableInner();
                    var sidecar = new CancellableSidecar(inner, new SidecarOptions { TimeProvider = time, CircuitBreakers = registry });
                    using var cts = new CancellationTokenSource();
                    TaskCompletionSource<int>? stuck = null;
                    inner.Behaviour = scenario switch
                    {
                        // 0: the first attempt fails at once; the caller cancels during the 100 ms backoff delay.
                        0 => (id, _) => Task.FromException<int>(new InjectedFault(id, 1)),

                        // 1: the attempt honours its token; the caller cancels while it runs.
                        1 => (id, token) =>
                        {
                            var pending = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                            token.Register(() => pending.TrySetCanceled(token));
                            return pending.Task;
                        },

                        // 2: the attempt ignores its token and fails after the call has ended: its failure must be observed.
                        _ => (id, _) => (stuck = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).Task,
                    };

                    Task<int> call = sidecar.CallAsync(i, cts.Token);
                    Assert.True(SpinWait.SpinUntil(() => time.PendingTimers > 0 && inner.Calls == 1, TimeSpan.FromSeconds(10)), $"call {i}: not waiting");
                    cts.Cancel(); // the clock never moves: whatever ends the call now is the cancellation

                    OperationCanceledException cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
                    Assert.IsAssignableFrom<TaskCanceledException>(cancelled); // what the caller would get without a sidecar
                    Assert.True(call.IsCanceled, $"call {i}: {call.Status}");
                    Assert.Equal(1, inner.Calls); // no further attempt
                    innerCalls[scenario] += inner.Calls;
                    if (stuck is not null)
                    {
                        // Still running inside the dependency: its bulkhead slot stays taken until it ends.
                        Assert.Equal(1, registry.Bulkheads.Single().Running);
                        stuck.SetException(new InjectedFault(i, 1));
                        Assert.True(SpinWait.SpinUntil(() => registry.Bulkheads.Single().Running == 0, TimeSpan.FromSeconds(10)));
                    }
                    else
                    {
                        // The attempt has ended (or ends as its token fires): its slot comes back.
                        Assert.True(SpinWait.SpinUntil(() => registry.Bulkheads.Single().Running == 0, TimeSpan.FromSeconds(10)), $"call {i}: slot not given back");
                    }
                }

                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                clock.Stop();
                _output.WriteLine(
                    $"cancellation calls={3 * callsPerCase:N0} (during a delay {callsPerCase:N0}, during an attempt that stops {callsPerCase:N0}, " +
                    $"during an attempt that fails later {callsPerCase:N0}) inner calls={innerCalls.Sum():N0} unobserved={unobserved} elapsed={clock.ElapsedMilliseconds} ms");
                Assert.Equal(new[] { callsPerCase, callsPerCase, callsPerCase }, innerCalls);
                Assert.Equal(0, unobserved);
            }
            finally
            {
                TaskScheduler.UnobservedTaskException -= OnUnobserved;
            }
        }

        /// <summary>Runs <paramref name="body"/> on <paramref name="count"/> dedicated threads (not the pool, which grows slowly) and waits for them.</summary>
        private static void OnThreads(int count, Action<int> body)
        {
            var threads = new Thread[count];
            for (int t = 0; t < count; t++)
            {
                int worker = t;
                threads[t] = new Thread(() => body(worker)) { IsBackground = true, Name = "policy fault worker " + worker };
                threads[t].Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }
        }

        /// <summary>Opens a closed circuit (threshold 1) from one thread.</summary>
        private static void Open(ProbedServiceSidecar sidecar, ScriptedInner inner)
        {
            inner.Succeed = false;
            Assert.Throws<InjectedFault>(() => sidecar.Call(-1));
            Assert.Throws<BrokenCircuitException>(() => sidecar.Call(-2));
        }
    }
}
