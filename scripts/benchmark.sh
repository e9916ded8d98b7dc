#!/usr/bin/env bash
# Runs the benchmarks of pallet_restaking, and of the pallet-staking, pallet-balances and
# pallet-nomination-pools calls it is compared with, in one run of a release
# `restaking-node benchmark pallet` on this machine; writes pallets/restaking/src/weights.rs and
# docs/performance.md from that run.
#
#   STEPS=20 REPEAT=5 ./scripts/benchmark.sh
#
# The release build is separate from the tests' debug build (about an hour cold on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source scripts/env.sh

STEPS="${STEPS:-5}"
REPEAT="${REPEAT:-2}"
OUT="${BENCH_OUT:-$CARGO_TARGET_DIR/bench}"
mkdir -p "$OUT"

# The tests' feature set, so the throughput run's dev chain has the same timing as the e2e tests.
cargo build --locked --release "${RESTAKING_PACKAGES[@]}" "${RESTAKING_FEATURES[@]}"
RESTAKING_NODE="$CARGO_TARGET_DIR/release/restaking-node"
export RESTAKING_NODE

bench() {
	local pallet="$1" extrinsics="$2"
	shift 2
	"$RESTAKING_NODE" benchmark pallet --chain dev --wasm-execution compiled \
		--pallet "$pallet" --extrinsic "$extrinsics" --steps "$STEPS" --repeat "$REPEAT" \
		--json-file "$OUT/$pallet.json" "$@"
}

bench pallet_restaking '*' \
	--template scripts/frame-weight-template.hbs --header scripts/weights-header.txt \
	--output pallets/restaking/src/weights.rs
# `do_slash` is one of pallet-staking's "extra" benchmarks: a nominator's slash, to compare a page's.
# `bond_extra` and `unbond`: what a nomination pool's `join` and `unbond` do in staking.
bench pallet_staking 'bond,nominate,do_slash,bond_extra,unbond' --extra
# Nomination pools' `join` and `unbond`, the target of the pools' `join` and `redeem`.
bench pallet_nomination_pools 'join,unbond'
bench pallet_balances 'transfer_keep_alive'
rustfmt --edition 2021 pallets/restaking/src/weights.rs 2>/dev/null || true

# Throughput on the dev node, the same binary: transfers, then restaking extrinsics.
(cd e2e && npm ci --no-audit --no-fund >/dev/null && node bench/throughput.js) > "$OUT/throughput.json"

python3 scripts/performance_report.py "$OUT" "STEPS=$STEPS REPEAT=$REPEAT ./scripts/benchmark.sh" \
	> docs/performance.md
echo "wrote pallets/restaking/src/weights.rs and docs/performance.md"
