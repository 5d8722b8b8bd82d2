using System;
using System.Collections.Generic;
using System.Linq;
using Sidecar.Testing;
using Xunit;

namespace Sidecar.Runtime.Tests
{
    /// <summary>
    /// A model-based property test of the circuit breaker: random sequences of admissions, successes, failures,
    /// cancellations (a verdict that says nothing), hangs (probes whose attempt has not ended), late ends, Reset, Isolate,
    /// monotonic time moving forward and the wall clock stepping back and ahead by up to a day, checked step by step
    /// against <see cref="Model"/>, a plain reference of the state machine written from its documented rules.
    /// </summary>
    public sealed class CircuitBreakerModelTests
    {
        private const int Sequences = 400;
        private const int Steps = 300;
        private static readonly TimeSpan Break = TimeSpan.FromMilliseconds(100);
        private static readonly TimeSpan ProbeLimit = TimeSpan.FromMilliseconds(1_000);

        [Fact]
        public void The_breaker_follows_the_model_in_every_random_sequence()
        {
            for (int seed = 1; seed <= Sequences; seed++)
            {
                Run(seed);
            }
        }

        private static void Run(int seed)
        {
            var random = new Random(seed);
            int probes = 1 + random.Next(3);
            const int Threshold = 3;
            var clock = new SteppingClock();
            var breaker = new CircuitBreaker("orders", new CircuitBreakerOptions { FailureThreshold = Threshold, BreakDuration = Break, HalfOpenProbes = probes, ProbeTimeout = ProbeLimit }, clock);
            var heard = new StateLog();
            breaker.Watch(heard);
            var model = new Model(Threshold, probes, Break.Ticks, ProbeLimit.Ticks);
            long now = 0;

            // Attempts admitted and not reported yet, and probes reported but still running in the dependency.
            var open = new List<(CircuitPermit Permit, Model.Permit Expected)>();
            var running = new List<(CircuitPermit Permit, Model.Permit Expected)>();
            var trace = new List<string>();

            for (int step = 0; step < Steps; step++)
            {
                int op = random.Next(100);
                string what;
                if (op < 30)
                {
                    bool entered = breaker.TryEnter(out CircuitPermit permit, out TimeSpan retryAfter);
                    bool expected = model.Admit(now, take: true, out Model.Permit? admitted, out long expectedAfter);
                    what = $"enter -> {entered} probe={permit.IsProbe} after={retryAfter.Ticks}";
                    Check(entered == expected, "admission", seed, trace, what);
                    if (entered)
                    {
                        Check(permit.IsProbe == admitted!.IsProbe, "probe or not", seed, trace, what);
                        open.Add((permit, admitted));
                    }
                    else
                    {
                        Check(retryAfter.Ticks == expectedAfter, $"retry after {expectedAfter} expected", seed, trace, what);
                    }
                }
                else if (op < 62 && open.Count > 0)
                {
                    int index = random.Next(open.Count);
                    (CircuitPermit permit, Model.Permit expected) = open[index];
                    open.RemoveAt(index);
                    int verdict = random.Next(3);
                    bool ended = !permit.IsProbe || random.Next(4) > 0;
                    switch (verdict)
                    {
                        case 0:
                            breaker.OnSuccess(permit, ended);
                            model.Success(now, expected, ended);
                            break;
                        case 1:
                            breaker.OnFailure(permit, ended);
                            model.Failure(now, expected, ended);
                            break;
                        default:
                            breaker.OnIgnored(permit, ended);
                            model.Ignored(now, expected, ended);
                            break;
                    }

                    what = $"{(verdict == 0 ? "success" : verdict == 1 ? "failure" : "ignored")} probe={permit.IsProbe} ended={ended}";
                    if (!ended)
                    {
                        running.Add((permit, expected));
                    }
                }
                else if (op < 70 && running.Count > 0)
                {
                    int index = random.Next(running.Count);
                    (CircuitPermit permit, Model.Permit expected) = running[index];
                    running.RemoveAt(index);
                    breaker.ReleaseProbeSlot(permit);
                    model.Release(now, expected);
                    what = "late end of a probe";
                }
                else if (op < 73)
                {
                    breaker.Reset();
                    model.Reset();
                    what = "reset";
                }
                else if (op < 76)
                {
                    TimeSpan? duration = random.Next(2) == 0 ? null : TimeSpan.FromMilliseconds(random.Next(300));
                    breaker.Isolate(duration);
                    model.Isolate(now, duration?.Ticks);
                    what = "isolate " + (duration?.TotalMilliseconds.ToString() ?? "until reset");
                }
                else if (op < 80)
                {
                    bool refused = breaker.WouldRefuse(out TimeSpan retryAfter);
                    bool expected = !model.Admit(now, take: false, out _, out long expectedAfter);
                    what = $"would refuse -> {refused}";
                    Check(refused == expected, "refusal", seed, trace, what);
                    if (refused)
                    {
                        Check(retryAfter.Ticks == expectedAfter, $"retry after {expectedAfter} expected", seed, trace, what);
                    }
                }
                else if (op < 92)
                {
                    long by = random.Next(10) == 0 ? ProbeLimit.Ticks : TimeSpan.FromMilliseconds(random.Next(150)).Ticks;
                    clock.Advance(TimeSpan.FromTicks(by));
                    now += by;
                    what = $"advance {TimeSpan.FromTicks(by).TotalMilliseconds} ms";
                }
                else
                {
                    // The wall clock steps back or ahead by up to a day: nothing the breaker decides may change.
                    TimeSpan step2 = TimeSpan.FromMinutes(random.Next(-24 * 60, 24 * 60 + 1));
                    clock.StepWallClock(step2);
                    what = $"wall clock {step2.TotalMinutes} min";
                }

                trace.Add(what);
                Check(breaker.State == model.State, $"state {model.State} expected, {breaker.State} found", seed, trace, what);
                Check(breaker.ConsecutiveFailures == model.Consecutive, $"{model.Consecutive} failures in a row expected", seed, trace, what);
                Check(breaker.ProbesRunning == model.Held, $"{model.Held} probe slots expected, {breaker.ProbesRunning} found", seed, trace, what);
                Check(heard.States.SequenceEqual(model.Transitions), $"heard {string.Join(",", heard.States)}, expected {string.Join(",", model.Transitions)}", seed, trace, what);
                if (breaker.State == CircuitState.Open)
                {
                    // OpenUntil is the wall-clock label of the monotonic remaining time.
                    DateTimeOffset until = breaker.OpenUntil!.Value;
                    long remaining = model.Remaining(now);
                    bool forever = until == DateTimeOffset.MaxValue;
                    Check(forever || until - clock.GetUtcNow() == TimeSpan.FromTicks(Math.Max(0, remaining)), "OpenUntil", seed, trace, what);
                }
            }
        }

        private static void Check(bool condition, string message, int seed, List<string> trace, string step)
        {
            if (!condition)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}, step {trace.Count + 1} ({step}): {message}. Steps before: {string.Join("; ", trace.Skip(Math.Max(0, trace.Count - 15)))}");
            }
        }


        /// <summary>The state machine's rules, one by one, with every outstanding probe kept by name rather than counted.</summary>
        private sealed class Model
        {
            private readonly int _threshold;
            private readonly int _probes;
            private readonly long _break;
            private readonly long _probeLimit;
            private readonly HashSet<Permit> _held = new();
            private int _episode;
            private int _succeeded;
            private long _heldSince;
            private long _openedAt;
            private long _openFor;

            public Model(int threshold, int probes, long breakTicks, long probeLimitTicks)
            {
                _threshold = threshold;
                _probes = probes;
                _break = breakTicks;
                _probeLimit = probeLimitTicks;
            }

            public CircuitState State { get; private set; } = CircuitState.Closed;

            public int Consecutive { get; private set; }

            public int Held => _held.Count;

            public List<CircuitState> Transitions { get; } = new();

            public long Remaining(long now)
            {
                long elapsed = now - _openedAt;
                return elapsed >= _openFor ? 0 : _openFor - elapsed;
            }

            public bool Admit(long now, bool take, out Permit? permit, out long retryAfter)
            {
                permit = null;
                retryAfter = 0;
                ForfeitOverdue(now);
                if (State == CircuitState.Closed)
                {
                    permit = new Permit(false, _episode);
                    return true;
                }

                if (State == CircuitState.Open)
                {
                    long remaining = Remaining(now);
                    if (remaining > 0)
                    {
                        retryAfter = remaining;
                        return false;
                    }

                    if (_held.Count >= _probes)
                    {
                        retryAfter = _probeLimit - (now - _heldSince);
                        return false;
                    }

                    if (!take)
                    {
                        return true;
                    }

                    EnterState(CircuitState.HalfOpen);
                    _succeeded = 0;
                }

                if (_held.Count + _succeeded >= _probes)
                {
                    return false;
                }

                if (take)
                {
                    if (_held.Count == 0)
                    {
                        _heldSince = now;
                    }

                    permit = new Permit(true, _episode);
                    _held.Add(permit);
                }

                return true;
            }

            public void Success(long now, Permit permit, bool ended)
            {
                HandBack(now, permit, ended);

                if (!IsCurrent(permit))
                {
                    return;
                }

                if (permit.IsProbe)
                {
                    if (++_succeeded >= _probes)
                    {
                        Close();
                    }
                }
                else if (State == CircuitState.Closed)
                {
                    Consecutive = 0;
                }
            }

            public void Failure(long now, Permit permit, bool ended)
            {
                HandBack(now, permit, ended);

                if (!IsCurrent(permit))
                {
                    return;
                }

                if (permit.IsProbe || (State == CircuitState.Closed && ++Consecutive >= _threshold))
                {
                    Open(now, _break);
                }
            }

            public void Ignored(long now, Permit permit, bool ended) => HandBack(now, permit, ended);

            // Any word from a probe first applies an overdue probe timeout, then gives back its slot if its attempt ended.
            private void HandBack(long now, Permit permit, bool ended)
            {
                if (permit.IsProbe)
                {
                    ForfeitOverdue(now);
                    if (ended)
                    {
                        _held.Remove(permit);
                    }
                }
            }

            public void Release(long now, Permit permit)
            {
                ForfeitOverdue(now);
                _held.Remove(permit);
            }

            public void Reset()
            {
                _held.Clear();
                if (State != CircuitState.Closed)
                {
                    Close();
                }
                else
                {
                    Consecutive = 0;
                }
            }

            public void Isolate(long now, long? duration) => Open(now, duration ?? long.MaxValue);

            private bool IsCurrent(Permit permit)
                => permit.IsProbe ? State == CircuitState.HalfOpen && permit.Episode == _episode : permit.Episode == _episode;

            // A probe out for the probe limit (counted from when the oldest slot still held was taken, since the slots
            // were last all free) counts as failed: every slot is given up, and the circuit reopens if this half-open
            // episode had probes of its own out.
            private void ForfeitOverdue(long now)
            {
                if (_held.Count == 0 || now - _heldSince < _probeLimit)
                {
                    return;
                }

                bool ownOut = State == CircuitState.HalfOpen && _held.Any(p => p.Episode == _episode);
                _held.Clear();
                if (ownOut)
                {
                    Open(now, _break);
                }
            }

            private void Open(long now, long openFor)
            {
                if (State != CircuitState.Open)
                {
                    Transitions.Add(CircuitState.Open);
                }

                State = CircuitState.Open;
                _episode++;
                Consecutive = 0;
                _succeeded = 0;
                _openedAt = now;
                _openFor = openFor;
            }

            private void Close()
            {
                EnterState(CircuitState.Closed);
                Consecutive = 0;
                _succeeded = 0;
            }

            private void EnterState(CircuitState state)
            {
                State = state;
                _episode++;
                Transitions.Add(state);
            }

            /// <summary>One admitted attempt (reference identity: each is its own).</summary>
            public sealed class Permit
            {
                public Permit(bool isProbe, int episode)
                {
                    IsProbe = isProbe;
                    Episode = episode;
                }

                public bool IsProbe { get; }

                public int Episode { get; }
            }
        }
    }
}
