#!/usr/bin/env bash
# The gungraun-runner that matches the `gungraun` library this package pins: the library and
# the runner must be the same version, so the pin in benches/deterministic/Cargo.toml
# (`gungraun = "=X"`) is the one place that names it.
#
#   bash benches/deterministic/runner.sh              # prints the runner's path, installing
#                                                     # it with `cargo install --locked` when
#                                                     # the one on PATH is missing or another
#                                                     # version
#   bash benches/deterministic/runner.sh --root DIR   # the same, installing into DIR/bin
#   bash benches/deterministic/runner.sh --version    # prints the pinned version
#
# Progress goes to stderr; exit 1 when the manifest pins no version or the install fails.
set -euo pipefail
manifest="$(dirname "$0")/Cargo.toml"
version="$(sed -n 's/^gungraun = "=\([^"]*\)".*/\1/p' "$manifest")"
[ -n "$version" ] || { echo "runner.sh: $manifest pins no gungraun version (gungraun = \"=X\")" >&2; exit 1; }

root=""
case "${1:-}" in
    --version) echo "$version"; exit 0 ;;
    --root) [ $# -eq 2 ] || { echo "usage: runner.sh [--root DIR | --version]" >&2; exit 1; }; root="$2" ;;
    "") ;;
    *) echo "usage: runner.sh [--root DIR | --version]" >&2; exit 1 ;;
esac

want="gungraun-runner $version"
if [ -n "$root" ]; then
    exe="$root/bin/gungraun-runner"
    if [ "$("$exe" --version 2>/dev/null)" != "$want" ]; then
        echo "runner.sh: installing $want into $root (a few minutes)" >&2
        cargo install --locked --quiet gungraun-runner --version "$version" --root "$root" >&2
    fi
    echo "$exe"
    exit 0
fi
if [ "$(gungraun-runner --version 2>/dev/null)" != "$want" ]; then
    echo "runner.sh: installing $want with cargo install --locked (a few minutes)" >&2
    cargo install --locked --quiet gungraun-runner --version "$version" >&2
fi
command -v gungraun-runner || echo "${CARGO_HOME:-$HOME/.cargo}/bin/gungraun-runner"
