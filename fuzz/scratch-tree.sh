# Sourced by fuzz/canaries.sh and fuzz/mutants.sh: `scratch_tree DIR` copies the work tree into
# DIR as git sees it (tracked and untracked files, not ignored ones), so uncommitted changes
# are included and no build output or node_modules is copied. The scripts patch that copy, so
# the work tree itself is never modified.
scratch_tree() {
    local dest=$1 root
    root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
    mkdir -p "$dest"
    (cd "$root" && git ls-files -z --cached --others --exclude-standard --deduplicate |
        while IFS= read -r -d '' f; do [ ! -e "$f" ] || printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -C "$dest" -xf -
}
