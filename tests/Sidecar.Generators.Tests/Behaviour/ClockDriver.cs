using System;
using System.Threading.Tasks;
using Sidecar.Testing;

namespace Sidecar.Generators.Tests.Behaviour
{
    /// <summary>Drives a <see cref="SteppingClock"/> for a call that waits on its timers (backoff delays, timeouts, latency).</summary>
    internal static class ClockDriver
    {
        /// <summary>
        /// Moves <paramref name="time"/> in steps of <paramref name="stepMs"/> while <paramref name="call"/> waits on a timer,
        /// until it ends; returns the milliseconds moved (the call's outcome is left in the task).
        /// </summary>
        public static async Task<int> RunUntilDone(SteppingClock time, Task call, int stepMs)
        {
            // A call that neither ends nor waits on a timer would spin here for good: fail the test instead.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int moved = 0;
            while (!call.IsCompleted)
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("The call did not end within 30 s of real time (" + moved + " ms of the test clock moved, " + time.PendingTimers + " timers pending).");
                }

                if (time.PendingTimers > 0)
                {
                    time.Advance(TimeSpan.FromMilliseconds(stepMs));
                    moved += stepMs;
                }
                else
                {
                    await Task.Delay(1);
                }
            }

            return moved;
        }

        /// <summary><see cref="RunUntilDone"/>, then the call's result.</summary>
        public static async Task<T> Result<T>(SteppingClock time, Func<Task<T>> call, int stepMs)
        {
            Task<T> running = call();
            await RunUntilDone(time, running, stepMs);
            return await running;
        }
    }
}
