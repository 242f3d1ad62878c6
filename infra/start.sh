#!/usr/bin/env bash
# `npm start`: set everything up on a fresh Debian 12 machine and run the whole product
# (web + SFU + workers + embedded Redis + embedded database), seeding a demo community.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
exec npx tsx server/main.ts --seed-demo "$@"
