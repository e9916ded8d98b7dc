#!/usr/bin/env bash
# Runs every test of the project, after installing what the machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
source scripts/env.sh

echo "== format"
cargo fmt --all -- --check

echo "== Rust tests: pallet (real pallet-staking, benchmarks), runtime (WASM built), node CLI"
# Clippy lints every crate of ours, every target the tests build, with `-D warnings`, as it
# compiles them (RUSTC_WORKSPACE_WRAPPER, see scripts/env.sh): a lint fails this step.
cargo test --locked "${RESTAKING_PACKAGES[@]}" "${RESTAKING_FEATURES[@]}"

echo "== packages: the publishable crates as crates.io gets them, and a runtime built on them outside the workspace"
./scripts/check-package.sh

echo "== end-to-end: the node driven by @polkadot/api"
# A wall-clock bound, so that a stuck run fails instead of hanging: a healthy run takes about
# 7 minutes on a 2-core machine (four test files at a time, see e2e/README.md); each test file
# is bounded by 20 minutes itself (e2e/package.json).
# On timeout, `timeout` sends SIGTERM to the whole process group (the harness then stops every
# node it started) and SIGKILL 30 s later.
E2E_TIMEOUT="${E2E_TIMEOUT:-40m}"
(
	cd e2e
	timeout --kill-after=30s 10m npm ci --no-audit --no-fund
	status=0
	timeout --kill-after=30s "$E2E_TIMEOUT" npm test || status=$?
	if [ "$status" -eq 124 ]; then
		echo "error: the end-to-end tests did not finish within $E2E_TIMEOUT (set E2E_TIMEOUT to change) and were stopped; node logs are in e2e/logs/" >&2
	elif [ "$status" -eq 137 ]; then
		echo "error: the end-to-end tests were killed (SIGKILL): past $E2E_TIMEOUT and not stopped 30 s after SIGTERM, or killed by the system; node logs are in e2e/logs/" >&2
	fi
	exit "$status"
)

echo "all tests passed"
