# Shared by the click benchmarks (source it): the origin (bench/prepare-click.sh), the target files,
# the generator beside the specs, one pack in the origin, and a task spec for the first N targets.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
work=${BENCH_WORK:-$here/work}
origin=$("$here/prepare-click.sh")
targets=(src/click/core.py src/click/decorators.py src/click/exceptions.py src/click/formatting.py
  src/click/parser.py src/click/termui.py src/click/types.py src/click/utils.py
  src/click/shell_completion.py src/click/globals.py)
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

clean_origin() {
  git -C "$origin" for-each-ref --format='%(refname:short)' refs/heads/auto/ | while read -r b; do
    git -C "$origin" branch -q -D "$b"; done
  # one pack, as a hosted origin keeps it: every run's push leaves a pack, and a clone that opens
  # hundreds of them measures the benchmark's history, not the flow
  git -C "$origin" gc -q --prune=now
}

# write_spec FILE ID N [EXTRA YAML]: a task adding import tests to the first N targets, its generator
# beside it (the sandbox shows a generator the spec's folder)
write_spec() {
  local include; include=$(printf '"%s", ' "${targets[@]:0:$3}")
  cp "$here/gen_test.py" "$(dirname "$1")/gen_test.py"
  cat >"$1" <<YAML
id: $2
objective: "Add import tests"
repository: { url: "$origin" }
target: { include: [${include%, }], writable: ["tests/**"] }
generator: { command: "python {spec_dir}/gen_test.py {file}", timeout: 2m }
limits: { max_commits: 50, max_runtime_minutes: 60 }
pr: { provider: local }
${4:-}
YAML
}
