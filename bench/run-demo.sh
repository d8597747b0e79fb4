#!/usr/bin/env bash
# Times the demo task from an empty work folder and prints etask's own phase timings and the gate
# tools' durations. Usage: bench/run-demo.sh [runs]   (the plugin must be installed: ./mvnw -q install -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$runs"); do
  rm -rf "$work/etask"
  start=$(date +%s.%N)
  ./mvnw -B -q etask:run -Detask.spec=tasks/add-payment-tests.yaml -Detask.workDir="$work/etask" >/dev/null
  end=$(date +%s.%N)
  python3 - "$work/etask" "$start" "$end" <<'PY'
import json, sys
work, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
status = json.load(open(f"{work}/artifacts/add-payment-tests/status.json"))
print(f"wall {end - start:.1f}s  exit_code {status['exit_code']}  phases_ms {status['phases_ms']}")
for name in ("baseline", "batch-1"):
    d = json.load(open(f"{work}/add-payment-tests/reports/{name}.json"))["durationsMs"]
    print(f"  {name}: ruff {d.get('ruff')} ms, pytest+coverage {d.get('pytest')} ms, mypy {d.get('mypy')} ms"
          f" (sequential sum {sum(d.values())} ms; pytest and mypy run in parallel)")
PY
done
