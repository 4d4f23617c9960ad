#!/usr/bin/env bash
# Installs the L1 toolchain pinned in contracts/package-lock.json (npm ci), unless the
# installed node_modules already match the lockfile. Idempotent and offline-safe: npm only
# talks to the npm registry, and forge never downloads a compiler (see contracts/README.md).
set -euo pipefail
cd "$(dirname "$0")/../contracts"

stamp=node_modules/.quire-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "==> npm ci (contracts/)"
npm ci --no-audit --no-fund
echo "$want" > "$stamp"
