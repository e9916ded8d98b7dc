#!/usr/bin/env bash
# Runs every test of the project, after installing what the machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh

# Build output lives outside the work tree, so a fresh clone reuses a warm cache.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/restaking/target}"
# The WASM builder must find this workspace (and its Cargo.lock) from the outside target dir.
export WASM_BUILD_WORKSPACE_HINT="$PWD"

echo "== format"
cargo fmt --all -- --check

# One cargo invocation, one feature set: the dependencies build once. The node and its WASM
# runtime are built with `fast-runtime` (an era a minute), which the end-to-end tests need.
echo "== Rust tests: pallet (real pallet-staking), runtime (WASM built), node CLI"
cargo test --locked \
	-p pallet-restaking -p pallet-restaking-runtime-api -p restaking-runtime -p restaking-node \
	--features restaking-node/fast-runtime

echo "== clippy (our pallet crates)"
SKIP_WASM_BUILD=1 cargo clippy --locked -p pallet-restaking -p pallet-restaking-runtime-api \
	--all-targets -- -D warnings

echo "== end-to-end: the node driven by @polkadot/api"
if [ -d e2e ]; then
	(
		cd e2e
		npm ci --no-audit --no-fund
		RESTAKING_NODE="$CARGO_TARGET_DIR/debug/restaking-node" npm test
	)
fi

echo "all tests passed"
