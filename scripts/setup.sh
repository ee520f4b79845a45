#!/usr/bin/env bash
# Sets up attune on a fresh Debian 12 machine with Node 20: the Debian packages its data and tests need,
# pnpm at the pinned version, the workspace's npm packages, then a build. Safe to run again (fast when done).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: dataset-fashion-mnist (real data for the zoo, tests and benchmarks), chromium (the web
# app's browser tests, driven by playwright-core; never a downloaded browser), redis-server (the BullMQ
# queue's tests), shellcheck (lints this script and .ci/run).
debian_packages=(dataset-fashion-mnist chromium redis-server shellcheck)
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  # As root, run apt-get directly; otherwise through sudo. `env` carries DEBIAN_FRONTEND either way (a bare
  # VAR=value after an empty "$sudo" expansion would be run as a command).
  as_root=()
  [ "$(id -u)" -ne 0 ] && as_root=(sudo)
  echo "setup: installing Debian packages: ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

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
