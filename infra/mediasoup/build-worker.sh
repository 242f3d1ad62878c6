#!/usr/bin/env bash
# Builds mediasoup's C++ worker from Debian's system libraries (no internet needed).
#
# mediasoup's own build downloads every dependency as a meson subproject. Here each
# subproject is replaced by a tiny meson.build that wraps the system library with
# dependency(), plus an empty static library where mediasoup's link_whole expects one.
# The worker's DTLS BIO callback is patched (see patch-dtls-bio.sh) because Debian's
# KTLS-enabled OpenSSL otherwise segfaults it on the first handshake, and a key-frame request
# the sender dropped is repeated sooner (patch-keyframe-retry.sh) for faster joins.
#
# Prints the path of the built binary on stdout (last line). The binary is cached in
# $TONGBU_CACHE_DIR (default ~/.cache/tongbu) keyed by mediasoup version, the versions
# of the system libraries and this script's own content, so a rebuild happens only
# when something that affects it changed. TONGBU_REBUILD_WORKER=1 forces a build.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="${MEDIASOUP_VERSION:-3.13.16}"
CACHE_ROOT="${TONGBU_CACHE_DIR:-$HOME/.cache/tongbu}/mediasoup-worker"
DEV_PKGS=(libuv1-dev libabsl-dev libssl-dev libusrsctp-dev libflatbuffers-dev flatbuffers-compiler meson ninja-build)

log() { echo "[mediasoup-worker] $*" >&2; }

missing=()
for p in "${DEV_PKGS[@]}" pkg-config g++ curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing build dependencies: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
      || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
  else
    log "missing Debian packages; run: sudo apt-get install -y ${missing[*]}"; exit 1
  fi
fi

libs_fingerprint=$(dpkg-query -W -f='${Package}=${Version}\n' "${DEV_PKGS[@]}" | sort)
key=$( { echo "$VERSION"; echo "$libs_fingerprint"; cat "$HERE"/*.sh; } | sha256sum | cut -c1-16)
CACHE_DIR="$CACHE_ROOT/$VERSION-$key"
BIN="$CACHE_DIR/mediasoup-worker"

if [ -x "$BIN" ] && [ "${TONGBU_REBUILD_WORKER:-0}" != 1 ]; then
  log "cached worker $VERSION ($key) reused"
  echo "$BIN"; exit 0
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
log "fetching mediasoup@$VERSION sources from the npm registry"
(cd "$WORK" && npm pack --silent "mediasoup@$VERSION" >/dev/null && tar xzf "mediasoup-$VERSION.tgz")
SRC="$WORK/package/worker"

bash "$HERE/patch-dtls-bio.sh" "$SRC"
bash "$HERE/patch-keyframe-retry.sh" "$SRC"
bash "$HERE/system-subprojects.sh" "$SRC"

# Debian bookworm ships meson 1.0.1; the worker's meson.build uses nothing newer.
sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" "$SRC/meson.build"

cd "$SRC"
log "configuring (meson)"
meson setup build --buildtype=release -Dms_disable_liburing=true -Db_ndebug=true >"$WORK/meson.log" 2>&1 \
  || { cat "$WORK/meson.log" >&2; exit 1; }
# The generated FlatBuffers headers are a directory output ninja cannot track: make them first.
log "generating FlatBuffers headers"
ninja -C build fbs/FBS >&2
jobs="${TONGBU_BUILD_JOBS:-$(nproc)}"
log "compiling with $jobs jobs (about 5 minutes on 2 cores)"
# ninja prints [n/N] progress lines; keep them visible as the long step's progress.
ninja -C build -j "$jobs" mediasoup-worker 2>&1 | awk '/^\[[0-9]+\/[0-9]+\]/ { if (NR % 20 == 0) { printf "[mediasoup-worker] %s\n", $1 > "/dev/stderr" } next } { print > "/dev/stderr" }'
[ "${PIPESTATUS[0]}" = 0 ] || { log "build failed"; exit 1; }

mkdir -p "$CACHE_DIR"
strip -o "$BIN.tmp" build/mediasoup-worker
mv "$BIN.tmp" "$BIN"
log "built $BIN"
echo "$BIN"
