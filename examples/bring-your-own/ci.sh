#!/usr/bin/env bash
# CI-sized runs of the example's commands (README.md here): segfit's fuzz target for
# FUZZ_SECONDS (default 30), the report with segfit beside the pool and the peers at
# --quick size over the built-in recorded traces only (the whole --quick suite is the main
# job's CI step; this one shows the registration works, in about a minute), and segfit's
# deterministic gate of HEAD against itself, every row identical (needs valgrind; installs
# the pinned gungraun-runner when GUNGRAUN_RUNNER is unset and none is on PATH).
# `cargo test -p bring-your-own -p segfit-gate` (the workspace's tests) covers the rest.
#
# The fuzz build writes into fuzz/target/, the workbench's own fuzz build folder: the
# dependencies fuzz/ci.sh already built there are reused, so after it this builds little
# more than segfit and its target.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
# shellcheck source=../../fuzz/cargo-fuzz.sh
source "$root/fuzz/cargo-fuzz.sh"

seconds=${FUZZ_SECONDS:-30}
target_dir="$root/fuzz/target"
start=$SECONDS
(cd fuzz && "${FUZZ[@]}" build -s none --no-trace-compares --target-dir "$target_dir" segfit)
echo "bring-your-own: segfit's fuzz target built in $((SECONDS - start)) s"
run_fuzz_target segfit "$target_dir/$HOST/release/segfit" fuzz/corpus/segfit fuzz/artifacts/segfit "$seconds"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$root" && cargo run --release -p bring-your-own --example report -- --quick \
    --no-synthetic --no-builtin --traces "$root/workloads/traces" --out "$out")
grep -q segfit "$out/results.csv" || { echo "bring-your-own: segfit is not in results.csv" >&2; exit 1; }
echo "bring-your-own: fuzzed ${seconds}s without a crash; the report has segfit ($((SECONDS - start)) s)"

gate_start=$SECONDS
"$root/benches/compare.sh" --deterministic --package segfit-gate --identical HEAD HEAD
echo "bring-your-own: segfit's deterministic gate, HEAD against itself: every row the same ($((SECONDS - gate_start)) s)"
