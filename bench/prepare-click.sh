#!/usr/bin/env bash
# Makes $BENCH_WORK/origins/click.git (default bench/work): pallets/click 8.1.8 from its PyPI
# sdist, which ships its tests, pinned by sha256, committed as one commit on main. With
# BENCH_LOCKED=1, origins/click-locked.git: the same with bench/click-8.1.8.uv.lock committed as its
# uv.lock (made by `uv lock` for it: a locked project, as a fresh machine can make it from PyPI).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_WORK:-$here/work}
sha=ed53c9d8990d83c2a27deae68e4ee337473f6330c040a31d4225c9574d16096a
locked=${BENCH_LOCKED:-0}
suffix=""; [ "$locked" = 1 ] && suffix=-locked
origin=$work/origins/click$suffix.git
[ -d "$origin" ] && { echo "$origin"; exit 0; }
mkdir -p "$work/dl" "$work/origins"
python3 -m pip download -q --no-binary :all: --no-deps click==8.1.8 -d "$work/dl"
echo "$sha  $work/dl/click-8.1.8.tar.gz" | sha256sum -c --quiet -
src=$(mktemp -d)
tar xzf "$work/dl/click-8.1.8.tar.gz" -C "$src"
cd "$src/click-8.1.8"
printf '__pycache__/\n*.egg-info/\n.venv/\n.coverage*\n' > .gitignore
[ "$locked" = 1 ] && cp "$here/click-8.1.8.uv.lock" uv.lock
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
git init -q -b main .
git add -A
git -c user.name=bench -c user.email=bench@example.com commit -q -m "click 8.1.8 (PyPI sdist)"
git clone -q --bare . "$origin"
rm -rf "$src"
echo "$origin"
