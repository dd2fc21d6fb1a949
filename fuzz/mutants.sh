#!/usr/bin/env bash
# The mutation score of core's tests and fuzzers (fuzz/MUTANTS.md). Two kills:
#
# 1. fast, deterministic: cargo-mutants (pinned below, installed when missing) mutates
#    core/src (`-p mempool`, filtered by .cargo/mutants.toml) and runs, per mutant, the tests
#    of `mempool` and `fuzz-replay` (core's unit and integration tests, the JS conformance
#    test, the doctests, and the committed fuzz regressions and seed corpora replayed on
#    stable). A failing test or a timeout kills the mutant.
# 2. slow: every mutant the tests missed is applied to a scratch copy of the tree, the fuzz
#    targets are built there, and each target (ops, model, differential, attach, trace) runs on
#    a fresh copy of its seed corpus for up to FUZZ_SECONDS until the first crash.
#
# Usage: fuzz/mutants.sh [--sample N] [--seed S] [--file PATH] [--shard K/N] [--jobs J]
#                        [--out DIR] [--fuzz-seconds S] [--gate]
#        fuzz/mutants.sh --fuzz-from DIR [--out DIR] [--fuzz-seconds S]
#        fuzz/mutants.sh --summary DIR...
#   --sample N      only N mutants, chosen by the seed (the same N for the same seed and code)
#   --seed S        the sample's seed (default 1)
#   --file PATH     only the mutants of this file (e.g. core/src/fast.rs)
#   --shard K/N     cargo-mutants' shard K of N (K = 0..N-1, round-robin), for a CI matrix
#   --jobs J        cargo-mutants' parallel build dirs (default 1)
#   --out DIR       results (default fuzz/target/mutants/run); the cargo-mutants output is
#                   DIR/mutants.out, the slow kill's DIR/fuzz.tsv, the report DIR/summary.md
#   --fuzz-seconds S  seconds per fuzz target and survivor (default 60; 0 skips the slow kill)
#   --gate          CI mode: a survivor that fuzz/MUTANTS.md argues equivalent is not fuzzed
#                   again, and any other survivor fails the script
#   --fuzz-from DIR only the slow kill, for the survivors of an earlier run's DIR
#   --summary DIR...  one report over several runs' results (e.g. every shard of a full run)
# Environment: MEMPOOL_CONFORM_STREAMS (the conformance test's streams per mutant, default
# 2000 here instead of its 10,000: see fuzz/MUTANTS.md), FUZZ_TARGETS (order tried),
# MUTANTS_ARGS (more cargo-mutants arguments, e.g. `--copy-target true` to start each build
# dir from the work tree's target/ instead of an empty one).
# Exits non-zero if a step fails to run (not for survivors: the score is the result).
set -euo pipefail
caller=$(pwd)
cd "$(dirname "$0")"
fuzz_dir=$(pwd)
root=$(cd .. && pwd)

MUTANTS_VERSION=27.1.0
SAMPLE=0
SEED=1
FILE=
SHARD=
JOBS=1
OUT=
FUZZ_SECONDS=60
FUZZ_FROM=
SUMMARY=0
GATE=0
read -r -a TARGETS <<<"${FUZZ_TARGETS:-ops model differential attach trace}"
export MEMPOOL_CONFORM_STREAMS=${MEMPOOL_CONFORM_STREAMS:-2000}
while [ $# -gt 0 ]; do
    case $1 in
        --sample) SAMPLE=$2; shift ;;
        --seed) SEED=$2; shift ;;
        --file) FILE=$2; shift ;;
        --shard) SHARD=$2; shift ;;
        --jobs) JOBS=$2; shift ;;
        --out) OUT=$2; shift ;;
        --fuzz-seconds) FUZZ_SECONDS=$2; shift ;;
        --fuzz-from) FUZZ_FROM=$2; shift ;;
        --gate) GATE=1 ;;
        --summary) SUMMARY=1; shift; break ;;
        *) echo "mutants: unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
# Paths given are relative to where the script was started; the default is under fuzz/.
OUT=${OUT:-${FUZZ_FROM:-$fuzz_dir/target/mutants/run}}
(cd "$caller" && mkdir -p "$OUT")
OUT=$(cd "$caller" && cd "$OUT" && pwd)

# A mutant's name without its line and column ("core/src/x.rs: replace ..."): what
# fuzz/MUTANTS.md lists, so that the list survives edits elsewhere in the file.
key() { sed -E 's/^([^:]+):[0-9]+:[0-9]+: /\1: /'; }

# The mutants fuzz/MUTANTS.md argues equivalent: its list items "- `NAME` — equivalent: ...".
equivalents() {
    sed -nE 's/^- `(core\/src\/[^`]+)` — equivalent:.*/\1/p' "$fuzz_dir/MUTANTS.md" 2>/dev/null | key
}

need_jq() {
    if ! command -v jq >/dev/null 2>&1; then
        echo "mutants: jq not found: installing it (apt-get install jq)" >&2
        apt-get install -y -qq jq >&2 || { apt-get update -qq && apt-get install -y -qq jq; } >&2
    fi
}

# One line per mutant of the runs in "$@": status, name, file, line, diff file. Status is
# caught, timeout, missed or unviable (cargo-mutants), or, from a slow kill's fuzz.tsv,
# fuzzed (killed by a fuzz target).
outcomes() {
    local d
    for d in "$@"; do
        jq -r --arg d "$d/mutants.out" '.outcomes[] | select(.scenario != "Baseline")
            | [ { "CaughtMutant": "caught", "MissedMutant": "missed", "Timeout": "timeout",
                  "Unviable": "unviable" }[.summary] // .summary,
                .scenario.Mutant.name, .scenario.Mutant.file,
                (.scenario.Mutant.span.start.line | tostring), ($d + "/" + .diff_path) ]
            | @tsv' "$d/mutants.out/outcomes.json"
    done
}

# Every mutant of the runs in "$@" with its final state, one line each: state, name, file,
# line, diff file, fuzz target, seconds. State: caught, timeout, unviable, fuzzed (killed by a
# fuzz target), equivalent (missed, and argued equivalent in fuzz/MUTANTS.md), survivor
# (missed and fuzzed without a crash, not argued equivalent), untried (missed, not fuzzed).
final_states() {
    local d
    awk -F'\t' -v OFS='\t' '
        FILENAME == "-" { equiv[$0] = 1; next }
        FILENAME ~ /fuzz\.tsv$/ { res[$1] = $2; by[$1] = $3; secs[$1] = $4; next }
        {
            state = $1
            if (state == "missed") {
                k = $2
                sub(/:[0-9]+:[0-9]+: /, ": ", k)
                fuzzed = $2 in res
                if (fuzzed && res[$2] == "killed") state = "fuzzed"
                else if (k in equiv) state = "equivalent"
                else if (fuzzed) state = "survivor"
                else state = "untried"
            }
            print state, $2, $3, $4, $5, by[$2], secs[$2]
        }' - $(for d in "$@"; do [ ! -f "$d/fuzz.tsv" ] || echo "$d/fuzz.tsv"; done) \
        <(outcomes "$@" | sort -t$'\t' -k2,2 -u) < <(equivalents)
}

# The report over the runs in "$@" (each with mutants.out/ and maybe fuzz.tsv).
summary() {
    need_jq
    local states
    states=$(mktemp)
    final_states "$@" >"$states"
    count() { awk -F'\t' -v s="$1" '$1 == s' "$states" | wc -l; }
    local caught timeout unviable fuzzed equivalent survivor untried viable killed
    caught=$(count caught)
    timeout=$(count timeout)
    unviable=$(count unviable)
    fuzzed=$(count fuzzed)
    equivalent=$(count equivalent)
    survivor=$(count survivor)
    untried=$(count untried)
    viable=$((caught + timeout + fuzzed + equivalent + survivor + untried))
    killed=$((caught + timeout + fuzzed))
    pct() { awk -v k="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", 100 * k / n; else print "-" }'; }
    echo "# Mutation score"
    echo
    echo "cargo-mutants $MUTANTS_VERSION over core/src at $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet -- core || echo ' (with uncommitted changes to core)'); results: $*"
    echo
    echo "- mutants: $((viable + unviable)): $viable viable, $unviable unviable (they do not build)"
    echo "- killed by the tests: $((caught + timeout)) ($caught failing a test, $timeout by a timeout)"
    echo "- killed by fuzzing: $fuzzed"
    echo "- missed by both: $((equivalent + survivor)) ($equivalent argued equivalent in fuzz/MUTANTS.md, $survivor not)"
    [ "$untried" -eq 0 ] || echo "- missed by the tests, not fuzzed: $untried"
    echo "- score: **$killed of $viable viable mutants killed** ($(pct $killed $viable) %); without the $equivalent equivalent ones: $killed of $((viable - equivalent)) ($(pct $killed $((viable - equivalent))) %)"
    if [ "$fuzzed" -gt 0 ]; then
        echo "- time to kill by fuzzing: median $(awk -F'\t' '$1 == "fuzzed" { print $7 }' "$states" | sort -g |
            awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }') s, max $(awk -F'\t' '$1 == "fuzzed" { print $7 }' "$states" | sort -g | tail -1) s"
        echo
        echo "## Killed by fuzzing"
        echo
        echo "| mutant | target | seconds |"
        echo "|---|---|---|"
        awk -F'\t' '$1 == "fuzzed" { gsub(/\|/, "\\|", $2); printf "| `%s` | `%s` | %s |\n", $2, $6, $7 }' "$states"
    fi
    local state
    for state in survivor untried equivalent; do
        [ "$(count $state)" -gt 0 ] || continue
        echo
        case $state in
            survivor) echo "## Survivors (missed by the tests and by fuzzing; not argued equivalent)" ;;
            untried) echo "## Missed by the tests, not fuzzed" ;;
            equivalent) echo "## Missed, argued equivalent in fuzz/MUTANTS.md" ;;
        esac
        awk -F'\t' -v s=$state '$1 == s' "$states" | while IFS=$'\t' read -r _ name file line diff _; do
            echo
            echo "### \`$file:$line\`: ${name#*: }"
            echo
            echo '```diff'
            grep -E '^[-+]([^-+]|$)' "$diff" || true
            echo '```'
        done
    done
    rm -f "$states"
}

if [ $SUMMARY -eq 1 ]; then
    [ $# -gt 0 ] || { echo "mutants: --summary needs result dirs" >&2; exit 2; }
    dirs=()
    for d in "$@"; do dirs+=("$(cd "$caller" && cd "$d" && pwd)"); done
    summary "${dirs[@]}"
    exit 0
fi

need_jq
if ! cargo mutants --version 2>/dev/null | grep -qx "cargo-mutants $MUTANTS_VERSION"; then
    echo "mutants: installing cargo-mutants $MUTANTS_VERSION" >&2
    cargo install --locked cargo-mutants --version "$MUTANTS_VERSION" >&2
fi

# --- the fast kill ----------------------------------------------------------------------------
if [ -z "$FUZZ_FROM" ]; then
    select=(-p mempool)
    [ -z "$FILE" ] || select+=(-f "$FILE")
    [ -z "$SHARD" ] || select+=(--shard "$SHARD" --sharding round-robin)
    if [ "$SAMPLE" -gt 0 ]; then
        # A seeded sample: the mutants ordered by a hash of seed and name, the first N; each
        # is then selected by its exact name (regex metacharacters escaped).
        mapfile -t picked < <(cd "$root" && cargo mutants --list "${select[@]}" |
            while IFS= read -r name; do
                printf '%s\t%s\n' "$(printf '%s\n%s' "$SEED" "$name" | sha1sum | cut -c1-12)" "$name"
            done | sort | head -n "$SAMPLE" | cut -f2-)
        for name in "${picked[@]}"; do
            select+=(-F "^$(printf '%s' "$name" | sed 's/[][\.*+?(){}|^$]/\\&/g')\$")
        done
    fi
    echo "mutants: cargo mutants ${select[*]:0:8}$([ ${#select[@]} -le 8 ] || echo " ...") -j $JOBS -o $OUT (MEMPOOL_CONFORM_STREAMS=$MEMPOOL_CONFORM_STREAMS)" >&2
    rm -rf "$OUT/mutants.out" "$OUT/fuzz.tsv"
    start=$(date +%s)
    set +e
    # shellcheck disable=SC2086
    (cd "$root" && cargo mutants "${select[@]}" -j "$JOBS" -o "$OUT" --no-times --colors never \
        ${MUTANTS_ARGS:-})
    rc=$?
    set -e
    # 0: all caught; 2: some missed; 3: some timed out. Anything else is a failure to run.
    case $rc in 0 | 2 | 3) ;; *) echo "mutants: cargo mutants failed (exit $rc)" >&2; exit 1 ;; esac
    echo "mutants: fast kill took $(($(date +%s) - start)) s" >&2
fi

# --- the slow kill ----------------------------------------------------------------------------
if [ "$FUZZ_SECONDS" -gt 0 ]; then
    mapfile -t missed < <(outcomes "$OUT" | awk -F'\t' '$1 == "missed"')
    # shellcheck source=cargo-fuzz.sh
    source ./cargo-fuzz.sh
    # shellcheck source=scratch-tree.sh
    source ./scratch-tree.sh
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    tree="$work/tree"
    scratch_tree "$tree"
    : >"$OUT/fuzz.tsv"
    echo "mutants: slow kill of ${#missed[@]} survivor(s), up to ${FUZZ_SECONDS}s per target" >&2
    known=$(equivalents)
    for row in "${missed[@]}"; do
        IFS=$'\t' read -r _ name file line diff <<<"$row"
        if [ $GATE -eq 1 ] && grep -qxF -- "$(key <<<"$name")" <<<"$known"; then
            echo "mutants: argued equivalent in fuzz/MUTANTS.md, not fuzzed: $name" >&2
            continue
        fi
        cp "$tree/$file" "$work/original"
        patch -s --no-backup-if-mismatch "$tree/$file" <"$diff"
        # One target dir for every mutant (outside the copy): each build recompiles only
        # core and what depends on it.
        set +e
        (cd "$tree/fuzz" && "${FUZZ[@]}" build -s none --no-trace-compares \
            --target-dir "$fuzz_dir/target/mutants-fuzz") >"$work/build.log" 2>&1
        built=$?
        set -e
        cp "$work/original" "$tree/$file"
        if [ $built -ne 0 ]; then
            echo "mutants: $name does not build as a fuzz target:" >&2
            tail -20 "$work/build.log" >&2
            exit 1
        fi
        result=survived
        by=
        secs=
        for t in "${TARGETS[@]}"; do
            corpus="$work/corpus-$t"
            rm -rf "$corpus" "$work"/crash-*
            mkdir -p "$corpus"
            cp corpus/"$t"/seed-* "$corpus"/
            s0=$(date +%s.%N)
            set +e
            "target/mutants-fuzz/$HOST/release/$t" "$corpus" -max_total_time="$FUZZ_SECONDS" \
                -seed=1 -timeout=10 -artifact_prefix="$work/crash-" >"$work/fuzz.log" 2>&1
            rc=$?
            set -e
            s1=$(date +%s.%N)
            if [ $rc -ne 0 ]; then
                result=killed
                by=$t
                secs=$(echo "$s0 $s1" | awk '{printf "%.1f", $2 - $1}')
                break
            fi
        done
        printf '%s\t%s\t%s\t%s\n' "$name" "$result" "$by" "$secs" >>"$OUT/fuzz.tsv"
        echo "mutants: $result${by:+ by $by in ${secs}s}: $name" >&2
    done
fi

summary "$OUT" | tee "$OUT/summary.md"
if [ $GATE -eq 1 ]; then
    left=$(final_states "$OUT" | awk -F'\t' '$1 == "survivor" || $1 == "untried" { print $2 }')
    if [ -n "$left" ]; then
        echo "mutants: survivors that fuzz/MUTANTS.md does not argue equivalent (kill them with a test, or argue them there):" >&2
        printf '  %s\n' "$left" >&2
        exit 1
    fi
fi
