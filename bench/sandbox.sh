#!/usr/bin/env bash
# What the sandbox costs: the same task on pallets/click 8.1.8 (bench/prepare-click.sh) with the
# same generator (bench/gen_test.py), with -Detask.sandbox=auto (bubblewrap) and -Detask.sandbox=off,
# alternating, one and ten batches, on one machine, with one warm cache folder.
# Usage: bench/sandbox.sh [rounds] [batch counts...]     e.g. bench/sandbox.sh 3 1 10
# Needs the plugin installed (./mvnw -q install -DskipTests) and bubblewrap.
# Without the sandbox a task keeps its baselines in its own workspace (a test could forge a shared
# one), so its PREPARE measures the baseline again: the per-batch cost is what compares, the time
# of the phases that run per batch (generate, validate, commit) and of the whole suite before the
# push (deliver), from each run's status.json; the whole command's time is printed too.
set -euo pipefail
rounds=${1:-3}; shift || true
sizes=("${@:-1 10}")
[ $# -eq 0 ] && sizes=(1 10)
source "$(dirname "$0")/click.sh"
results=$work/sandbox.tsv
: >"$results"
cache=$work/cache-sandbox
rm -rf "$cache"

run() { # size round mode
  clean_origin
  local id="bench-sandbox-$1" spec="$work/bench-sandbox-$1.yaml" w="$work/sandbox-$1-$2-$3"
  write_spec "$spec" "$id" "$1"
  rm -rf "$w"
  (cd "$root" && MAVEN_OPTS="-Xmx512m" /usr/bin/time -f "%e %M" -o "$work/time.txt" ./mvnw -B -q etask:run \
    -Detask.spec="$spec" -Detask.workDir="$w" -Detask.cacheDir="$cache" -Detask.sandbox="$3" \
    >"$work/sandbox-$1-$2-$3.log" 2>&1) || { echo "etask failed; see $work/sandbox-$1-$2-$3.log" >&2; exit 1; }
  python3 - "$w/artifacts/$id/status.json" "$3" "$1" "$2" "$(tail -1 "$work/time.txt")" >>"$results" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["exit_code"] == 0, s["exit_code"]
p = s["phases_ms"]
per_batch = sum(p.get(k, 0) for k in ("generate", "validate", "commit", "deliver"))
wall, rss = sys.argv[5].split()
print("\t".join([sys.argv[2], sys.argv[3], sys.argv[4], wall, str(per_batch), str(p.get("prepare", 0)), s["sandbox"]]))
PY
  tail -1 "$results"
  rm -rf "$w"
}

# warm-up: uv, the bytecode pre-pass, the baseline in the shared cache
run 1 0 auto >/dev/null
for size in "${sizes[@]}"; do
  for r in $(seq 1 "$rounds"); do
    if (( r % 2 )); then run "$size" "$r" auto; run "$size" "$r" off; else run "$size" "$r" off; run "$size" "$r" auto; fi
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines() if l]
print("\n| batches | sandbox | wall (s) | per-batch phases (s) | median per batch (s) | prepare (s) |\n|---|---|---|---|---:|---|")
med = {}
for size in sorted({r[1] for r in rows}, key=int):
    for mode in ("auto", "off"):
        rs = [r for r in rows if r[0] == mode and r[1] == size and r[2] != "0"]
        if not rs:
            continue
        per = [int(r[4]) / 1000 / int(size) for r in rs]
        med[(mode, size)] = statistics.median(per)
        print(f"| {size} | {mode} ({rs[0][6].split(' ')[0]}) | {', '.join(r[3] for r in rs)} | "
              f"{', '.join(f'{int(r[4]) / 1000:.1f}' for r in rs)} | {statistics.median(per):.2f} | "
              f"{', '.join(f'{int(r[5]) / 1000:.1f}' for r in rs)} |")
for size in sorted({r[1] for r in rows if r[2] != "0"}, key=int):
    a, o = med[("auto", size)], med[("off", size)]
    print(f"\n{size} batch(es): per batch, sandbox {a:.2f} s, off {o:.2f} s: {100 * (a - o) / o:+.1f} %")
PY
