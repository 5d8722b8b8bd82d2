#!/usr/bin/env bash
# Compile time of a command-line build with the Sidecar generator and analyzer: a project of 1,000 [Sidecar] interfaces
# with ten members each (the same shapes as benchmarks/.../CompileTime/SyntheticProject.cs) and the classes that
# implement them, built with -p:ReportAnalyzer=true. Prints the Csc task's time and what the compiler reports for the
# Sidecar generator and analyzer. Usage: eng/compile-time.sh [services]   (not run by CI: it takes a few minutes)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
count="${1:-1000}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/Services"
cat > "$dir/Synthetic.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$root/src/Attributes/Sidecar.csproj" />
    <ProjectReference Include="$root/src/Generator/Sidecar.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
  </ItemGroup>
</Project>
PROJ
printf 'namespace Synthetic { public sealed record Item(int Id, string Name, decimal Price); }\n' > "$dir/Shared.cs"
for ((i = 0; i < count; i++)); do
  cat > "$dir/Services/Service$i.cs" <<CS
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Sidecar;

namespace Synthetic.Area$((i / 100))
{
    [Sidecar(Retries = 3, Delay = 50, Backoff = Backoff.Exponential, FailureThreshold = 5, BreakDuration = 5000)]
    public interface IService$i
    {
        int Count(string? filter);
        Item Get(int id);
        void Touch(int id);
        bool TryFind(string key, out Item? item);
        IReadOnlyList<Item> List(int page, int size);
        Task<Item?> FindAsync(string key, CancellationToken cancellationToken = default);
        Task<int> CountAsync(CancellationToken cancellationToken = default);
        Task SaveAsync(Item item, CancellationToken cancellationToken = default);
        ValueTask<int> SizeAsync(int id);
        ValueTask PingAsync();
    }

    public sealed class Service$i : IService$i
    {
        public int Count(string? filter) => 0;
        public Item Get(int id) => new(id, "", 0m);
        public void Touch(int id) { }
        public bool TryFind(string key, out Item? item) { item = null; return false; }
        public IReadOnlyList<Item> List(int page, int size) => new List<Item>();
        public Task<Item?> FindAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult<Item?>(null);
        public Task<int> CountAsync(CancellationToken cancellationToken = default) => Task.FromResult(0);
        public Task SaveAsync(Item item, CancellationToken cancellationToken = default) => Task.CompletedTask;
        public ValueTask<int> SizeAsync(int id) => new(0);
        public ValueTask PingAsync() => default;
    }
}
CS
done
cd "$dir"
dotnet restore -v:q >/dev/null
dotnet build -c Release --no-restore -p:ReportAnalyzer=true -v:detailed -clp:PerformanceSummary > build.log
grep -E "Total (analyzer|generator) execution time|Sidecar\.Generators\.(SidecarGenerator|Diagnostics\.SidecarAnalyzer)|^ +[0-9]+ ms +Csc " build.log | sed 's/^ *//' | sort -u
