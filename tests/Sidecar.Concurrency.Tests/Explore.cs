using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;
using Xunit;

namespace Sidecar.Concurrency.Tests
{
    /// <summary>
    /// Runs a scenario under Coyote's systematic scheduler: each iteration picks a different interleaving of the scenario's
    /// tasks at every lock, Interlocked operation and task boundary of the (rewritten) Sidecar.dll, so races are explored
    /// rather than left to the thread pool's luck. A failed <c>Specification.Assert</c> in any interleaving fails the test
    /// with the schedule that led to it.
    /// </summary>
    internal static class Explore
    {
        public const int Iterations = 1_000;

        /// <summary>Explores <paramref name="scenario"/>; returns how many interleavings were tried.</summary>
        /// <param name="scenario">The tasks to interleave.</param>
        /// <param name="iterations">How many interleavings to try.</param>
        /// <param name="uncontrolledWaits">
        /// The scenario waits in ways Coyote does not control (<c>Task.WaitAsync</c> on a token, as the pipeline's
        /// <c>Watch</c> does): a wait it cannot see through is then not reported as a potential deadlock. Such a scenario
        /// must also run on real threads with a time limit, which catches a real hang.
        /// </param>
        public static int Run(Func<Task> scenario, int iterations = Iterations, bool uncontrolledWaits = false)
        {
            Configuration configuration = Configuration.Create()
                .WithTestingIterations((uint)iterations)
                .WithPotentialDeadlocksReportedAsBugs(!uncontrolledWaits)
                .WithTelemetryEnabled(false);
            using TestingEngine engine = TestingEngine.Create(configuration, scenario);
            engine.Run();
            TestReport report = engine.TestReport;
            Assert.True(report.NumOfFoundBugs == 0, string.Join(Environment.NewLine, report.BugReports));
            Assert.True(report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths > 0, "Coyote explored nothing: is Sidecar.dll rewritten?");
            return report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths;
        }

        /// <summary>Waits for every task (Task.WhenAll over an array: the span overload of .NET 9+ is not intercepted).</summary>
        public static Task All(params Task[] tasks) => Task.WhenAll(tasks.ToArray());
    }
}
