#!/usr/bin/env bash
# CI smoke fuzzing: builds every fuzz target and runs each for FUZZ_SECONDS (default 60) from
# its committed seeds plus whatever corpus fuzz/corpus/<target>/ already holds. Any crash
# fails the script; the crashing input is left in fuzz/artifacts/<target>/.
#
# Installs cargo-fuzz when it is missing; uses `cargo +nightly fuzz` when a nightly toolchain
# exists, else `RUSTC_BOOTSTRAP=1 cargo fuzz` (see cargo-fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=cargo-fuzz.sh
source ./cargo-fuzz.sh

SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
echo "fuzz: ${FUZZ[*]} (host $HOST), ${SECONDS_PER_TARGET}s per target"
# -s none: every crate of the workspace is #![forbid(unsafe_code)], so AddressSanitizer would
# only slow the run; panics (including overflow checks, on in fuzz builds) are the crashes.
# --no-trace-compares: 1.5-3x the execs/s (fuzz/README.md); the inputs aim at the edges
# themselves. FUZZ_BUILD_FLAGS replaces both.
# shellcheck disable=SC2086
"${FUZZ[@]}" build ${FUZZ_BUILD_FLAGS:--s none --no-trace-compares}
mapfile -t targets < <("${FUZZ[@]}" list)
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    log="artifacts/$t.log"
    echo "fuzz: running $t for ${SECONDS_PER_TARGET}s"
    set +e
    "target/$HOST/release/$t" "corpus/$t" -max_total_time="$SECONDS_PER_TARGET" \
        -timeout=10 -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec)' "$log" || true
    if [ $rc -ne 0 ]; then
        echo "fuzz: $t CRASHED (exit $rc); the input is in fuzz/artifacts/$t/:" >&2
        grep -v '^INFO:\|^#[0-9]' "$log" | tail -40 >&2
        exit 1
    fi
done
echo "fuzz: ${#targets[@]} targets, no crash"
