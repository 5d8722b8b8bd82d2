using System;
using System.Collections.Concurrent;
using System.Threading;

namespace Sidecar.Runtime.Tests
{
    /// <summary>
    /// Runs threads in lock-step rounds: before each round <c>prepare</c> runs alone (every worker waits at a barrier),
    /// then every worker runs <c>body</c> at once. Exceptions of the workers are collected and rethrown at the end, so a
    /// failing worker cannot leave the others waiting forever.
    /// </summary>
    internal static class Contention
    {
        public static void Rounds(int threads, int rounds, Action<int> prepare, Action<int, int> body)
        {
            var errors = new ConcurrentQueue<Exception>();
            using var barrier = new Barrier(threads, b =>
            {
                // Phase 2r ends when every worker is ready for round r; phase 2r + 1 when every worker finished it.
                long phase = b.CurrentPhaseNumber;
                if (phase % 2 == 0)
                {
                    prepare((int)(phase / 2));
                }
            });

            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                int id = t;
                workers[t] = new Thread(() =>
                {
                    try
                    {
                        for (int round = 0; round < rounds; round++)
                        {
                            barrier.SignalAndWait();
                            body(round, id);
                            barrier.SignalAndWait();
                        }
                    }
                    catch (Exception ex)
                    {
                        errors.Enqueue(ex);
                        try
                        {
                            barrier.RemoveParticipant();
                        }
                        catch (InvalidOperationException)
                        {
                            // Every participant already left.
                        }
                    }
                })
                {
                    IsBackground = true,
                };
                workers[t].Start();
            }

            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            if (!errors.IsEmpty)
            {
                throw new AggregateException(errors);
            }
        }

        /// <summary>Starts <paramref name="threads"/> workers at once (behind a barrier) and waits for all of them.</summary>
        public static void Run(int threads, Action<int> body) => Rounds(threads, 1, _ => { }, (_, id) => body(id));

        /// <summary>Raises <paramref name="target"/> to <paramref name="value"/> if it is larger.</summary>
        public static void Max(ref int target, int value)
        {
            int seen = Volatile.Read(ref target);
            while (value > seen)
            {
                int previous = Interlocked.CompareExchange(ref target, value, seen);
                if (previous == seen)
                {
                    return;
                }

                seen = previous;
            }
        }
    }
}
