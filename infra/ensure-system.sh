#!/usr/bin/env bash
# Installs the Debian packages Tongbu needs (or prints the apt command when not root).
#   infra/ensure-system.sh            runtime: redis-server, ffmpeg, fonts
#   infra/ensure-system.sh --test     also Chromium for the end-to-end tests, PostgreSQL for the multi-process tests,
#                                     stress-ng for the overload tests
set -euo pipefail
pkgs=(redis-server ffmpeg fonts-noto-cjk ca-certificates)
[ "${1:-}" = "--test" ] && pkgs+=(chromium espeak-ng sox iproute2 postgresql stress-ng)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Tongbu needs these Debian packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "[setup] installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
  || { apt-get update >&2 && apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
