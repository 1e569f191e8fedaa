#!/bin/sh
# Install what building and testing argoweb needs, on Debian/Ubuntu, only
# when something is missing (so `make check` is one command on a fresh
# machine and a no-op otherwise).
set -eu
# `deps.sh build`: what building argoweb and `make demo` need; without an
# argument, also everything the test suite uses. Found by running on a
# minimal Debian 12 and 13 (tests/fresh-machine.sh), not by reading:
# apt's --no-install-recommends leaves gcc without libc6-dev,
# dpkg-buildpackage wants build-essential itself, clang's runtime is
# libclang-rt-dev on both (libclang-rt-14-dev is Debian 12's alone), and
# Debian 13's rpmbuild strips into a -debuginfo package with eu-strip
# (elfutils), which rpm does not pull in.
PKGS="gcc libc6-dev make pkg-config libyaml-dev libcap-dev curl"
[ "${1:-}" = build ] || PKGS="$PKGS build-essential clang libclang-rt-dev
      valgrind mandoc iproute2 procps util-linux git python3
      nix-bin
      dpkg-dev debhelper lintian blhc rpm rpmlint elfutils systemd
      cloud-init python3-yaml systemd-container mmdebstrap"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "argoweb: missing packages:$missing (run: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "argoweb: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
