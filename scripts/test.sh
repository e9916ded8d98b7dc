#!/usr/bin/env bash
# Runs every test of the project, after installing what the machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
source scripts/env.sh

echo "== format"
cargo fmt --all -- --check

echo "== Rust tests: pallet (real pallet-staking, benchmarks), runtime (WASM built), node CLI"
cargo test --locked "${RESTAKING_PACKAGES[@]}" "${RESTAKING_FEATURES[@]}"

echo "== clippy (every crate of ours, all targets, the tests' features)"
cargo clippy --locked "${RESTAKING_PACKAGES[@]}" "${RESTAKING_FEATURES[@]}" --all-targets -- -D warnings

echo "== end-to-end: the node driven by @polkadot/api"
(
	cd e2e
	npm ci --no-audit --no-fund
	npm test
)

echo "all tests passed"
