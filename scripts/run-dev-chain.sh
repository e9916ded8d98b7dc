#!/usr/bin/env bash
# Builds and starts a local dev chain with restaking, for polkadot-js at ws://127.0.0.1:9944.
#
# The node is built exactly as the test command builds it (see scripts/env.sh: the
# `fast-runtime` timing, an era a minute), so after `./scripts/test.sh` it starts at once.
# Extra arguments go to the node, e.g. `./scripts/run-dev-chain.sh --rpc-port 9955`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source scripts/env.sh

cargo test --locked --no-run "${RESTAKING_PACKAGES[@]}" "${RESTAKING_FEATURES[@]}"

echo "Starting the dev chain: polkadot-js apps -> ws://127.0.0.1:9944 (Ctrl-C stops it)"
exec "$RESTAKING_NODE" --dev --rpc-cors all "$@"
