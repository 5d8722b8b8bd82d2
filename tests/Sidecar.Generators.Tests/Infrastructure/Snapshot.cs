using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace Sidecar.Generators.Tests.Infrastructure
{
    /// <summary>
    /// Verify-style snapshots, by hand (Verify is not in this project's package feed): the accepted text lives in
    /// <c>Snapshots/Name.verified.cs</c>; on a mismatch <c>Name.received.cs</c> is written beside it and the test fails
    /// with a line diff. Set SIDECAR_ACCEPT_SNAPSHOTS=1 to accept the received text.
    /// </summary>
    internal static class Snapshot
    {
        public static void Verify(string actual, string name, [CallerFilePath] string callerFile = "")
        {
            string folder = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
            string verifiedPath = Path.Combine(folder, name + ".verified.cs");
            string receivedPath = Path.Combine(folder, name + ".received.cs");
            // Scrubbed, as Verify does: a new version of the generator is not a change of what it writes.
            actual = actual.Replace("\r\n", "\n").Replace(
                "GeneratedCode(\"Sidecar.Generators\", \"" + Sidecar.Generators.Emitting.SidecarEmitter.GeneratorVersion + "\")",
                "GeneratedCode(\"Sidecar.Generators\", \"{version}\")");

            string? verified = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath).Replace("\r\n", "\n") : null;
            if (verified == actual)
            {
                if (File.Exists(receivedPath))
                {
                    File.Delete(receivedPath);
                }

                return;
            }

            if (Environment.GetEnvironmentVariable("SIDECAR_ACCEPT_SNAPSHOTS") == "1")
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(verifiedPath, actual);
                return;
            }

            Directory.CreateDirectory(folder);
            File.WriteAllText(receivedPath, actual);
            throw new XunitException(verified is null
                ? $"No snapshot yet: {verifiedPath}. The output was written to {receivedPath}; review it and rename it to accept."
                : $"Snapshot {name} differs (received: {receivedPath}):\n{Diff(verified, actual)}");
        }

        private static string Diff(string expected, string actual)
        {
            var text = new StringBuilder();
            DiffPaneModel diff = new InlineDiffBuilder(new DiffPlex.Differ()).BuildDiffModel(expected, actual);
            int shown = 0;
            foreach (DiffPiece line in diff.Lines)
            {
                if (line.Type == ChangeType.Unchanged || shown++ > 60)
                {
                    continue;
                }

                text.Append(line.Type == ChangeType.Inserted ? "+ " : "- ").AppendLine(line.Text);
            }

            return text.ToString();
        }
    }
}
