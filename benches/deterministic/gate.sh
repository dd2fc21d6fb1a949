# The deterministic gate: `benches/compare.sh --deterministic BASE [HEAD]` sources this file
# after parsing its options (see compare.sh's header for what it does). It uses compare.sh's
# variables (root, base_sha, head_sha, out, compare_target, log, work, threshold, identical,
# package, jobs, keep, target, short) and leaves the exit status in `status`. Not meant to
# be run on its own.

# The binary that writes the figures: the workbench's `figures`, or a user package's
# `<package>-figures` (a name of its own: two packages' binaries of one name would collide
# in the workspace's target folder).
figures_bin=figures
[ "$package" = deterministic ] || figures_bin="$package-figures"

# Whether the tree at $1 has the deterministic benchmarks of $package.
has_benchmarks() {
    if [ "$package" = deterministic ]; then
        [ -f "$1/benches/deterministic/benches/callgrind.rs" ]
    else
        (cd "$1" && cargo metadata --no-deps --format-version 1 2>>"$log") \
            | grep -q "\"name\":\"$package\""
    fi
}

# Builds and measures one side ($1: base or head, $2: its commit) into <out>/<side>/.
measure_side() {
    local side="$1" sha="$2" dir="$out/$1" tree="$work/tree" version runner start
    rm -rf "$dir"
    mkdir -p "$dir"
    git -C "$root" log -1 --format='%H %s' "$sha" >"$dir/revision"
    git -C "$root" worktree add --detach "$tree" "$sha" >>"$log" 2>&1
    if ! has_benchmarks "$tree"; then
        printf '%s: no deterministic benchmarks of %s in this revision\n' "$side" "$package"
        : >"$dir/absent"
        git -C "$root" worktree remove --force "$tree" >>"$log" 2>&1
        return 0
    fi
    # The runner of the gungraun version this side pins: GUNGRAUN_RUNNER, else the one on
    # PATH when it is that version, else that version installed into <out>/tools.
    version="$(bash "$tree/benches/deterministic/runner.sh" --version)" || return 1
    runner="${GUNGRAUN_RUNNER:-}"
    if [ -z "$runner" ]; then
        if [ "$(gungraun-runner --version 2>/dev/null)" = "gungraun-runner $version" ]; then
            runner="$(command -v gungraun-runner)"
        else
            runner="$(bash "$tree/benches/deterministic/runner.sh" \
                --root "$out/tools/gungraun-runner-$version" 2>>"$log")" \
                || { printf 'compare.sh: cannot install gungraun-runner %s; see %s\n' "$version" "$log" >&2; return 1; }
        fi
    fi

    printf 'building %s ...\n' "$side"
    start=$SECONDS
    printf '\n### build %s\n' "$side" >>"$log"
    (cd "$tree" && CARGO_TARGET_DIR="$compare_target" \
        cargo bench -p "$package" --bench callgrind --no-run >>"$log" 2>&1 \
        && CARGO_TARGET_DIR="$compare_target" \
        cargo build --release -p "$package" --bin "$figures_bin" >>"$log" 2>&1) \
        || { printf 'compare.sh: building %s failed; see %s\n' "$side" "$log" >&2; return 1; }
    printf '  built in %ss\n' $((SECONDS - start))

    start=$SECONDS
    printf '\n### callgrind %s\n' "$side" >>"$log"
    (cd "$tree" && CARGO_TARGET_DIR="$compare_target" GUNGRAUN_RUNNER="$runner" \
        GUNGRAUN_HOME="$dir/gungraun" \
        cargo bench -p "$package" --bench callgrind -- --output-format=json --parallel="$jobs" \
        2>>"$log") >"$dir/counts.jsonl" \
        || { printf 'compare.sh: the callgrind benchmarks of %s failed; see %s\n' "$side" "$log" >&2; return 1; }
    printf '  %s benchmarks counted under callgrind in %ss (%s at a time)\n' \
        "$(grep -c . "$dir/counts.jsonl")" $((SECONDS - start)) "$jobs"

    start=$SECONDS
    printf '\n### figures %s\n' "$side" >>"$log"
    "$compare_target/release/$figures_bin" --out "$dir/figures.json" 2>>"$log" \
        || { printf 'compare.sh: the figures of %s failed; see %s\n' "$side" "$log" >&2; return 1; }
    printf '  fragmentation and placement figures (each measured twice) in %ss\n' $((SECONDS - start))
    if [ "$keep" = 1 ] && [ "$side" = head ]; then
        return 0
    fi
    git -C "$root" worktree remove --force "$tree" >>"$log" 2>&1
}

status=0
command -v valgrind >/dev/null 2>&1 \
    || { printf 'compare.sh: valgrind is not installed (apt-get install valgrind)\n' >&2; exit 3; }
printf 'deterministic gate of %s: %s, %s, jobs: %s\nlog: %s\n\n' "$package" "$(valgrind --version)" \
    "thresholds: ${threshold:++$threshold% for every benchmark, }benches/deterministic/thresholds.toml" "$jobs" "$log"
gate_start=$SECONDS
measure_side base "$base_sha" || exit 3
measure_side head "$head_sha" || exit 3

[ ! -e "$out/head/absent" ] \
    || { printf 'compare.sh: HEAD has no deterministic benchmarks of %s: nothing to gate\n' "$package" >&2; exit 2; }
# det_gate is built from this checkout, like criterion's gate.
(cd "$root" && cargo build -q -p deterministic --bin det_gate 2>>"$log") \
    || { printf 'compare.sh: building det_gate failed; see %s\n' "$log" >&2; exit 3; }
gate_args=(--base "$out/base" --head "$out/head" --thresholds "$root/benches/deterministic/thresholds.toml"
    --full "$out/table-full.md")
[ -z "$threshold" ] || gate_args+=(--threshold "$threshold")
[ "$identical" = 0 ] || gate_args+=(--identical)
[ ! -e "$out/base/absent" ] || gate_args+=(--no-base "base ($(short "$base_sha")) has no deterministic benchmarks of $package")
printf '\n'
set +e
"$target/debug/det_gate" "${gate_args[@]}" | tee "$out/table.md"
status=${PIPESTATUS[0]}
set -e
printf '\ngate ran in %ss; table: %s, every row: %s\n' $((SECONDS - gate_start)) \
    "$out/table.md" "$out/table-full.md"
