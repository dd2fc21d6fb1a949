#!/usr/bin/env bash
# Shows that the fuzz targets have teeth: builds the fuzz targets once per bug canary (a core
# feature `canary-*` that re-introduces one allocator bug, see core/Cargo.toml), runs the
# targets in turn on a fresh copy of their seed corpus until the first crash, and prints a
# table canary -> target -> seconds to detection. Exits non-zero if any canary survives.
#
# Usage: fuzz/canaries.sh [--all] [canary ...]
#   --all        run every target on every canary (a full matrix) instead of stopping at the
#                first target that catches it
#   canary ...   only these canaries (default: all of them)
# Environment: LIMIT (seconds per target and canary, default 120), SEED (libFuzzer -seed,
# default 1), TARGETS (order tried, default "ops model attach"), SEEDS (1: start from the
# committed seed corpus, as CI does; 0: from an empty corpus), BUILD_FLAGS (`cargo fuzz
# build` flags after `-s none`, default --no-trace-compares as in ci.sh; set it to " " for
# libFuzzer's comparison tracing), OUT (table file, default fuzz/target/canaries.md).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=cargo-fuzz.sh
source ./cargo-fuzz.sh

LIMIT=${LIMIT:-120}
SEED=${SEED:-1}
SEEDS=${SEEDS:-1}
read -r -a TARGETS <<<"${TARGETS:-ops model attach}"
OUT=${OUT:-target/canaries.md}
ALL=0
CANARIES=()
for arg in "$@"; do
    case $arg in
        --all) ALL=1 ;;
        canary-*) CANARIES+=("$arg") ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done
if [ ${#CANARIES[@]} -eq 0 ]; then
    # Every canary-* feature of core/Cargo.toml.
    mapfile -t CANARIES < <(sed -n 's/^\(canary-[a-z0-9-]*\) *=.*/\1/p' ../core/Cargo.toml)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$OUT")"
rows=()
survivors=0
for canary in "${CANARIES[@]}"; do
    echo "== $canary: building" >&2
    # shellcheck disable=SC2086
    "${FUZZ[@]}" build -s none ${BUILD_FLAGS:---no-trace-compares} --features "$canary" \
        --target-dir target/canary >&2
    caught=0
    for t in "${TARGETS[@]}"; do
        corpus="$work/$canary-$t"
        mkdir -p "$corpus"
        if [ "$SEEDS" = 1 ]; then
            cp corpus/"$t"/seed-* "$corpus"/
        fi
        log="$work/$canary-$t.log"
        echo "== $canary: running $t for up to ${LIMIT}s" >&2
        start=$(date +%s.%N)
        set +e
        "target/canary/$HOST/release/$t" "$corpus" -max_total_time="$LIMIT" -seed="$SEED" \
            -timeout=10 -artifact_prefix="$work/$canary-$t-" >"$log" 2>&1
        rc=$?
        set -e
        end=$(date +%s.%N)
        secs=$(echo "$start $end" | awk '{printf "%.1f", $2 - $1}')
        if [ $rc -ne 0 ] && ls "$work/$canary-$t-"* >/dev/null 2>&1; then
            why=$(grep -m1 -A1 'panicked at' "$log" | tail -1 |
                sed -E 's/ on MemPool \{[^}]*\}//; s/^assertion `left == right` failed: //' |
                cut -c1-100 | tr '|' '/')
            rows+=("| \`$canary\` | \`$t\` | $secs | $why |")
            echo "== $canary: caught by $t after ${secs}s: $why" >&2
            caught=1
            [ $ALL -eq 1 ] || break
        elif [ $rc -ne 0 ]; then
            echo "== $canary: $t failed without a crash artifact (exit $rc):" >&2
            tail -20 "$log" >&2
            exit 1
        else
            rows+=("| \`$canary\` | \`$t\` | survived ${LIMIT} s | |")
        fi
    done
    if [ $caught -eq 0 ]; then
        survivors=$((survivors + 1))
    fi
done

{
    echo "| canary | target | seconds to detection | first failure |"
    echo "|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$OUT"
if [ $survivors -ne 0 ]; then
    echo "$survivors canary(ies) survived ${LIMIT} s on every target" >&2
    exit 1
fi
