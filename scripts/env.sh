# Shared by the scripts: where builds go and the one feature set every build uses.
# shellcheck shell=bash

# Build output lives outside the work tree, so a fresh clone reuses a warm cache.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/restaking/target}"
# The WASM builder must find this workspace (and its Cargo.lock) from the outside target dir.
export WASM_BUILD_WORKSPACE_HINT="$PWD"
# frame-benchmarking-cli's storage test runtime is not in this workspace; `benchmark storage`
# is not supported, so its WASM is not needed.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1

# One cargo invocation, one feature set, so the dependencies build once: the pallet tests (with
# the benchmark test suite), the runtime tests (WASM built, try-runtime's hooks and upgrade path
# compiled in), and the node with the `fast-runtime` timing (an era a minute), the `benchmark`
# subcommand, the metadata hash in the WASM (`CheckMetadataHash`, for hardware wallets) and the
# runtime's `try-runtime` feature (the `TryRuntime` API, every pallet's try-runtime hooks). Clippy
# and the package check use the same set, so one check build of the dependencies serves both.
RESTAKING_PACKAGES=(-p pallet-restaking -p pallet-restaking-runtime-api -p restaking-runtime -p restaking-node)
RESTAKING_FEATURES=(--features pallet-restaking/staking-async,restaking-node/fast-runtime,restaking-node/runtime-benchmarks,restaking-node/metadata-hash,restaking-node/try-runtime)
RESTAKING_NODE="$CARGO_TARGET_DIR/debug/restaking-node"

# Clippy lints our crates while they build, instead of in a separate `cargo clippy` (which would
# type-check every dependency once more: 10-15 minutes of a cold 2-core CI). This is what
# `cargo clippy` itself does, with `check` instead of a build: clippy-driver is rustc with the
# lints added, run only for this workspace's crates, and `-D warnings` makes a warning, clippy's
# or rustc's, fail the build. Every script builds with it, so they all share one build; a plain
# `cargo build` works too, but rebuilds our crates (not the dependencies) once.
export RUSTC_WORKSPACE_WRAPPER=clippy-driver
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
export RESTAKING_NODE
