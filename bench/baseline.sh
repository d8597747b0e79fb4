#!/usr/bin/env bash
# The seed's §15.1 flow as a shell script, for N batches: clone, branch, venv, install, baseline
# under coverage; per batch the generator, ruff, mypy, the suite under coverage, a commit; then one
# push and a PR body. Usage: bench/baseline.sh ORIGIN FILE...   (one batch per FILE)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
origin=$1; shift
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$origin" "$work/repo"
cd "$work/repo"
git checkout -q -b auto/bench-shell
python3 -m venv .venv
. .venv/bin/activate
reqs=()
for f in requirements/tests.txt requirements.txt; do [ -f "$f" ] && reqs+=(-r "$f"); done
pip install -q "${reqs[@]}" -e . "coverage>=7,<8" "ruff>=0.6" "mypy>=1.10" "pytest>=8,<10"
coverage run -m pytest -q -p no:cacheprovider >/dev/null || true
coverage report >"$work/baseline.txt" || true
for file in "$@"; do
  python "$here/gen_test.py" "$file"
  ruff check --no-fix -q src tests || true
  python -m mypy src --ignore-missing-imports >/dev/null || true
  coverage run -m pytest -q -p no:cacheprovider >/dev/null || true
  coverage report >"$work/current.txt" || true
  git add tests
  git commit -q -m "test: add tests for $file (auto)"
done
git diff --shortstat main >"$work/diff.txt"
git push -q origin auto/bench-shell 2>/dev/null || git push -q -f origin auto/bench-shell
printf '## test: add tests (auto)\n\n%s\n' "$(tail -1 "$work/current.txt")" >"$work/pr.md"
