#!/usr/bin/env bash
# Shows that the fuzz targets have teeth: for each bug canary (fuzz/canaries/<name>.patch, one
# allocator bug per patch, its first line saying which) applies the patch to a scratch copy of
# the work tree, builds the fuzz targets there, runs the targets in turn on a fresh copy of
# their seed corpus until the first crash, and prints a table canary -> target -> seconds to
# detection. Exits non-zero if a patch no longer applies (naming it) or any canary survives.
# The product's code never holds a canary: they exist only as these patches.
#
# Usage: fuzz/canaries.sh [--all] [canary ...]
#   --all        run every target on every canary (a full matrix) instead of stopping at the
#                first target that catches it
#   canary ...   only these canaries, by name (the patch's file name without .patch;
#                default: every patch in fuzz/canaries/)
# Environment: LIMIT (seconds per target and canary, default 120), SEED (libFuzzer -seed,
# default 1), TARGETS (order tried, default "ops model attach"), SEEDS (1: start from the
# committed seed corpus, as CI does; 0: from an empty corpus), BUILD_FLAGS (`cargo fuzz
# build` flags after `-s none`, default --no-trace-compares as in ci.sh; set it to " " for
# libFuzzer's comparison tracing), OUT (table file, default fuzz/target/canaries.md).
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir=$(pwd)
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
        -*) echo "unknown option: $arg" >&2; exit 2 ;;
        *) CANARIES+=("$(basename "$arg" .patch)") ;;
    esac
done
if [ ${#CANARIES[@]} -eq 0 ]; then
    mapfile -t CANARIES < <(cd canaries && ls -- *.patch | sed 's/\.patch$//')
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=scratch-tree.sh
source ./scratch-tree.sh
tree="$work/tree"
scratch_tree "$tree"

# Every patch must still apply to the code as it is: a canary that no longer applies is a
# canary that silently stopped testing anything.
stale=0
for canary in "${CANARIES[@]}"; do
    patch="$fuzz_dir/canaries/$canary.patch"
    if [ ! -f "$patch" ]; then
        echo "canaries: no patch $patch" >&2
        stale=1
    elif ! (cd "$tree" && git apply --check "$patch" 2>"$work/apply.log"); then
        echo "canaries: fuzz/canaries/$canary.patch no longer applies to core/src:" >&2
        cat "$work/apply.log" >&2
        stale=1
    fi
done
[ $stale -eq 0 ] || exit 1

mkdir -p "$(dirname "$OUT")"
rows=()
survivors=0
for canary in "${CANARIES[@]}"; do
    patch="$fuzz_dir/canaries/$canary.patch"
    echo "== $canary ($(head -1 "$patch")): applying and building" >&2
    (cd "$tree" && git apply "$patch")
    # One target dir for every canary (outside the scratch copy, kept between runs): each
    # build recompiles only core and what depends on it.
    # shellcheck disable=SC2086
    (cd "$tree/fuzz" && "${FUZZ[@]}" build -s none ${BUILD_FLAGS:---no-trace-compares} \
        --target-dir "$fuzz_dir/target/canary") >&2
    (cd "$tree" && git apply -R "$patch")
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
