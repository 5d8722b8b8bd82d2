#!/usr/bin/env bash
# Native AOT links with clang and needs zlib's headers: install Debian's packages when they are missing. Idempotent: does
# nothing when `clang` and zlib.h are there already.
set -euo pipefail

if command -v clang >/dev/null 2>&1 && [[ -f /usr/include/zlib.h ]]; then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq clang zlib1g-dev >/dev/null
command -v clang >/dev/null
