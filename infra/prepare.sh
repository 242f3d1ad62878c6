#!/usr/bin/env bash
# Shared set-up for start.sh and test.sh: Debian packages, the mediasoup worker, npm
# packages and the client build — each step skipped when already up to date.
# Source it: it exports MEDIASOUP_WORKER_BIN.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash infra/ensure-system.sh "$@"

echo "[setup] mediasoup worker (cached after the first ~5 min build)" >&2
MEDIASOUP_WORKER_BIN="$(bash infra/mediasoup/build-worker.sh)"
export MEDIASOUP_WORKER_BIN

# Install only when the lock file changed since the last install (the stamp is written after a
# complete install, so an interrupted one runs again). `npm ci` installs exactly the committed
# lock and never rewrites it, so a fresh clone stays clean; it refuses a package.json that the
# lock does not match, which is the check we want. MEDIASOUP_WORKER_BIN (above) makes mediasoup's
# postinstall skip its own worker download/build. onnxruntime-node (Silero VAD, see
# docs/research.md) ships its CPU binary in the package; ONNXRUNTIME_NODE_INSTALL=skip stops its
# postinstall fetching optional GPU files from nuget.org, which an offline school server cannot reach.
export ONNXRUNTIME_NODE_INSTALL=skip
stamp=node_modules/.tongbu-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi

# Rebuild the client when any of its sources (or the shared contract) changed.
client_sum=$(find client server/contract -type f \( -name '*.ts' -o -name '*.tsx' -o -name '*.css' -o -name '*.html' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ ! -f dist/client/index.html ] || [ "$(cat dist/.client.sha 2>/dev/null)" != "$client_sum" ]; then
  echo "[setup] building the web client" >&2
  npx vite build --config client/vite.config.ts >&2
  echo "$client_sum" > dist/.client.sha
fi
