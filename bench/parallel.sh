#!/usr/bin/env bash
# Five etask tasks at once (one batch each, one target file each, one shared cache folder, warm),
# as five Maven processes and as one etask:launch (one JVM), against one of them alone.
# Usage: bench/parallel.sh [tasks]
# Needs the plugin installed (./mvnw -q install -DskipTests).
set -euo pipefail
n=${1:-5}
source "$(dirname "$0")/click.sh"
p=$work/parallel
rm -rf "$p" && mkdir -p "$p/specs"
# the generator beside the specs: the sandbox shows a generator the spec's folder
cp "$here/gen_test.py" "$p/gen_test.py"
cp "$here/gen_test.py" "$p/specs/gen_test.py"

task() { # index workdir
  local id="par-$1" spec="$p/par-$1.yaml"
  cat >"$spec" <<YAML
id: $id
objective: "Add import tests"
repository: { url: "$origin" }
target: { include: ["${targets[$1]}"], writable: ["tests/**"] }
generator: { command: "python {spec_dir}/gen_test.py {file}", timeout: 2m }
pr: { provider: local }
YAML
  (cd "$root" && MAVEN_OPTS="-Xmx512m" ./mvnw -B -q etask:run -Detask.spec="$spec" \
    -Detask.workDir="$2" -Detask.cacheDir="$p/cache" >"$p/$id.log" 2>&1)
}

clean_origin; task 0 "$p/warm-up"          # fills the cache
clean_origin; s=$(date +%s.%N); task 0 "$p/one"; one=$(python3 -c "print($(date +%s.%N) - $s)")
clean_origin; s=$(date +%s.%N)
for i in $(seq 0 $((n - 1))); do task "$i" "$p/many" & done
wait
many=$(python3 -c "print($(date +%s.%N) - $s)")
grep -h '"exit_code"' "$p"/many/artifacts/*/status.json | sort | uniq -c
# the same tasks through etask:launch: one JVM, all at once
for i in $(seq 0 $((n - 1))); do cp "$p/par-$i.yaml" "$p/specs/"; done
clean_origin; s=$(date +%s.%N)
(cd "$root" && MAVEN_OPTS="-Xmx512m" ./mvnw -B -q etask:launch -Detask.tasks="$p/specs" \
  -Detask.parallel="$n" -Detask.workDir="$p/launch" -Detask.cacheDir="$p/cache" >"$p/launch.log" 2>&1)
launched=$(python3 -c "print($(date +%s.%N) - $s)")
grep -h '"exit_code"' "$p"/launch/artifacts/*/status.json | sort | uniq -c
printf 'one task: %.1f s; %d tasks at once: %.1f s as %d Maven processes (%.2f×), %.1f s with etask:launch (%.2f×)\n' \
  "$one" "$n" "$many" "$n" "$(python3 -c "print($many / $one)")" "$launched" "$(python3 -c "print($launched / $one)")"
