#!/usr/bin/env bash
# Sets up attune on a fresh Debian 12 machine with Node 20: the Debian packages its data and tests need
# (scripts/setup-debian.sh), pnpm at the pinned version, the workspace's npm packages, then a build. Safe to run
# again (fast when done).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh

# pnpm, pinned: newer 12.x lock files ask for platform builds this registry does not serve.
pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "setup: installing pnpm@$pnpm_version"
  npm install -g --no-fund --no-audit "pnpm@$pnpm_version"
fi

export TURBO_TELEMETRY_DISABLED=1
# better-sqlite3 compiles from source; node-gyp must use the headers Node ships here (it cannot download
# them). pnpm 12 does not pass ~/.npmrc's nodedir on, so say it in the environment.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
pnpm install --frozen-lockfile
pnpm build
