#!/usr/bin/env bash
# Builds and starts a local dev chain with restaking, for polkadot-js at ws://127.0.0.1:9944.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/restaking/target}"
if [ ! -d node ]; then
	echo "run-dev-chain: the node (issue #5) is not in this tree yet; nothing to start." >&2
	exit 1
fi
cargo build --locked --release -p restaking-node
exec "$CARGO_TARGET_DIR/release/restaking-node" --dev --rpc-cors all "$@"
