#!/usr/bin/env bash
# Builds and starts a local dev chain with restaking, for polkadot-js at ws://127.0.0.1:9944.
#
# The node is built exactly as the test command builds it (same packages, same features: the
# `fast-runtime` timing, an era a minute), so after `./scripts/test.sh` it starts at once.
# Extra arguments go to the node, e.g. `./scripts/run-dev-chain.sh --rpc-port 9955`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/restaking/target}"
# The WASM builder must find this workspace (and its Cargo.lock) from the outside target dir.
export WASM_BUILD_WORKSPACE_HINT="$PWD"

cargo test --locked --no-run \
	-p pallet-restaking -p pallet-restaking-runtime-api -p restaking-runtime -p restaking-node \
	--features restaking-node/fast-runtime

echo "Starting the dev chain: polkadot-js apps -> ws://127.0.0.1:9944 (Ctrl-C stops it)"
exec "$CARGO_TARGET_DIR/debug/restaking-node" --dev --rpc-cors all "$@"
