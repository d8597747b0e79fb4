#!/usr/bin/env bash
# The task types that need no key, on the bundled fixtures and on three real repositories from their
# PyPI sdists (which ship their tests; sha256 pinned): for each type, its batches' first-try gate pass
# rate (a batch accepted or kept on its first attempt, as status.json's first_try_pass says) and the
# coverage gained. Every task of a repository runs in one etask:launch (two at a time).
#
#   ./mvnw -q install -DskipTests && bench/types.sh        # results in bench/work/types/results.md
#
# Uses a cache folder of its own (bench/work/types/cache) and the plugin installed in ~/.m2.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=${BENCH_WORK:-$here/work}/types
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
mvn=("$root/mvnw" -B -q -f "$root/pom.xml" -N)
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$root/pom.xml" | head -1)
rm -rf "$work/runs" && mkdir -p "$work/dl" "$work/runs"

# name  pip requirement  sha256 of the sdist  the package's folder in it
repos=(
  "itsdangerous itsdangerous==2.2.0 e0050c0b7da1eea53ffaf149c0cfbb5c6e2e2b69c4bef22c81fa6eb73e5f6173 src/itsdangerous"
  "cachetools cachetools==5.5.2 1a661caa9175d26759571b2e19580f9d6393969e5dfca11fdb1f947a23e640d4 src/cachetools"
  "humanize humanize==4.12.3 8430be3a615106fdfceb0b2c1b41c4c98c6b0fc5cc59663a5539b111dd325fb0 src/humanize"
)

# specs NAME URL PACKAGE_FOLDER: one spec per type for a repository, in $work/runs/NAME/tasks
specs() {
  local dir=$work/runs/$1/tasks
  mkdir -p "$dir"
  for type in add-tests lint-fix format modernize logging-normalize; do
    cat >"$dir/$1-$type.yaml" <<YAML
id: $1-$type
type: $type
objective: "$type on $1"
repository: { url: "$2" }
target: { include: ["$3/*.py"] }
limits: { max_commits: 50, max_runtime_minutes: 30 }
YAML
  done
}

for line in "${repos[@]}"; do
  read -r name req sha folder <<<"$line"
  origin=$work/origins/$name.git
  if [ ! -d "$origin" ]; then
    python3 -m pip download -q --no-binary :all: --no-deps "$req" -d "$work/dl"
    file=$(ls "$work/dl/${req%%==*}-${req##*==}.tar.gz")
    echo "$sha  $file" | sha256sum -c --quiet -
    src=$(mktemp -d) && tar xzf "$file" --no-same-owner -C "$src" && cd "$src"/*/
    printf '__pycache__/\n*.egg-info/\n.venv/\n.coverage*\n' >>.gitignore
    git init -q -b main . && git add -A
    git -c user.name=bench -c user.email=bench@example.com commit -q -m "$req (PyPI sdist)"
    mkdir -p "$work/origins" && git clone -q --bare . "$origin" && cd "$here" && rm -rf "$src"
  fi
  # every run starts from main alone: a branch an earlier run left would be adopted, not generated
  git -C "$origin" for-each-ref --format='%(refname:short)' refs/heads/auto/ | while read -r b; do
    git -C "$origin" branch -q -D "$b"; done
  specs "$name" "$origin" "$folder"
done
# the fixtures: the demo shop (every type) and the unittest ledger (add-tests)
specs shop "$root/tasks/demo/shop" src/shop
specs ledger "$root/src/it/fixtures/ledger" ledger
rm "$work"/runs/ledger/tasks/ledger-{lint-fix,format,modernize,logging-normalize}.yaml

for dir in "$work"/runs/*/; do
  name=$(basename "$dir")
  echo "== $name"
  start=$(date +%s)
  (cd "$dir" && "${mvn[@]}" "dev.etask:etask-maven-plugin:$version:launch" -Detask.tasks="$dir/tasks" \
    -Detask.parallel=2 -Detask.workDir="$dir/etask" -Detask.cacheDir="$work/cache" >"$dir/launch.log" 2>&1) || true
  echo "   $(( $(date +%s) - start )) s"
done

python3 - "$work" <<'PY'
import glob, json, os, sys
work = sys.argv[1]
rows = {}
for status in sorted(glob.glob(f"{work}/runs/*/etask/artifacts/*/status.json")):
    s = json.load(open(status))
    repo, _, kind = s["id"].partition("-")
    batches = [b for b in s["batches"] if b["decision"] and b["reason"] != "the generator changed nothing"]
    first = sum(1 for b in batches if b.get("first_try_pass"))
    before, after = s.get("coverage_before"), s.get("coverage_after")
    rows.setdefault(kind, []).append((repo, len(batches), first, before, after, s["exit_code"],
                                      sum(1 for b in s["batches"] if b["reason"] == "the generator changed nothing")))
out = ["| type | repository | batches with a change | first-try pass | coverage before → after | exit | nothing to change |",
       "|---|---|---:|---:|---|---:|---:|"]
for kind in ("add-tests", "lint-fix", "format", "modernize", "logging-normalize"):
    total = passed = 0
    for repo, n, first, before, after, code, nothing in rows.get(kind, []):
        total, passed = total + n, passed + first
        cov = "n/a" if before is None or after is None else f"{before:.2f} → {after:.2f}"
        rate = f"{first}/{n}" if n else "–"
        out.append(f"| {kind} | {repo} | {n} | {rate} | {cov} | {code} | {nothing} |")
    if total:
        out.append(f"| **{kind}** | all | {total} | **{100 * passed / total:.0f} %** | | | |")
text = "\n".join(out)
open(f"{work}/results.md", "w").write(text + "\n")
print(text)
PY
