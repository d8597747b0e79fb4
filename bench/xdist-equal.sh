#!/usr/bin/env bash
# The whole suite in pytest-xdist workers measures what a serial run measures: etask:prepare on
# pallets/click 8.1.8 (bench/prepare-click.sh) with quality_gates.tests.parallel off and auto, each
# with an empty cache folder (the baseline measured, not read from the cache); prints both baselines'
# counts and coverage and fails when they differ. Needs the plugin installed.
set -euo pipefail
source "$(dirname "$0")/click.sh"
declare -A seen
for mode in off auto; do
  id="bench-xdist-$mode" spec="$work/bench-xdist-$mode.yaml" w="$work/etask-xdist-$mode"
  clean_origin
  write_spec "$spec" "$id" 1 "quality_gates: { tests: { parallel: $mode } }"
  rm -rf "$w" "$work/cache-xdist-$mode"
  start=$(date +%s.%N)
  (cd "$root" && ./mvnw -B etask:prepare -Detask.spec="$spec" -Detask.workDir="$w" -Detask.cacheDir="$work/cache-xdist-$mode" \
    >"$work/xdist-$mode.log" 2>&1) || { echo "etask:prepare failed; see $work/xdist-$mode.log" >&2; exit 1; }
  seen[$mode]=$(python3 - "$w/$id/reports/baseline.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["tests"]
print(f"passed {t['passed']} failed {t['failed']} errors {t['errors']} skipped {t['skipped']} coverage {r['coverage']['percent']:.4f}")
PY
)
  echo "parallel: $mode → ${seen[$mode]} (prepare $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s)"
  grep -h "the whole suite in pytest-xdist\|building the Python" "$work/xdist-$mode.log" | head -2 || true
done
[ "${seen[off]}" = "${seen[auto]}" ] && echo "equal" || { echo "DIFFERENT" >&2; exit 1; }
