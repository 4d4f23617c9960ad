#!/usr/bin/env bash
# Regenerates the ABI copies in l1/abi/ from a fresh forge build of contracts/ (the bindings
# are generated from these copies by abigen!). Run after changing a contract, then commit.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-l1-toolchain.sh
QUIRE_L1_UPDATE_ABI=1 cargo test -p quire-l1 --test it abi_fresh -- committed_abi_copies_match_a_fresh_forge_build
git status --short l1/abi/
