# Sourced by fuzz/ci.sh, fuzz/canaries.sh and .clusterfuzzlite/build.sh: sets FUZZ to the
# cargo-fuzz command line for this machine and HOST to the target triple, installing
# cargo-fuzz when it is missing.
#
# cargo-fuzz needs nightly flags (-Zsanitizer, sanitizer coverage). A toolchain named
# `nightly` is used when rustup has one; otherwise the default toolchain runs with
# RUSTC_BOOTSTRAP=1, which unlocks the same flags on stable.

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "cargo-fuzz not found: installing it (cargo install cargo-fuzz --locked)" >&2
    cargo install cargo-fuzz --locked
fi

if cargo --version 2>/dev/null | grep -q -- '-nightly'; then
    FUZZ=(cargo fuzz)
elif command -v rustup >/dev/null 2>&1 && rustup toolchain list | grep -q '^nightly'; then
    FUZZ=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    FUZZ=(cargo fuzz)
fi

HOST=$(rustc -vV | sed -n 's/^host: //p')

# run_fuzz_target NAME EXE CORPUS ARTIFACTS SECONDS: runs one built target for SECONDS on the
# corpus folder CORPUS (inputs it finds are added there), crashing inputs into ARTIFACTS/,
# libFuzzer's output into ARTIFACTS.log; prints the run's totals. On a crash prints the
# report's tail and returns 1.
run_fuzz_target() {
    local name="$1" exe="$2" corpus="$3" artifacts="$4" seconds="$5" rc
    mkdir -p "$corpus" "$artifacts"
    set +e
    "$exe" "$corpus" -max_total_time="$seconds" -timeout=10 -artifact_prefix="$artifacts/" \
        -print_final_stats=1 >"$artifacts.log" 2>&1
    rc=$?
    set -e
    grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec)' "$artifacts.log" || true
    if [ "$rc" -ne 0 ]; then
        echo "fuzz: $name CRASHED (exit $rc); the input is in $artifacts/:" >&2
        grep -v '^INFO:\|^#[0-9]' "$artifacts.log" | tail -40 >&2
        return 1
    fi
}
