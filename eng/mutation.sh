#!/usr/bin/env bash
# Mutation testing of the runtime's decision code (circuit breaker, bulkhead, retry budget, backoff, retry decision,
# sliding windows, monotonic clock) with Stryker.NET, against tests/Sidecar.Runtime.Tests. Too slow for CI; run it
# before changing those files. The report lands in artifacts/mutation/; the score is written down in docs/reliability.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dotnet tool restore >/dev/null
cd src/Attributes
dotnet dotnet-stryker --config-file "$root/eng/stryker-config.json" --output "$root/artifacts/mutation" "$@"
