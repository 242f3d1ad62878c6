#!/usr/bin/env bash
# Puts libsrtp 2.5.0's own sources, from Debian's archive, in place as the worker's libsrtp2
# subproject, built against OpenSSL as mediasoup intends.
#
# Why not Debian's libsrtp2 package: it is built with NSS as its crypto backend, whose per-call
# context set-up makes every SRTP protect/unprotect several times slower than OpenSSL's AES-NI
# path — and an SFU encrypts once per packet per consumer. The sources are the same upstream
# release Debian ships (libsrtp2_2.5.0.orig.tar.gz), fetched from the configured Debian mirror
# and checked against the sha256 in Debian's .dsc.
#   libsrtp-source.sh <subproject dir>
set -euo pipefail
DEST="$1"
FILE=libsrtp2_2.5.0.orig.tar.gz
SHA256=8a43ef8e9ae2b665292591af62aa1a4ae41e468b6d98d8258f91478735da4e09
CACHE="${TONGBU_CACHE_DIR:-$HOME/.cache/tongbu}/sources"
mkdir -p "$CACHE"

if ! echo "$SHA256  $CACHE/$FILE" | sha256sum -c --status 2>/dev/null; then
  # The mirror apt uses (deb822 or one-line sources), else Debian's default.
  mirror=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -1 | tr -d ' ' || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
  url="${mirror%/}/pool/main/libs/libsrtp2/$FILE"
  echo "[mediasoup-worker] fetching libsrtp 2.5.0 sources from Debian's archive ($url)" >&2
  curl -fsSL --retry 3 -o "$CACHE/$FILE.part" "$url"
  echo "$SHA256  $CACHE/$FILE.part" | sha256sum -c --status || { echo "libsrtp sources: checksum mismatch" >&2; exit 1; }
  mv "$CACHE/$FILE.part" "$CACHE/$FILE"
fi

rm -rf "$DEST"
mkdir -p "$DEST"
tar xzf "$CACHE/$FILE" -C "$DEST" --strip-components=1
