#!/usr/bin/env bash
# Packs Sidecar.Generators, then builds and runs a throw-away console app that takes the package from
# artifacts/ the way a user would: the generator must write FlakySidecar, and FlakySidecar must really retry.
# Prints PASS or FAIL; exits non-zero on failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/sidecar-package-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
trap 'echo "FAIL: package check stopped at line $LINENO: $BASH_COMMAND" >&2' ERR

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== pack"
# Zip entry times from the last commit instead of the clock: the same sources give a byte-identical package.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || true)}"
export SOURCE_DATE_EPOCH
(cd "$root" && dotnet pack -c Release)
version="$(cd "$root" && dotnet msbuild src/Attributes/Sidecar.csproj -getProperty:Version)"
package="$root/artifacts/Sidecar.Generators.$version.nupkg"
if [[ ! -f "$package" ]]; then
  echo "FAIL: $package was not produced" >&2
  exit 1
fi
# The generator and its code fixes both belong under analyzers/: the compiler runs the one, the IDE offers the other.
entries="$(unzip -Z1 "$package")"
for dll in Sidecar.Generators.dll Sidecar.Generators.CodeFixes.dll; do
  if ! grep -qx "analyzers/dotnet/cs/$dll" <<< "$entries"; then
    echo "FAIL: $package has no analyzers/dotnet/cs/$dll" >&2
    exit 1
  fi
done

# Built the same wherever the checkout is: no assembly or PDB in the package names this machine's directory.
mkdir -p "$work/unpacked"
unzip -q "$package" -d "$work/unpacked"
if grep -rlF "$root" "$work/unpacked" >/dev/null; then
  echo "FAIL: the package embeds the checkout path $root in: $(grep -rlF "$root" "$work/unpacked" | tr '\n' ' ')" >&2
  exit 1
fi

echo "== consumer project in $work"
app="$work/app"
mkdir -p "$app"
# Stop MSBuild from walking up into unrelated props files, and NuGet from reusing an installed copy.
echo '<Project />' > "$work/Directory.Build.props"
echo '<Project />' > "$work/Directory.Build.targets"
echo '<Project />' > "$work/Directory.Packages.props"
export NUGET_PACKAGES="$work/packages"

cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$root/artifacts" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML

cat > "$app/PackageCheck.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Sidecar.Generators" Version="$version" />
    <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.0" />
  </ItemGroup>
</Project>
XML

cat > "$app/Program.cs" <<'CS'
using System;
using Microsoft.Extensions.DependencyInjection;
using Sidecar;

namespace PackageCheck
{
    [Sidecar(Retries = 2, Delay = 0)]
    public interface IFlaky
    {
        int Get();
    }

    public sealed class Flaky : IFlaky
    {
        public int Calls { get; private set; }

        public int Get()
        {
            Calls++;
            if (Calls <= 2)
            {
                throw new InvalidOperationException("failure " + Calls);
            }

            return 42;
        }
    }

    public static class Program
    {
        public static int Main()
        {
            var inner = new Flaky();
            IFlaky flaky = new FlakySidecar(inner);
            int value = flaky.Get();
            Console.WriteLine("value=" + value + " calls=" + inner.Calls);

            // The same through dependency injection: the generated AddFlakySidecar() decorates the registration.
            var services = new ServiceCollection();
            var viaContainer = new Flaky();
            services.AddSingleton<IFlaky>(viaContainer).AddFlakySidecar();
            using ServiceProvider provider = services.BuildServiceProvider();
            IFlaky resolved = provider.GetRequiredService<IFlaky>();
            int again = resolved.Get();
            Console.WriteLine("di=" + resolved.GetType().Name + " value=" + again + " calls=" + viaContainer.Calls);

            return value == 42 && inner.Calls == 3 && again == 42 && viaContainer.Calls == 3 && resolved is FlakySidecar ? 0 : 1;
        }
    }
}
CS

echo "== build and run the consumer"
dotnet build "$app/PackageCheck.csproj" -c Release -nologo
code=0
output="$(dotnet "$app/bin/Release/net10.0/PackageCheck.dll" 2>&1)" || code=$?
echo "$output"

problems=()
[[ $code -eq 0 ]] || problems+=("the consumer exited with $code")
[[ "$output" == *"value=42 calls=3"* ]] || problems+=("expected 'value=42 calls=3' (two failures retried, third attempt answers)")
[[ "$output" == *"di=FlakySidecar value=42 calls=3"* ]] || problems+=("expected the container to hand out FlakySidecar, which retried")
[[ -f "$app/bin/Release/net10.0/Sidecar.dll" ]] || problems+=("Sidecar.dll was not copied next to the app")
[[ ! -e "$app/bin/Release/net10.0/Sidecar.Generators.dll" ]] || problems+=("the generator was copied to the output as a runtime dependency")
if grep -q '"Microsoft.CodeAnalysis' "$app/obj/project.assets.json"; then
  problems+=("Microsoft.CodeAnalysis flowed to the consumer as a dependency")
fi

if (( ${#problems[@]} > 0 )); then
  for p in "${problems[@]}"; do echo "FAIL: $p" >&2; done
  exit 1
fi
echo "PASS: Sidecar.Generators $version from artifacts/ generated FlakySidecar, which retried twice and answered"
