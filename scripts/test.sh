#!/usr/bin/env bash
# Runs every test of the project, after installing what the machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh

# Build output lives outside the work tree, so a fresh clone reuses a warm cache.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/restaking/target}"

echo "== format"
cargo fmt --all -- --check

echo "== pallet-restaking: tests against the real pallet-staking"
SKIP_WASM_BUILD=1 cargo test --locked -p pallet-restaking

echo "== pallet-restaking: clippy"
SKIP_WASM_BUILD=1 cargo clippy --locked -p pallet-restaking -p pallet-restaking-runtime-api --all-targets -- -D warnings

echo "all tests passed"
