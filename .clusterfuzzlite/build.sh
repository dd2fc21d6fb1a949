#!/bin/bash -eu
# Builds every fuzz target of fuzz/ with `cargo fuzz build -O` and copies the binaries, with
# their committed seed corpora as <target>_seed_corpus.zip, to $OUT.
#
# In the OSS-Fuzz / ClusterFuzzLite image (see Dockerfile) SRC is /src and the repository is
# $SRC/mempool-workbench; its `cargo` wrapper adds the flags of $SANITIZER. Locally, with SRC
# unset, the repository is the one holding this script:
#   OUT=$(mktemp -d) bash .clusterfuzzlite/build.sh
: "${OUT:?set OUT to the folder that receives the fuzz target binaries}"
if [ -n "${SRC:-}" ] && [ -d "$SRC/mempool-workbench/fuzz" ]; then
    REPO=$SRC/mempool-workbench
else
    REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fi
mkdir -p "$OUT"
cd "$REPO/fuzz"
# shellcheck source=../fuzz/cargo-fuzz.sh
source ./cargo-fuzz.sh
"${FUZZ[@]}" build -O
for t in $("${FUZZ[@]}" list); do
    cp "target/$HOST/release/$t" "$OUT/"
    if command -v zip >/dev/null 2>&1 && ls "corpus/$t/"seed-* >/dev/null 2>&1; then
        rm -f "$OUT/${t}_seed_corpus.zip"
        zip -q -j "$OUT/${t}_seed_corpus.zip" "corpus/$t/"seed-*
    fi
    echo "built $OUT/$t"
done
