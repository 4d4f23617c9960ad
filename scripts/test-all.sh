#!/usr/bin/env bash
# Runs Quire's whole test suite: formatting, lints, every Rust test (unit, property,
# integration) and the Solidity tests. Needs only Rust and Node.js: the L1 toolchain
# (forge, anvil, solc-js) is installed from the npm registry as pinned in
# contracts/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-l1-toolchain.sh

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> cargo test"
cargo test --workspace --locked

echo "==> forge build && forge test, solc wrapper tests"
(
  cd contracts
  npx --no-install forge build
  npx --no-install forge test
  node --test test/js/
  # The generated Poseidon contract must match the constants Rust exports. The check is a
  # Python script; it is skipped, with a notice, where no python3 is installed.
  if command -v python3 >/dev/null; then
    python3 script/gen_poseidon.py --check test/fixtures/l1_vectors.json src/lib/Poseidon.sol
  else
    echo "notice: python3 not found, skipping the Poseidon.sol staleness check"
  fi
)
