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
    echo "fuzz: running $t for ${SECONDS_PER_TARGET}s"
    run_fuzz_target "$t" "target/$HOST/release/$t" "corpus/$t" "artifacts/$t" "$SECONDS_PER_TARGET"
done
echo "fuzz: ${#targets[@]} targets, no crash"
