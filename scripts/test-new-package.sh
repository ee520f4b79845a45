#!/usr/bin/env bash
# Checks that `node scripts/new-package.mjs method <name>` scaffolds a method package that installs, builds,
# lints, typechecks and passes its own tests as generated, and that the CLI discovers its plugin. The
# package is generated under a throwaway name and removed afterwards with the lockfile restored.
set -euo pipefail
cd "$(dirname "$0")/.."
name=scaffold-check
dir=packages/methods/$name
cleanup() {
  rm -rf "$dir"
  git checkout --quiet -- pnpm-lock.yaml
  pnpm install --offline --frozen-lockfile >/dev/null 2>&1 || pnpm install --frozen-lockfile >/dev/null
}
[ -e "$dir" ] && { echo "$dir exists; remove it first" >&2; exit 1; }
trap cleanup EXIT
node scripts/new-package.mjs method "$name" "Scaffold check: zero-shot CLIP with a logit temperature."
pnpm install --offline --no-frozen-lockfile >/dev/null 2>&1 || pnpm install --no-frozen-lockfile >/dev/null
pnpm --filter "@attune/method-$name" build
pnpm --filter "@attune/method-$name" typecheck
pnpm --filter "@attune/method-$name" lint
pnpm --filter "@attune/method-$name" test
node apps/cli/dist/bin.js list | grep -q "^$name " || { echo "attune list does not show $name" >&2; exit 1; }
echo "new-package: the scaffolded method package builds, lints and passes its tests"
