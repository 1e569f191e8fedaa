#!/bin/sh
# tests/fresh-machine.sh (make fresh-machine): what a new user does, on a
# machine that has nothing, for each of Debian 12 and Debian 13. A minimal
# root filesystem (mmdebstrap --variant=minbase bookworm, or trixie, from
# this host's apt mirror, cached under /var/cache), a clone of this
# checkout's HEAD in /root/argoweb inside it, and there, in systemd-nspawn
# as a plain container with the host's network, as root:
#   1. the README's first command, exactly as the README writes it;
#   2. make deps (everything the test suite needs);
#   3. make deb rpm;
#   4. the unit tests, plain and under ASan+UBSan (this release's compilers).
# The README's second command (make check) is not run here: its booted
# systemd tests do not nest in a container; .ci/run runs it on the host.
# Each step's log is build/fresh-machine/SUITE/STEP.log; a failing step is
# named, with the last lines of its log, and the script exits 1.
#
#   FRESH_SUITES="bookworm trixie" (the default) the releases, run side by side;
#   FRESH_CACHE=DIR (default /var/cache/argoweb-fresh), FRESH_REBUILD=1
#   rebuilds the cached rootfs, FRESH_KEEP=1 keeps the container's tree.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${FRESH_CACHE:-/var/cache/argoweb-fresh}
SUITES=${FRESH_SUITES:-bookworm trixie}
# Bump when the way the rootfs is made changes.
FORMAT=1
LOGS0=$TOP/build/fresh-machine
W=

say() { echo "fresh-machine: $*"; }
die() { say "$*" >&2; exit 1; }
elapsed() { echo $(($(date +%s) - $1)); }

cleanup() {
	[ -n "$W" ] || return 0
	if [ -n "${FRESH_KEEP:-}" ]; then
		say "kept the container's tree: $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

[ "$(id -u)" = 0 ] || die "needs root (it builds a root filesystem and runs systemd-nspawn); CI runs it as root"
for c in mmdebstrap systemd-nspawn git flock; do
	command -v "$c" >/dev/null 2>&1 ||
		die "no $c on this host: apt-get install mmdebstrap systemd-container git util-linux"
done
mkdir -p "$LOGS0" "$CACHE" || die "cannot create $LOGS0 or $CACHE"
if [ -n "$(git -C "$TOP" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	say "note: uncommitted changes are not part of this run (it clones HEAD, as a user would)"
fi

# The rootfs, once per release: minbase and nothing else (no make, no
# compiler, no git).
build_rootfs() {
	(
		flock 9
		[ -f "$ROOTFS.ok" ] && [ -z "${FRESH_REBUILD:-}" ] && exit 0
		rm -rf "$ROOTFS" "$ROOTFS.ok" "$ROOTFS.new"
		say "building a minimal $SUITE root filesystem into $ROOTFS (once)"
		tb_sources | mmdebstrap --variant=minbase "$SUITE" "$ROOTFS.new" - >"$LOGS/rootfs.log" 2>&1 &&
			[ -x "$ROOTFS.new/usr/bin/apt-get" ] && mv "$ROOTFS.new" "$ROOTFS" && touch "$ROOTFS.ok"
	) 9>"$CACHE/lock"
	[ -f "$ROOTFS.ok" ]
}

# step NAME TIMEOUT COMMAND: run COMMAND with /bin/sh in /root/argoweb inside
# the container, as a login would: root, its own environment, the host's
# network. The apt archive cache is the only thing kept between runs.
step() {
	name=$1 limit=$2 cmd=$3
	log=$LOGS/$name.log
	say "$SUITE: step $name: $cmd"
	s=$(date +%s)
	timeout --kill-after=30 "$limit" systemd-nspawn -q -D "$W" --register=no --keep-unit --as-pid2 \
		--resolv-conf=copy-host --bind="$CACHE/apt-archives-$SUITE:/var/cache/apt/archives" \
		--chdir=/root/argoweb --setenv=HOME=/root --setenv=DEBIAN_FRONTEND=noninteractive \
		/bin/sh -c "$cmd" </dev/null >"$log" 2>&1
	rc=$?
	if [ "$rc" != 0 ]; then
		say "$SUITE: FAILED at step $name (exit $rc$([ "$rc" = 124 ] && echo ": timed out after $limit")) after $(elapsed "$s") s: $cmd" >&2
		say "last lines of $log:" >&2
		grep -v '^Attempted to remove disk file system' "$log" | tail -n 25 >&2
		exit 1
	fi
	say "$SUITE: step $name: ok ($(elapsed "$s") s)"
}

# One release: its rootfs, a private copy of it (the cache stays minbase)
# with the clone, and the steps.
fresh() {
	SUITE=$1
	TB_SUITE=$SUITE
	ROOTFS=$CACHE/rootfs-$SUITE-minbase-$FORMAT
	LOGS=$LOGS0/$SUITE
	mkdir -p "$LOGS" "$CACHE/apt-archives-$SUITE/partial" || die "cannot create $LOGS"
	t=$(date +%s)
	build_rootfs || {
		say "$SUITE: FAILED at step rootfs (mmdebstrap); last lines of $LOGS/rootfs.log:" >&2
		tail -n 20 "$LOGS/rootfs.log" >&2
		exit 1
	}
	say "$SUITE: rootfs ready ($(elapsed "$t") s): $ROOTFS"
	W=$(mktemp -d /var/tmp/argoweb-fresh.XXXXXX) || die "cannot create a directory in /var/tmp"
	cp -a "$ROOTFS/." "$W/" || die "cannot copy $ROOTFS to $W"
	git clone -q "$TOP" "$W/root/argoweb" || die "git clone $TOP into the container's /root/argoweb failed"
	chmod 0700 "$W/root"
	CMD1=$(README="$W/root/argoweb/README.md" "$TOP/tests/readme-command.sh" 1) || exit 1
	step readme-1 20m "$CMD1"
	step deps 20m "make deps"
	step packages 10m "make deb rpm && ls build/*.deb build/*.rpm"
	# This release's compilers (-Werror) and libraries, on the unit tests.
	step unit-tests 20m "make check-unit check-asan-unit"
	grep '^build/argoweb' "$LOGS/packages.log" | sed "s/^/  $SUITE: /"
	say "$SUITE: all steps passed ($(elapsed "$t") s)"
	cleanup
	W=
}

# The host's mirror, as the test bed finds it.
. "$TOP/tests/testbed/testbed.sh"
t0=$(date +%s)
# The releases side by side: each its own tree, archive cache and logs
# (the rootfs builds take turns on the cache's lock). Most of a step is
# waiting for the mirror and dpkg, so two at once take little longer
# than one.
pids=
for suite in $SUITES; do
	(trap cleanup EXIT; fresh "$suite") &
	pids="$pids $!"
done
rc=0
for p in $pids; do
	wait "$p" || rc=1
done
[ "$rc" = 0 ] || die "FAILED on at least one release (above)"
say "all steps passed on $SUITES ($(elapsed "$t0") s in all)"
