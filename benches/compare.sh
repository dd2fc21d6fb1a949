#!/usr/bin/env bash
# Compare the benchmarks of two revisions on this machine, and fail on a regression.
#
#   benches/compare.sh [options] BASE [HEAD] [FILTER]     criterion wall-clock times (advisory)
#   benches/compare.sh --deterministic [options] BASE [HEAD]     the CI gate: callgrind counts,
#                                                         fragmentation and placement
#
# --deterministic (benches/deterministic/gate.sh, sourced): BASE and HEAD are checked out
# one after the other in a temporary git worktree (at one path, so that the same source
# builds the same binary) and built into <out>/target. For each side, gungraun runs the
# deterministic benchmarks (`cargo bench -p deterministic --bench callgrind`: the CI-sized
# set of workloads x pool variants x peers, one replay each under callgrind with its cache
# simulation, counting the allocators' calls, and the harness apart), and the `figures`
# binary measures #4, the peak footprint and the placement hash of every (workload,
# allocator) from a tracked replay (twice; it fails when the two differ). The `det_gate`
# binary (built from this checkout) prints one table (benchmark, measure, base, head,
# change, verdict) of the rows that are not the same on both sides, and exits 1 when an
# instruction or LL-miss count rose by more than its threshold
# (benches/deterministic/thresholds.toml: 1 % by default, per-benchmark overrides), or a
# footprint, #4 or failure count rose at all; changed placements are listed, never failed.
# No timing is involved, so the load of the machine cannot change a verdict. A revision
# older than the deterministic benchmarks has nothing to compare: its rows are "new".
#
# Criterion mode (without --deterministic):
#
# BASE and HEAD are git revisions (HEAD defaults to HEAD). Both are checked out in temporary
# git worktrees and built into <out>/target (kept between runs, so dependencies build once;
# never the checkout's own target folder; each side's bench executables are copied aside,
# since cargo names them alike). Then every
# benchmark runs for BASE (`--save-baseline base`) and right after it for HEAD
# (`--baseline-lenient base`), one benchmark at a time, alternating, so both see the same
# machine state; criterion writes the change of each benchmark and its confidence interval to
# change/estimates.json. The gate (`cargo run -p benches --bin gate`) prints the table
# (benchmark, base, head, change, verdict) and exits 1 when a benchmark regressed: the lower
# bound of the 95 % confidence interval of its mean's change is above the threshold.
# A regression must hold up: the benchmarks that regressed are run again (base, then head)
# and judged on that run (--confirm rounds), so one burst of load on a shared machine does
# not fail the gate. Benchmark processes run at nice -10 where that is allowed (root).
#
# FILTER is a criterion filter (a regular expression over benchmark ids such as
# `replay/fifo/talc`, `scaling/mempool/1000`, `api/malloc/empty`); without it every benchmark
# runs (about twice the time of one `cargo bench -p benches`).
#
# Options:
#   -d, --deterministic   the deterministic gate (above) instead of criterion's timings
#   -t, --threshold PCT   slowdown that fails, in percent (default 10; env BENCH_THRESHOLD);
#                         with -d: replaces the default thresholds of
#                         benches/deterministic/thresholds.toml
#       --identical       with -d: fail unless every row is the same on both sides (for a
#                         revision against itself: the determinism check)
#   -p, --package PKG     with -d: the package whose deterministic benchmarks run (default
#                         deterministic, the workbench's own set). Another package (a user's
#                         crate gating its allocator, as examples/bring-your-own/gate/) has
#                         a bench target `callgrind` and a binary `PKG-figures`, built on
#                         the `deterministic` library; a revision without PKG has nothing
#                         to compare (its rows are "new")
#   -j, --jobs N          with -d: benchmarks run in parallel (default: nproc)
#   -b, --bench NAME      only this bench target (workloads, scaling, api); repeatable
#   -s, --statistic S     judge the mean (default) or the median
#   -c, --confirm N       rounds of re-runs of the regressed benchmarks (default 2)
#   -o, --out DIR         the worktrees' target folder, the criterion data, the log and
#                         the exported results go here (default: <target>/bench-compare;
#                         with -d: <target>/det-gate, holding base/ and head/ with each
#                         side's counts.jsonl and figures.json, table.md, table-full.md;
#                         with -p PKG: <target>/det-gate-PKG, built in <target>/det-gate's
#                         target folder)
#   -k, --keep            keep the worktrees (printed at the end)
#   -h, --help            this text
#
# Environment: BENCH_QUICK=1 runs both sides with the quick profile (criterion mode);
# GUNGRAUN_RUNNER is the gungraun-runner to use (-d; by default the one on PATH when it is
# the version a side's benches/deterministic/Cargo.toml pins, else that version installed
# with `cargo install --locked` into <out>/tools); CARGO_TARGET_DIR (or target/) is where
# the gate is built and <out> defaults to; WORKLOADS_SHARED_TRACES (default: ../shared/traces
# beside this repository, when present) is passed to both sides so they replay the same
# traces.
#
# Exit status: 0 no regression, 1 regression (with --identical: any difference), 2 usage
# error or nothing compared, 3 a build or a benchmark run failed (or valgrind is missing).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die() { printf 'compare.sh: %s\n' "$*" >&2; exit 2; }

threshold=""
deterministic=0
identical=0
package=deterministic
jobs="$(nproc 2>/dev/null || echo 2)"
statistic=mean
confirm=2
out=""
keep=0
targets=()
positional=()
while [ $# -gt 0 ]; do
    case "$1" in
        -t|--threshold) [ $# -ge 2 ] || die "$1 needs a value"; threshold="$2"; shift 2 ;;
        -d|--deterministic) deterministic=1; shift ;;
        --identical) identical=1; shift ;;
        -p|--package) [ $# -ge 2 ] || die "$1 needs a value"; package="$2"; shift 2 ;;
        -j|--jobs) [ $# -ge 2 ] || die "$1 needs a value"; jobs="$2"; shift 2 ;;
        -b|--bench) [ $# -ge 2 ] || die "$1 needs a value"; targets+=("$2"); shift 2 ;;
        -s|--statistic) [ $# -ge 2 ] || die "$1 needs a value"; statistic="$2"; shift 2 ;;
        -c|--confirm) [ $# -ge 2 ] || die "$1 needs a value"; confirm="$2"; shift 2 ;;
        -o|--out) [ $# -ge 2 ] || die "$1 needs a value"; out="$2"; shift 2 ;;
        -k|--keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; positional+=("$@"); break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) positional+=("$1"); shift ;;
    esac
done
[ ${#positional[@]} -ge 1 ] && [ ${#positional[@]} -le 3 ] || { usage >&2; exit 2; }
base_rev="${positional[0]}"
head_rev="${positional[1]:-HEAD}"
filter="${positional[2]:-}"
[ ${#targets[@]} -gt 0 ] || targets=(workloads scaling api)
case "$statistic" in mean|median) ;; *) die "--statistic must be mean or median" ;; esac
case "$confirm" in ''|*[!0-9]*) die "--confirm must be a number of rounds" ;; esac
case "$jobs" in ''|0|*[!0-9]*) die "--jobs must be a positive number" ;; esac
if [ "$deterministic" = 1 ]; then
    [ -z "$filter" ] || die "--deterministic takes no FILTER: the gate runs its whole set"
elif [ "$identical" = 1 ]; then
    die "--identical needs --deterministic"
elif [ "$package" != deterministic ]; then
    die "--package needs --deterministic"
fi
[ "$deterministic" = 1 ] || threshold="${threshold:-${BENCH_THRESHOLD:-10}}"

root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
base_sha="$(git -C "$root" rev-parse --verify --quiet "${base_rev}^{commit}")" \
    || die "BASE '$base_rev' is not a commit"
head_sha="$(git -C "$root" rev-parse --verify --quiet "${head_rev}^{commit}")" \
    || die "HEAD '$head_rev' is not a commit"

if [ -n "${CARGO_TARGET_DIR:-}" ]; then
    mkdir -p "$CARGO_TARGET_DIR"
    target="$(cd "$CARGO_TARGET_DIR" && pwd)"
else
    target="$root/target"
fi
export CARGO_TARGET_DIR="$target"
compare_target=""
if [ -z "$out" ]; then
    out="$target/bench-compare"
    if [ "$deterministic" = 1 ]; then
        out="$target/det-gate"
        # Every package's gate builds in one folder: the dependencies build once.
        compare_target="$out/target"
        [ "$package" = deterministic ] || out="$target/det-gate-$package"
    fi
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# The worktrees build into a target folder of their own, never into this checkout's:
# cargo gives a workspace crate the same artifact names in every checkout and judges
# freshness by source mtimes, so a build of an older checkout in a shared folder could be
# taken as up to date later. The worktrees are checked out fresh (new mtimes) each run, base
# before head, so they can share this one; dependencies build once and are kept.
compare_target="${compare_target:-$out/target}"
mkdir -p "$compare_target"
log="$out/compare.log"
: >"$log"

if [ -z "${WORKLOADS_SHARED_TRACES:-}" ] && [ -d "$root/../shared/traces" ]; then
    WORKLOADS_SHARED_TRACES="$(cd "$root/../shared/traces" && pwd)"
    export WORKLOADS_SHARED_TRACES
fi

work="$(mktemp -d)"
cleanup() {
    if [ "$keep" = 1 ]; then
        printf 'worktrees kept: %s\n' "$(ls -d "$work"/*/ 2>/dev/null | tr '\n' ' ')"
        return
    fi
    local dir
    for dir in "$work"/*/; do
        if [ -f "$dir/.git" ]; then
            git -C "$root" worktree remove --force "$dir" >/dev/null 2>&1 || true
        fi
    done
    rm -rf "$work"
    git -C "$root" worktree prune >/dev/null 2>&1 || true
}
trap cleanup EXIT

short() { git -C "$root" log -1 --format='%h %s' "$1"; }
printf 'base: %s\nhead: %s\n' "$(short "$base_sha")" "$(short "$head_sha")"

if [ "$deterministic" = 1 ]; then
    # shellcheck source=deterministic/gate.sh
    source "$root/benches/deterministic/gate.sh"
    exit "$status"
fi

export CRITERION_HOME="$out/criterion"
rm -rf "$CRITERION_HOME"
mkdir -p "$CRITERION_HOME"
printf 'threshold: +%s%% (%s), filter: %s, targets: %s, profile: %s\n' "$threshold" \
    "$statistic" "${filter:-<all>}" "${targets[*]}" \
    "$([ -n "${BENCH_QUICK:-}" ] && echo quick || echo full)"
printf 'log: %s\n\n' "$log"

# Builds one side's bench targets and prints "name executable" per built target.
build() {
    local dir="$1" side="$2"
    [ -f "$dir/benches/Cargo.toml" ] \
        || die "$side ($(short "${3}")) has no benches package: nothing to compare"
    local args=()
    local t
    for t in "${targets[@]}"; do
        if grep -q "^name = \"$t\"" "$dir/benches/Cargo.toml"; then
            args+=(--bench "$t")
        fi
    done
    [ ${#args[@]} -gt 0 ] || return 0
    (cd "$dir" && CARGO_TARGET_DIR="$compare_target" \
        cargo bench -p benches --no-run --message-format=json "${args[@]}" 2>>"$log") \
        | grep '"reason":"compiler-artifact"' | grep '"kind":\["bench"\]' \
        | sed -n 's/.*"target":{[^}]*"name":"\([^"]*\)".*"executable":"\([^"]*\)".*/\1 \2/p'
}

for side in base head; do
    sha="$base_sha"
    [ "$side" = head ] && sha="$head_sha"
    git -C "$root" worktree add --detach "$work/$side" "$sha" >>"$log" 2>&1
    printf 'building %s ...\n' "$side"
    start=$SECONDS
    if ! build "$work/$side" "$side" "$sha" >"$work/$side.built"; then
        printf 'compare.sh: building %s failed; see %s\n' "$side" "$log" >&2
        exit 3
    fi
    # Both sides build into one target folder, where cargo gives a workspace crate the same
    # file name whatever the checkout: keep a copy of this side's executables before the
    # other side's build replaces them.
    mkdir -p "$work/$side-bin"
    while read -r name exe; do
        cp "$exe" "$work/$side-bin/$name"
        printf '%s %s\n' "$name" "$work/$side-bin/$name"
    done <"$work/$side.built" >"$work/$side.bins"
    printf '  %s bench target(s) in %ss\n' "$(wc -l <"$work/$side.bins")" $((SECONDS - start))
done

# The gate and the export are built from this checkout (they read only criterion's files).
(cd "$root" && cargo build -q -p benches --bin gate --bin export 2>>"$log") \
    || { printf 'compare.sh: building the gate failed; see %s\n' "$log" >&2; exit 3; }
gate="$target/debug/gate"

exe_of() { awk -v t="$2" '$1 == t { print $2 }' "$work/$1.bins"; }

# Benchmark ids of one side's target, filtered.
list_ids() {
    local exe
    exe="$(exe_of "$1" "$2")"
    [ -n "$exe" ] || return 0
    (cd "$work/$1/benches" && "$exe" --bench --list ${filter:+"$filter"} 2>>"$log") \
        | sed -n 's/: benchmark$//p'
}

# Higher priority for the measured processes, when allowed: fewer preemptions by other jobs.
runner=()
if nice -n -10 true 2>/dev/null; then
    runner=(nice -n -10)
fi

run_one() {
    local side="$1" t="$2" id="$3" exe
    exe="$(exe_of "$side" "$t")"
    [ -n "$exe" ] || return 0
    local mode=(--save-baseline base)
    [ "$side" = head ] && mode=(--baseline-lenient base)
    printf '\n### %s %s\n' "$side" "$id" >>"$log"
    (cd "$work/$side/benches" && "${runner[@]}" "$exe" --bench --exact "$id" "${mode[@]}") >>"$log" 2>&1
}

# Runs base then head for every "target<TAB>id" line of file $1.
run_pairs() {
    local total i=0 t id
    total=$(wc -l <"$1")
    while IFS=$'\t' read -r t id; do
        i=$((i + 1))
        printf '[%s%d/%d] %s\n' "${2:-}" "$i" "$total" "$id"
        run_one base "$t" "$id" || { printf 'compare.sh: base run of %s failed; see %s\n' "$id" "$log" >&2; exit 3; }
        run_one head "$t" "$id" || { printf 'compare.sh: head run of %s failed; see %s\n' "$id" "$log" >&2; exit 3; }
    done <"$1"
}

: >"$work/ids.tsv"
for t in "${targets[@]}"; do
    { list_ids base "$t"; list_ids head "$t"; } | awk -v t="$t" '!seen[$0]++ { print t "\t" $0 }' \
        >>"$work/ids.tsv"
done
[ -s "$work/ids.tsv" ] || die "no benchmark matches the filter '${filter}'"

start=$SECONDS
run_pairs "$work/ids.tsv"
round=1
while [ "$round" -le "$confirm" ]; do
    "$gate" --criterion "$CRITERION_HOME" --threshold "$threshold" --statistic "$statistic" \
        --regressed "$work/regressed" >>"$log" 2>&1 || true
    [ -s "$work/regressed" ] || break
    awk -F'\t' 'NR == FNR { want[$0] = 1; next } ($2 in want)' "$work/regressed" "$work/ids.tsv" \
        >"$work/again.tsv"
    printf '\nconfirming %d regressed benchmark(s), round %d of %d\n' \
        "$(wc -l <"$work/again.tsv")" "$round" "$confirm"
    run_pairs "$work/again.tsv" "confirm "
    round=$((round + 1))
done
printf '\nbenchmarks ran in %ss\n\n' $((SECONDS - start))

status=0
"$gate" --criterion "$CRITERION_HOME" --threshold "$threshold" --statistic "$statistic" \
    | tee "$out/table.md" || status=$?
"$target/debug/export" --criterion "$CRITERION_HOME" --out "$out" >>"$log" 2>&1 || true
printf '\ntable: %s; head results with their change: %s/latest.{json,csv}\n' "$out/table.md" "$out"
exit "$status"
