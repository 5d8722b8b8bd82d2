using System;
using System.Linq;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Sidecar.Benchmarks
{
    /// <summary>
    /// <c>dotnet run -c Release --project benchmarks/Sidecar.Benchmarks -- --filter '*'</c> runs every benchmark;
    /// BenchmarkDotNet's own options apply (<c>--job short</c>, <c>--job dry</c>, <c>--list flat</c>, …).
    /// <c>-- --smoke</c> runs each benchmark method once, in process, and exits non-zero if one fails (for CI).
    /// </summary>
    public static class Program
    {
        /// <summary>Entry point.</summary>
        public static int Main(string[] args)
        {
            if (args.Contains("--smoke"))
            {
                return SmokeRun.Run(typeof(Program).Assembly);
            }

            Summary[] summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args).ToArray();
            bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
            return failed ? 1 : 0;
        }
    }
}
