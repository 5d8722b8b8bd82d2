using System;
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
    /// The fault-injection suite runs on its own: its figures (and its check for unobserved task exceptions) must not be
    /// disturbed by other tests running at the same time.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class FaultInjectionCollection
    {
        public const string Name = "FaultInjection";
    }

    /// <summary>
    /// Fault injection: an inner instance fails at random (seeded, per thread) and the sidecar must account for every
    /// call and every attempt, on one thread and under contention; the circuit breaker must open once and let exactly
    /// one probe through; cancelled and timed-out calls must end cleanly. Figures go to the test output
    /// (docs/reliability.md lists a run).
    /// </summary>
    [Collection(FaultInjectionCollection.Name)]
    public class FaultInjectionTests
    {
        /// <summary>Calls per failure rate, spread over the thread counts 1, 2 and 8.</summary>
        private const int CallsPerRate = 1_000_000;

        private const int Attempts = 3; // Retries = 2, plus the first attempt

        private static readonly int[] s_threadCounts = { 1, 2, 8 };

        private readonly ITestOutputHelper _output;

        public FaultInjectionTests(ITestOutputHelper output) => _output = output;

        public static TheoryData<string, int, int> Cells()
        {
            var cells = new TheoryData<string, int, int>();
            foreach (string shape in new[] { "sync", "async" })
            {
                foreach (int percent in new[] { 0, 30, 90, 100 })
                {
                    foreach (int threads in s_threadCounts)
                    {
                        cells.Add(shape, percent, threads);
                    }
                }
            }

            return cells;
        }

        /// <summary>Calls of one cell: <see cref="CallsPerRate"/> split over the thread counts, the remainder to the first.</summary>
        private static int CallsPerCell(int threads)
        {
            int share = CallsPerRate / s_threadCounts.Length;
            return threads == s_threadCounts[0] ? CallsPerRate - (share * (s_threadCounts.Length - 1)) : share;
        }

        private static int SeedOf(string shape, int percent, int threads, int thread)
            => 20_260_101 + (shape == "async" ? 1_000_000 : 0) + (percent * 1_000) + (threads * 10) + thread;

        [Theory]
        [MemberData(nameof(Cells))]
        public void Every_call_and_every_attempt_is_accounted_for(string shape, int percent, int threads)
        {
            int calls = CallsPerCell(threads);
            double rate = percent / 100.0;
            var inner = new RandomFaults(rate, calls);
            var observer = new CountingObserver();
            var sidecar = new FaultyServiceSidecar(inner, new SidecarOptions { CircuitBreakers = new CircuitBreakerRegistry(), Observer = observer });
            bool async = shape == "async";

            var tallies = new Tally[threads];
            var workers = new Thread[threads];
            using var start = new ManualResetEventSlim();
            for (int t = 0; t < threads; t++)
            {
                int thread = t;
                int first = (calls / threads * thread) + Math.Min(thread, calls % threads);
                int count = (calls / threads) + (thread < calls % threads ? 1 : 0);
                var tally = tallies[thread] = new Tally { Seed = SeedOf(shape, percent, threads, thread), FirstId = first, Calls = count };
                workers[thread] = new Thread(() =>
                {
                    RandomFaults.BindThread(tally.Seed);
                    start.Wait();
                    try
                    {
                        for (int id = first; id < first + count; id++)
                        {
                            Account(sidecar, inner, id, async, tally);
                        }
                    }
                    finally
                    {
                        RandomFaults.UnbindThread();
                    }
                }) { IsBackground = true, Name = "fault worker " + thread };
                workers[thread].Start();
            }

            var clock = Stopwatch.StartNew();
            start.Set();
            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            clock.Stop();

            long okCalls = tallies.Sum(t => t.Ok), failedCalls = tallies.Sum(t => t.Failed);
            long okAttempts = tallies.Sum(t => t.OkAttempts);
            long retries = inner.Attempts - calls;
            _output.WriteLine(
                $"{shape,-5} p={percent,3}% threads={threads} calls={calls:N0} attempts={inner.Attempts:N0} failures={inner.Failures:N0} " +
                $"failed calls={failedCalls:N0} retries={retries:N0} elapsed={clock.ElapsedMilliseconds} ms seeds={tallies[0].Seed}..{tallies[^1].Seed}");

            Assert.All(tallies, t => Assert.Null(t.FirstUnexpected));
            Assert.Equal(0, inner.UnboundDraws);

            // Every attempt either succeeded or threw.
            Assert.Equal(inner.Attempts, inner.Successes + inner.Failures);

            // No call lost, none duplicated; every success answered with its own id.
            Assert.Equal(calls, okCalls + failedCalls);
            Assert.Equal(calls, tallies.Sum(t => t.Calls));
            Assert.Equal(okCalls, inner.Successes);
            Assert.Equal(0, tallies.Sum(t => t.WrongResults));

            // Every failed call made exactly Retries + 1 attempts; a successful call 1 to 3.
            Assert.Equal(0, tallies.Sum(t => t.FailedWithOtherAttemptCount));
            Assert.Equal(0, tallies.Sum(t => t.SucceededWithOtherAttemptCount));
            Assert.Equal(inner.Attempts, okAttempts + (failedCalls * Attempts));

            // The exception a failed call sees is the one its last attempt threw (same instance).
            Assert.Equal(0, tallies.Sum(t => t.NotTheLastException));
            Assert.Equal(failedCalls, tallies.Sum(t => t.LastExceptionChecked));

            // What the observer heard adds up to the same figures.
            Assert.Equal(inner.Failures, observer.AttemptFailures);
            Assert.Equal(retries, observer.Retries);
            Assert.Equal(failedCalls, observer.GiveUps);
            Assert.Equal(0, observer.Transitions);

            if (percent == 0)
            {
                Assert.Equal(calls, inner.Attempts);
                Assert.Equal(0, retries);
                Assert.Equal(0, failedCalls);
            }

            if (percent == 100)
            {
                Assert.Equal(0, okCalls);
                Assert.Equal(calls, failedCalls);
                Assert.Equal((long)calls * Attempts, inner.Attempts);
            }

            // Deterministic per seed: replaying each thread's random sequence predicts its figures exactly.
            foreach (Tally tally in tallies)
            {
                (long attempts, long failed) = Replay(tally.Seed, tally.Calls, rate);
                Assert.Equal(attempts, tally.OkAttempts + (tally.Failed * Attempts));
                Assert.Equal(failed, tally.Failed);
            }
        }

        private static void Account(FaultyServiceSidecar sidecar, RandomFaults inner, int id, bool async, Tally tally)
        {
            try
            {
                int result = async ? sidecar.CallAsync(id, CancellationToken.None).GetAwaiter().GetResult() : sidecar.Call(id);
                int attempts = inner.AttemptsOf(id);
                tally.Ok++;
                tally.OkAttempts += attempts;
                if (result != id)
                {
                    tally.WrongResults++;
                }

                if (attempts is < 1 or > Attempts)
                {
                    tally.SucceededWithOtherAttemptCount++;
                }
            }
            catch (InjectedFault fault)
            {
                tally.Failed++;
                if (inner.AttemptsOf(id) != Attempts)
                {
                    tally.FailedWithOtherAttemptCount++;
                }

                tally.LastExceptionChecked++;
                if (!ReferenceEquals(fault, inner.LastFaultOf(id)) || fault.Id != id || fault.Attempt != Attempts)
                {
                    tally.NotTheLastException++;
                }
            }
            catch (Exception unexpected)
            {
                tally.FirstUnexpected ??= unexpected;
            }
        }

        /// <summary>The figures one thread must produce: its random sequence, consumed the way <see cref="RandomFaults"/> does.</summary>
        private static (long Attempts, long FailedCalls) Replay(int seed, int calls, double rate)
        {
            var random = new Random(seed);
            long attempts = 0, failed = 0;
            for (int call = 0; call < calls; call++)
            {
                for (int attempt = 1; ; attempt++)
                {
                    attempts++;
                    if (!RandomFaults.Fails(random, rate))
                    {
                        break;
                    }

                    if (attempt == Attempts)
                    {
                        failed++;
                        break;
                    }
                }
            }

            return (attempts, failed);
        }

        private sealed class Tally
        {
            public int Seed;
            public int FirstId;
            public int Calls;
            public long Ok;
            public long Failed;
            public long OkAttempts;
            public long WrongResults;
            public long SucceededWithOtherAttemptCount;
            public long FailedWithOtherAttemptCount;
            public long LastExceptionChecked;
            public long NotTheLastException;
            public Exception? FirstUnexpected;
        }

        // ---------------------------------------------------------------------------------------------------------
        // Circuit breaker under contention
        // ---------------------------------------------------------------------------------------------------------

        private const int BreakerThreads = 8;

        [Fact]
        public void Under_contention_the_circuit_opens_once_and_then_the_inner_is_never_called()
        {
            var time = new SteppingClock(); // never moves in this test
            var registry = new CircuitBreakerRegistry();
            var observer = new CountingObserver();
            var inner = new ScriptedBreakerInner();
            var sidecar = new FaultyBreakerServiceSidecar(inner, new SidecarOptions { TimeProvider = time, CircuitBreakers = registry, Observer = observer });
            const int callsPerThread = 5_000;
            const int calls = BreakerThreads * callsPerThread;

            var clock = Stopwatch.StartNew();
            Outcomes opening = Hammer(sidecar, BreakerThreads, callsPerThread);
            long attemptsWhileOpening = inner.Attempts;
            Outcomes afterwards = Hammer(sidecar, BreakerThreads, callsPerThread);
            clock.Stop();
            _output.WriteLine(
                $"breaker p=100% threads={BreakerThreads} calls={2 * calls:N0} attempts={inner.Attempts:N0} failed calls={opening.Faults + afterwards.Faults:N0} " +
                $"rejected={opening.Rejected + afterwards.Rejected:N0} opened={observer.Opened} elapsed={clock.ElapsedMilliseconds} ms");

            CircuitBreaker breaker = registry.Breakers.Single();
            Assert.Null(opening.FirstUnexpected);
            Assert.Null(afterwards.FirstUnexpected);

            // Opened exactly once, after 5 failed attempts in a row; callers already past the gate may finish theirs.
            Assert.Equal(1, observer.Opened);
            Assert.Equal(0, observer.HalfOpened);
            Assert.Equal(0, observer.Closed);
            Assert.Equal(CircuitState.Open, breaker.State);
            Assert.InRange(attemptsWhileOpening, 5, 5 + (BreakerThreads - 1));

            // Every call is accounted for: it failed with the inner's exception or was refused.
            Assert.Equal(calls, opening.Faults + opening.Rejected);
            Assert.InRange(opening.Faults, 2, attemptsWhileOpening); // the first call alone makes 3 attempts
            Assert.Equal(inner.Attempts, observer.AttemptFailures);
            Assert.Equal(opening.Rejected + afterwards.Rejected, observer.Rejections);

            // Once open, with the clock standing still, nobody reaches the inner.
            Assert.Equal(attemptsWhileOpening, inner.Attempts);
            Assert.Equal(calls, afterwards.Rejected);
            Assert.Equal(0, afterwards.Faults);
            Assert.Equal(calls, afterwards.RejectedAtOpenUntil);
            Assert.Equal(time.GetUtcNow().AddMilliseconds(100), breaker.OpenUntil);
        }

        [Fact]
        public void Racing_on_a_half_open_circuit_exactly_one_probe_reaches_the_inner()
        {
            const int roundsPerOutcome = 200;
            var time = new SteppingClock();
            var registry = new CircuitBreakerRegistry();
            var observer = new CountingObserver();
            var inner = new ScriptedBreakerInner();
            var sidecar = new FaultyBreakerServiceSidecar(inner, new SidecarOptions { TimeProvider = time, CircuitBreakers = registry, Observer = observer });
            var random = new Random(20_260_417);

            // Open it: 3 failed attempts, then 2 more (the circuit opens during the second call's retries).
            Reopen(sidecar, inner, observer);
            CircuitBreaker breaker = registry.Breakers.Single();

            // Both outcomes, shuffled with a seeded random.
            bool[] probeSucceeds = Enumerable.Repeat(true, roundsPerOutcome).Concat(Enumerable.Repeat(false, roundsPerOutcome)).OrderBy(_ => random.Next()).ToArray();
            var round = new RoundState();
            using var barrier = new Barrier(BreakerThreads + 1);
            var workers = new Thread[BreakerThreads];
            for (int w = 0; w < BreakerThreads; w++)
            {
                int worker = w;
                workers[w] = new Thread(() => RaceWorker(sidecar, barrier, round, worker, probeSucceeds.Length)) { IsBackground = true, Name = "probe racer " + w };
                workers[w].Start();
            }

            int held = 0;
            var clock = Stopwatch.StartNew();
            for (int r = 0; r < probeSucceeds.Length; r++)
            {
                bool succeed = probeSucceeds[r];
                bool hold = succeed || random.Next(2) == 0; // a good probe must be held, or late callers would find the circuit closed
                held += hold ? 1 : 0;
                round.Reset(seed: random.Next());
                inner.Succeed = succeed;
                inner.Hold = hold ? () => Volatile.Read(ref round.Finished) >= BreakerThreads - 1 : null;
                long attemptsBefore = inner.Attempts;
                int halfOpenedBefore = observer.HalfOpened, openedBefore = observer.Opened, closedBefore = observer.Closed;
                time.Advance(TimeSpan.FromMilliseconds(100 + random.Next(0, 50)));

                barrier.SignalAndWait(); // go
                barrier.SignalAndWait(); // all done

                string where = $"round {r} (probe {(succeed ? "succeeds" : "fails")}, {(hold ? "held" : "not held")})";
                Assert.True(round.FirstUnexpected is null, where + ": " + round.FirstUnexpected);
                Assert.True(inner.Attempts - attemptsBefore == 1, where + $": {inner.Attempts - attemptsBefore} calls reached the inner");
                Assert.True(round.Rejected == BreakerThreads - 1, where + $": {round.Rejected} rejected");
                Assert.Equal(0, inner.HoldTimeouts);
                if (hold)
                {
                    Assert.True(round.RejectedWhileProbing == BreakerThreads - 1, where + $": {round.RejectedWhileProbing} rejected as 'probe in flight'");
                }

                Assert.Equal(halfOpenedBefore + 1, observer.HalfOpened);
                if (succeed)
                {
                    Assert.Equal(1, round.Succeeded);
                    Assert.Equal(CircuitState.Closed, breaker.State);
                    Assert.Equal(closedBefore + 1, observer.Closed);
                    Assert.Equal(openedBefore, observer.Opened);
                    inner.Hold = null;
                    Reopen(sidecar, inner, observer);
                }
                else
                {
                    Assert.Equal(1, round.Faults);
                    Assert.Equal(CircuitState.Open, breaker.State);
                    Assert.Equal(openedBefore + 1, observer.Opened);
                    Assert.Equal(closedBefore, observer.Closed);
                }
            }

            round.Stop = true;
            barrier.SignalAndWait();
            clock.Stop();
            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            _output.WriteLine(
                $"probe race threads={BreakerThreads} rounds={probeSucceeds.Length} (good probes {roundsPerOutcome}, bad probes {roundsPerOutcome}, held {held}) " +
                $"attempts={inner.Attempts:N0} opened={observer.Opened} half-opened={observer.HalfOpened} closed={observer.Closed} elapsed={clock.ElapsedMilliseconds} ms");
            Assert.Equal(probeSucceeds.Length, observer.HalfOpened);
            Assert.Equal(roundsPerOutcome, observer.Closed);
            Assert.Equal(1 + (2 * roundsPerOutcome), observer.Opened); // the first opening, each bad probe, each reopening after a good one
        }

        private static void RaceWorker(FaultyBreakerServiceSidecar sidecar, Barrier barrier, RoundState round, int worker, int rounds)
        {
            while (true)
            {
                barrier.SignalAndWait();
                if (round.Stop)
                {
                    return;
                }

                var random = new Random(round.Seed + worker);
                int pause = random.Next(0, 4);
                if (pause == 0)
                {
                    Thread.Yield();
                }
                else
                {
                    Thread.SpinWait(random.Next(0, 20_000 * pause));
                }

                try
                {
                    sidecar.Call(worker);
                    Interlocked.Increment(ref round.Succeeded);
                }
                catch (InjectedFault)
                {
                    Interlocked.Increment(ref round.Faults);
                }
                catch (BrokenCircuitException rejected)
                {
                    Interlocked.Increment(ref round.Rejected);
                    if (rejected.ProbeInFlight)
                    {
                        Interlocked.Increment(ref round.RejectedWhileProbing);
                    }
                }
                catch (Exception unexpected)
                {
                    round.FirstUnexpected ??= unexpected;
                }
                finally
                {
                    Interlocked.Increment(ref round.Finished);
                }

                barrier.SignalAndWait();
            }
        }

        /// <summary>Opens a closed circuit from one thread: a call of 3 failed attempts, then one stopped after 2 by the opening.</summary>
        private static void Reopen(FaultyBreakerServiceSidecar sidecar, ScriptedBreakerInner inner, CountingObserver observer)
        {
            inner.Succeed = false;
            long before = inner.Attempts;
            int opened = observer.Opened;
            Assert.Throws<InjectedFault>(() => sidecar.Call(-1));
            Assert.Equal(before + 3, inner.Attempts);
            Assert.Throws<InjectedFault>(() => sidecar.Call(-2));
            Assert.Equal(before + 5, inner.Attempts);
            Assert.Equal(opened + 1, observer.Opened);
            Assert.Throws<BrokenCircuitException>(() => sidecar.Call(-3));
            Assert.Equal(before + 5, inner.Attempts);
        }

        private static Outcomes Hammer(FaultyBreakerServiceSidecar sidecar, int threads, int callsPerThread)
        {
            var outcomes = new Outcomes();
            using var start = new ManualResetEventSlim();
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(() =>
                {
                    start.Wait();
                    long faults = 0, rejected = 0, atOpenUntil = 0;
                    for (int i = 0; i < callsPerThread; i++)
                    {
                        try
                        {
                            sidecar.Call(i);
                            outcomes.FirstUnexpected ??= new InvalidOperationException("a call succeeded");
                        }
                        catch (InjectedFault)
                        {
                            faults++;
                        }
                        catch (BrokenCircuitException exception)
                        {
                            rejected++;
                            if (!exception.ProbeInFlight && exception.RetryAfter == TimeSpan.FromMilliseconds(100))
                            {
                                atOpenUntil++;
                            }
                        }
                        catch (Exception unexpected)
                        {
                            outcomes.FirstUnexpected ??= unexpected;
                        }
                    }

                    Interlocked.Add(ref outcomes.Faults, faults);
                    Interlocked.Add(ref outcomes.Rejected, rejected);
                    Interlocked.Add(ref outcomes.RejectedAtOpenUntil, atOpenUntil);
                }) { IsBackground = true };
                workers[t].Start();
            }

            start.Set();
            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            return outcomes;
        }

        private sealed class Outcomes
        {
            public long Faults;
            public long Rejected;
            public long RejectedAtOpenUntil;
            public Exception? FirstUnexpected;
        }

        private sealed class RoundState
        {
            public volatile bool Stop;
            public int Seed;
            public int Finished;
            public int Succeeded;
            public int Faults;
            public int Rejected;
            public int RejectedWhileProbing;
            public Exception? FirstUnexpected;

            public void Reset(int seed)
            {
                Seed = seed;
                Finished = Succeeded = Faults = Rejected = RejectedWhileProbing = 0;
                FirstUnexpected = null;
            }
        }

        /// <summary>Fails or succeeds as told; can hold an attempt until a condition holds (the other racers are done).</summary>
        private sealed class ScriptedBreakerInner : IFaultyBreakerService
        {
            private long _attempts;
            private int _holdTimeouts;

            public long Attempts => Interlocked.Read(ref _attempts);

            public int HoldTimeouts => Volatile.Read(ref _holdTimeouts);

            public volatile bool Succeed;

            public volatile Func<bool>? Hold;

            public int Call(int id)
            {
                Interlocked.Increment(ref _attempts);
                if (Hold is { } hold && !SpinWait.SpinUntil(hold, TimeSpan.FromSeconds(5)))
                {
                    Interlocked.Increment(ref _holdTimeouts);
                }

                return Succeed ? id : throw new InjectedFault(id, 0);
            }

            public Task<int> CallAsync(int id, CancellationToken ct) => Task.FromResult(Call(id));
        }

        /// <summary>Counts what a sidecar reports.</summary>
        private sealed class CountingObserver : SidecarObserver
        {
            private long _attemptFailures;
            private long _retries;
            private long _giveUps;
            private long _rejections;
            private int _opened;
            private int _halfOpened;
            private int _closed;

            public long AttemptFailures => Interlocked.Read(ref _attemptFailures);

            public long Retries => Interlocked.Read(ref _retries);

            public long GiveUps => Interlocked.Read(ref _giveUps);

            public long Rejections => Interlocked.Read(ref _rejections);

            public int Opened => Volatile.Read(ref _opened);

            public int HalfOpened => Volatile.Read(ref _halfOpened);

            public int Closed => Volatile.Read(ref _closed);

            public int Transitions => Opened + HalfOpened + Closed;

            public override void OnAttemptFailed(string service, string member, int attempt, Exception exception, bool willRetry, TimeSpan delay)
            {
                Interlocked.Increment(ref _attemptFailures);
                Interlocked.Increment(ref willRetry ? ref _retries : ref _giveUps);
            }

            public override void OnCircuitStateChanged(string circuitName, CircuitState state)
            {
                switch (state)
                {
                    case CircuitState.Open:
                        Interlocked.Increment(ref _opened);
                        break;
                    case CircuitState.HalfOpen:
                        Interlocked.Increment(ref _halfOpened);
                        break;
                    default:
                        Interlocked.Increment(ref _closed);
                        break;
                }
            }

            public override void OnRejected(string service, string member, SidecarRejectedException exception) => Interlocked.Increment(ref _rejections);
        }
    }
}
