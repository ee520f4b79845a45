#!/usr/bin/env bash
# Installs the Debian packages attune needs, as root directly or through sudo otherwise. Called by setup.sh;
# tested on its own by scripts/test-setup.sh.
#   dataset-fashion-mnist  real data for the zoo, tests and benchmarks
#   chromium               the web app's browser tests, driven by playwright-core (never a downloaded browser)
#   redis-server           the BullMQ queue's tests
#   the shellcheck linter  checks this script, setup.sh and .ci/run
# ATTUNE_SETUP_REINSTALL_DEBIAN reinstalls packages that are already present (apt-get install --reinstall),
# so CI runs the install branch on machines that have everything: "1" for all of them, or a comma-separated
# list of names (CI reinstalls dataset-fashion-mnist only: chromium is large).
set -euo pipefail

debian_packages=(dataset-fashion-mnist chromium redis-server shellcheck)

reinstall=()
case "${ATTUNE_SETUP_REINSTALL_DEBIAN:-}" in
  '' | 0) ;;
  1) reinstall=("${debian_packages[@]}") ;;
  *)
    IFS=',' read -r -a reinstall <<<"$ATTUNE_SETUP_REINSTALL_DEBIAN"
    for pkg in "${reinstall[@]}"; do
      if [[ " ${debian_packages[*]} " != *" $pkg "* ]]; then
        echo "setup: ATTUNE_SETUP_REINSTALL_DEBIAN names \"$pkg\", which setup does not install;" \
          "expected 1 (all) or a comma-separated list of: ${debian_packages[*]}" >&2
        exit 2
      fi
    done
    ;;
esac

missing=()
for pkg in "${debian_packages[@]}"; do
  if [[ " ${reinstall[*]} " == *" $pkg "* ]]; then continue; fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

# As root, run apt-get directly; otherwise through sudo. `env` carries DEBIAN_FRONTEND either way (a bare
# VAR=value after an empty "$sudo" expansion would be run as a command).
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "setup: not root and no sudo: run as root, or install sudo, or install these Debian packages" \
      "first: ${missing[*]} ${reinstall[*]}" >&2
    exit 1
  fi
  as_root=(sudo)
fi
apt_install=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends)

if [ "${#missing[@]}" -gt 0 ] || [ "${#reinstall[@]}" -gt 0 ]; then
  "${as_root[@]}" apt-get update -qq
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  "${apt_install[@]}" "${missing[@]}"
fi
if [ "${#reinstall[@]}" -gt 0 ]; then
  echo "setup: reinstalling Debian packages: ${reinstall[*]}"
  "${apt_install[@]}" --reinstall "${reinstall[@]}"
fi
