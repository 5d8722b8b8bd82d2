using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace Sidecar.Generators.Tests
{
    /// <summary>
    /// The package as users get it: eng/verify-package.sh packs Sidecar.Generators, builds a console app that takes it
    /// from a local folder (with a fresh NuGet cache), and runs it: the sidecar must be generated and must retry,
    /// directly and through the generated dependency-injection extension.
    /// </summary>
    public class PackageTests
    {
        [Fact]
        public void The_packed_package_works_in_a_fresh_consumer_project()
        {
            string root = RepositoryRoot();
            var start = new ProcessStartInfo("bash", Path.Combine(root, "eng", "verify-package.sh"))
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(8)), "the package check did not finish in 8 minutes");

            string all = output + error.Result;
            Assert.True(process.ExitCode == 0, all);
            Assert.Contains("di=FlakySidecar value=42 calls=3", output);
            Assert.Contains("PASS", output);
        }

        private static string RepositoryRoot()
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Sidecar.Generators.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("repository root not found");
        }
    }
}
