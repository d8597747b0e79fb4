#!/usr/bin/env bash
# etask against the seed's §15.1 shell flow, side by side on one machine, alternating runs, on
# pallets/click 8.1.8 (bench/prepare-click.sh) with the same generator (bench/gen_test.py).
# Usage: bench/compare.sh [rounds] [batch counts...]     e.g. bench/compare.sh 3 1 10
# Needs the plugin installed (./mvnw -q install -DskipTests). Prints a Markdown table and, per
# etask run, its phase times and its own time (outside child processes) from status.json.
# etask's cache folder is bench/work/cache, emptied when the script starts: the first etask run
# fills it (the cold run, reported, not targeted), the later ones find it warm. uv's and pip's own
# download caches stay warm for both flows. The Maven process runs with -Xmx512m (the heap target).
# BENCH_LOCKED=1: click with a uv.lock (bench/prepare-click.sh). BENCH_MVN=system: etask runs as a
# user outside this repository runs it, the system `mvn` with the plugin's coordinates, from a folder
# with no pom.xml (else ./mvnw in this repository).
set -euo pipefail
rounds=${1:-3}; shift || true
sizes=("${@:-1 10}")
[ $# -eq 0 ] && sizes=(1 10)
source "$(dirname "$0")/click.sh"
results=$work/results.tsv
: >"$results"
cache=$work/cache
rm -rf "$cache"

run_shell() { # size round
  clean_origin
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$here/baseline.sh" "$origin" "${targets[@]:0:$1}" >"$work/shell.log" 2>&1 \
    || { echo "the shell flow failed; see $work/shell.log" >&2; exit 1; }
  echo -e "shell\t$1\t$2\t$(tail -1 "$work/time.txt")" >>"$results"
}

run_etask() { # size round [flow name]
  clean_origin
  local id="bench-click-$1" spec="$work/bench-click-$1.yaml" w="$work/etask-$1-$2"
  write_spec "$spec" "$id" "$1"
  rm -rf "$w"
  if [ "${BENCH_MVN:-wrapper}" = system ]; then
    mkdir -p "$work/nopom"
    (cd "$work/nopom" && MAVEN_OPTS="-Xmx512m -XX:TieredStopAtLevel=1" /usr/bin/time -f "%e %M" -o "$work/time.txt" mvn -B -q \
      dev.etask:etask-maven-plugin:0.1.0-SNAPSHOT:run -Detask.spec="$spec" -Detask.workDir="$w" -Detask.cacheDir="$cache" \
      >"$work/etask-$1-$2.log" 2>&1)
  else
    (cd "$root" && MAVEN_OPTS="-Xmx512m" /usr/bin/time -f "%e %M" -o "$work/time.txt" ./mvnw -B -q etask:run -Detask.spec="$spec" -Detask.workDir="$w" -Detask.cacheDir="$cache" >"$work/etask-$1-$2.log" 2>&1)
  fi
  echo -e "${3:-etask}\t$1\t$2\t$(tail -1 "$work/time.txt")" >>"$results"
  python3 - "$w/artifacts/$id/status.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
own = sum(s.get("phases_own_ms", {}).values())
print(f"    etask run: exit {s['exit_code']}, startup {s.get('startup_ms')} ms, own {own} ms,"
      f" batches {len(s['batches'])} ({', '.join(b.get('validation') or '-' for b in s['batches'])}),"
      f" phases {s['phases_ms']}, own by phase {s.get('phases_own_ms')}")
PY
  rm -rf "$w"
}

# the cold run: an empty cache folder (uv bootstrapped, baseline measured), one batch
run_etask 1 0 etask-cold
tail -1 "$results"
for size in "${sizes[@]}"; do
  for r in $(seq 1 "$rounds"); do
    if (( r % 2 )); then run_shell "$size" "$r"; run_etask "$size" "$r"; else run_etask "$size" "$r"; run_shell "$size" "$r"; fi
    tail -2 "$results"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines() if l]
print("\n| batches | flow | runs (s) | min | median | peak RSS (MB) |\n|---|---|---|---:|---:|---:|")
med = {}
for size in sorted({r[1] for r in rows}, key=int):
    for flow in ("shell", "etask", "etask-cold"):
        if not any(r[0] == flow and r[1] == size for r in rows):
            continue
        t = [float(r[3].split()[0]) for r in rows if r[0] == flow and r[1] == size]
        m = [int(r[3].split()[1]) // 1024 for r in rows if r[0] == flow and r[1] == size]
        med[(flow, size)] = statistics.median(t)
        print(f"| {size} | {flow} | {', '.join(f'{x:.1f}' for x in t)} | {min(t):.1f} | {statistics.median(t):.1f} | {max(m)} |")
for size in sorted({r[1] for r in rows}, key=int):
    print(f"\n{size} batch(es): etask / shell = {med[('etask', size)] / med[('shell', size)]:.2f}× (medians)")
PY
