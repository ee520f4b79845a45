#!/usr/bin/env bash
# The stand-ins are written with printf from single-quoted text: their $-expressions are meant for them.
# shellcheck disable=SC2016
# Tests of the setup scripts, run by .ci/run: shellcheck on every script, then scripts/setup-debian.sh's
# install branches against stand-in commands (id, sudo, dpkg-query, apt-get first on PATH) that record what
# they were asked to do, so the root and the non-root-with-sudo branches are both checked on any machine.
set -euo pipefail
cd "$(dirname "$0")/.."

shellcheck scripts/*.sh .ci/run
echo "test-setup: shellcheck clean"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# fake_bin <uid> <installed: yes|no> <with sudo: yes|no>: a bin folder of stand-ins writing to $work/log.
fake_bin() {
  local bin="$work/bin-$1-$2-$3"
  mkdir -p "$bin"
  printf '#!/bin/sh\nif [ "$1" = -u ]; then echo %s; else /usr/bin/id "$@"; fi\n' "$1" >"$bin/id"
  if [ "$2" = yes ]; then
    printf '#!/bin/sh\nprintf "install ok installed"\n' >"$bin/dpkg-query"
  else
    printf '#!/bin/sh\nprintf "unknown ok not-installed"\n' >"$bin/dpkg-query"
  fi
  # apt-get records its arguments and the DEBIAN_FRONTEND it saw; sudo records itself, then runs the rest.
  printf '#!/bin/sh\necho "apt-get $* [DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-unset}]" >>"%s/log"\n' "$work" >"$bin/apt-get"
  if [ "$3" = yes ]; then printf '#!/bin/sh\necho "sudo $*" >>"%s/log"\nexec "$@"\n' "$work" >"$bin/sudo"; fi
  chmod +x "$bin"/*
  echo "$bin"
}

# run_case <name> <uid> <installed> <sudo> <reinstall> <expected exit> <expected log lines...>
run_case() {
  local name=$1 uid=$2 installed=$3 with_sudo=$4 reinstall=$5 want_rc=$6
  shift 6
  local bin path rc=0
  bin=$(fake_bin "$uid" "$installed" "$with_sudo")
  # Without sudo, keep only folders that have no sudo of their own (the stand-ins, then the basics).
  path="$bin:/usr/bin:/bin"
  [ "$with_sudo" = no ] && [ -x /usr/bin/sudo ] && path="$bin:$work/nosudo" && mkdir -p "$work/nosudo" &&
    for tool in bash sh env grep cat printf; do ln -sf "$(command -v "$tool")" "$work/nosudo/$tool"; done
  : >"$work/log"
  env -u DEBIAN_FRONTEND PATH="$path" ATTUNE_SETUP_REINSTALL_DEBIAN="$reinstall" bash scripts/setup-debian.sh \
    >"$work/out" 2>&1 || rc=$?
  local expected actual
  expected=$(printf '%s\n' "$@")
  actual=$(cat "$work/log")
  [ "$#" -eq 0 ] && expected=''
  if [ "$rc" -ne "$want_rc" ] || [ "$actual" != "$expected" ]; then
    echo "FAIL $name: exit $rc (expected $want_rc)"
    echo "  expected log:"; printf '    %s\n' "$expected"
    echo "  actual log:"; printf '    %s\n' "$actual"
    echo "  output:"; sed 's/^/    /' "$work/out"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

all='dataset-fashion-mnist chromium redis-server shellcheck'
run_case 'root, nothing installed: apt-get directly' 0 no yes '' 0 \
  'apt-get update -qq [DEBIAN_FRONTEND=unset]' \
  "apt-get install -y -qq --no-install-recommends $all [DEBIAN_FRONTEND=noninteractive]"
run_case 'non-root, nothing installed: through sudo' 1000 no yes '' 0 \
  'sudo apt-get update -qq' \
  'apt-get update -qq [DEBIAN_FRONTEND=unset]' \
  "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $all" \
  "apt-get install -y -qq --no-install-recommends $all [DEBIAN_FRONTEND=noninteractive]"
run_case 'everything installed: apt-get not run' 1000 yes yes '' 0
run_case 'reinstall one package as root' 0 yes yes dataset-fashion-mnist 0 \
  'apt-get update -qq [DEBIAN_FRONTEND=unset]' \
  'apt-get install -y -qq --no-install-recommends --reinstall dataset-fashion-mnist [DEBIAN_FRONTEND=noninteractive]'
run_case 'reinstall all through sudo' 1000 yes yes 1 0 \
  'sudo apt-get update -qq' \
  'apt-get update -qq [DEBIAN_FRONTEND=unset]' \
  "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --reinstall $all" \
  "apt-get install -y -qq --no-install-recommends --reinstall $all [DEBIAN_FRONTEND=noninteractive]"
run_case 'reinstall of an unknown package is refused' 0 yes yes dataset-fashion 2
grep -q 'names "dataset-fashion", which setup does not install' "$work/out" ||
  { echo 'FAIL unknown-package message'; failures=$((failures + 1)); }
run_case 'non-root without sudo is refused' 1000 no no '' 1
grep -q 'not root and no sudo' "$work/out" || { echo 'FAIL no-sudo message'; failures=$((failures + 1)); }

if [ "$failures" -gt 0 ]; then
  echo "test-setup: $failures failed"
  exit 1
fi
echo "test-setup: all cases passed"
