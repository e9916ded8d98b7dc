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

# RPC listens on loopback only. `--dev` alone would allow every browser origin (`--rpc-cors all`)
# and turn off the RPC server's Host-header check; the list below allows polkadot-js apps at
# https://polkadot.js.org and the dashboard (./scripts/dashboard.sh) at http://127.0.0.1:8080,
# and keeps the check on. Pass your own `--rpc-cors` to change it (see README.md, "What the dev
# chain exposes").
cors=(--rpc-cors "https://polkadot.js.org,http://127.0.0.1:8080,http://localhost:8080")
for arg in "$@"; do
	case "$arg" in
	--rpc-cors | --rpc-cors=*) cors=() ;;
	esac
done

echo "Starting the dev chain: polkadot-js apps -> ws://127.0.0.1:9944 (Ctrl-C stops it)"
echo "Dashboard: run ./scripts/dashboard.sh in another terminal, then open http://127.0.0.1:8080/"
exec "$RESTAKING_NODE" --dev "${cors[@]}" "$@"
