#!/usr/bin/env bash
# `npm run bench`: every benchmark in tests/bench, one after another (never concurrently: they
# measure CPU and time on this machine). Each writes tests/bench/results/<name>.json and its row
# in docs/benchmarks.md. Not run by CI.
#   npm run bench                  all of them
#   npm run bench -- join-time     only the named ones
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh" --test
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A benchmark is a tests/bench/*.ts whose first line starts with "// Benchmark:".
all=()
for f in tests/bench/*.ts; do
  head -1 "$f" | grep -q '^// Benchmark:' && all+=("$(basename "$f" .ts)")
done
names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${all[@]}")

failed=()
for name in "${names[@]}"; do
  [ -f "tests/bench/$name.ts" ] || { echo "no such benchmark: $name (have: ${all[*]})" >&2; exit 2; }
  echo "== bench $name"
  npx tsx "tests/bench/$name.ts" || failed+=("$name")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "benchmarks that failed to run: ${failed[*]}" >&2
  exit 1
fi
echo "results: tests/bench/results/*.json, summary: docs/benchmarks.md"
