#!/usr/bin/env bash
# etask:validate by hand on a click checkout, twice, with an empty cache folder: (a) a checkout with
# a change (HEAD and the working tree measured; the second call takes HEAD from the cache), and
# (b) an unchanged checkout (measured once; the second call measures nothing).
# Usage: bench/validate.sh     Needs the plugin installed (./mvnw -q install -DskipTests).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=${BENCH_WORK:-$here/work}
origin=$("$here/prepare-click.sh")
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
v=$work/validate
rm -rf "$v" && mkdir -p "$v"
git clone -q "$origin" "$v/checkout"
plugin=$(cd "$root" && ./mvnw -q help:evaluate -Dexpression=project.groupId -DforceStdout -pl etask-maven-plugin):etask-maven-plugin:$(cd "$root" && ./mvnw -q help:evaluate -Dexpression=project.version -DforceStdout -pl etask-maven-plugin)

call() { # label
  (cd "$v/checkout" && MAVEN_OPTS="-Xmx512m" /usr/bin/time -f "%e %M" -o "$v/time.txt" \
    "$root/mvnw" -B -q "$plugin:validate" -Detask.workDir="$v/work" -Detask.cacheDir="$v/cache" \
    >"$v/$1.log" 2>&1) || true
  printf '%-34s %6.1f s  (peak RSS %d MB)\n' "$1" "$(cut -d' ' -f1 "$v/time.txt")" "$(( $(cut -d' ' -f2 "$v/time.txt") / 1024 ))"
}

# each scenario from an empty work folder and an empty cache folder: the first call builds the
# virtualenv and measures; the second reuses both
echo "# click: an unchanged checkout"
rm -rf "$v/work" "$v/cache"
call "unchanged, first call"
call "unchanged, second call"
echo "# click: a checkout with a change (the working tree is measured on every call)"
rm -rf "$v/work" "$v/cache"
echo "RETRIES = 3" >>"$v/checkout/src/click/globals.py"
call "changed, first call"
call "changed, second call"
git -C "$v/checkout" checkout -q -- .
grep -h "from the cache" "$v"/*.log | sed 's/^/  /' || true
