#!/usr/bin/env bash
# `npm test`: the whole suite — typecheck, lint, unit/integration/fuzz (vitest, real mediasoup,
# real Redis, real ffmpeg, real database), then end-to-end in Debian Chromium (Playwright).
set -euo pipefail
# prepare.sh must stop the run on its first failure: source it under set -e, not behind `||`.
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh" --test
set +e
mkdir -p tests/.reports
rm -f tests/.reports/*.json
status=0

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit || status=1

echo "== lint"
# eslint.config.js over the whole tree: typescript-eslint's recommended rules, React's rules of
# hooks in client/, regular-expression safety (no super-linear pattern), no stale disable comment.
npm run --silent lint || status=1

echo "== unit, integration and fuzz tests (vitest)"
npx vitest run --config tests/vitest.config.ts --reporter=default --reporter=json \
  --exclude tests/integration/recording-overload.test.ts \
  --exclude tests/integration/heartbeat-under-load.test.ts \
  --outputFile.json=tests/.reports/vitest.json || status=1

# Alone, after the rest, one after the other: each saturates every core with stress-ng for
# minutes, which would skew the timing of every test running beside it (and they its figures).
# Recording under overload ≤ 7 min, the heartbeat under load ~2.5 min.
echo "== recording and signalling under CPU overload (vitest, alone)"
npx vitest run --config tests/vitest.config.ts --reporter=default --reporter=json --no-file-parallelism \
  --outputFile.json=tests/.reports/vitest-overload.json \
  tests/integration/recording-overload.test.ts tests/integration/heartbeat-under-load.test.ts || status=1

echo "== end-to-end tests (Playwright, Debian Chromium)"
PLAYWRIGHT_JSON_OUTPUT_FILE="$PWD/tests/.reports/playwright.json" \
  npx playwright test --config tests/e2e/playwright.config.ts --reporter=list,json || status=1

node infra/test-summary.mjs tests/.reports/vitest.json tests/.reports/vitest-overload.json tests/.reports/playwright.json || status=1
exit $status
