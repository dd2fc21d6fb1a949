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
