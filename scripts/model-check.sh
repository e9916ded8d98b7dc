#!/usr/bin/env bash
# The long run of the model-based harness (pallets/restaking/src/tests/model_check.rs):
# random operation sequences on the mock runtime and on the reference model, compared after
# every step. CI runs 2,000 committed sequences inside ./scripts/test.sh; this runs more.
#
#   ./scripts/model-check.sh                      # 100,000 sequences from a clock seed
#   MODEL_MINUTES=30 ./scripts/model-check.sh     # as many as fit in 30 minutes
#   MODEL_SEED=1592590337 MODEL_CASES=100 ./scripts/model-check.sh  # replay one printed batch
#
# Prints each batch's seed and the running count; a failure prints the shrunk sequence.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
source scripts/env.sh
export MODEL_CASES="${MODEL_CASES:-100000}"
# The tests' packages and features, so that nothing is rebuilt for this run.
cargo test --locked "${RESTAKING_PACKAGES[@]}" "${RESTAKING_FEATURES[@]}" --lib \
	-- tests::model_check::model_long_run --ignored --nocapture --exact
