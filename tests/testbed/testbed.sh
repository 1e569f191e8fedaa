# A real systemd as PID 1 for the tests: Debian 12 (systemd 252) or Debian
# 13 (systemd 257, TB_SUITE=trixie) booted with systemd-nspawn from a
# cached root filesystem. Sourced by a test (POSIX sh); tests/run-system.sh
# runs each test tagged "testbed" once per release (TB_SUITES).
#
#   tb_available || skip ... "$TB_WHY"     root, nspawn, nsenter
#   tb_rootfs [PKG...] || skip ...         build or reuse the cached rootfs
#   tb_boot [NSPAWN-ARG...] || skip ...    boot it; sets TB_PID1, TB_SHARE
#   tb_exec CMD...                         run CMD inside (clean environment)
#   tb_sh [ARG...] <<'EOF' ... EOF         run a shell script inside
#   tb_copy_in HOST-FILE PATH MODE         copy a file in (root-owned)
#   tb_install_argoweb BINARY              `make install` (PREFIX=/usr) inside
#   tb_shutdown                            power off; nothing left running
#   tb_persist || skip ...                 from now on, boot a private copy
#                                          that keeps its changes: tb_shutdown
#                                          then tb_boot is a reboot
#   tb_unpersist                           remove that copy (after tb_shutdown)
#   tb_save NAME / tb_use NAME             several containers: keep the booted
#                                          one as NAME / act on NAME again
#   tb_shutdown_all                        power every saved one off
#
# Every function that can fail sets TB_WHY to one line saying why. The
# caller should `trap tb_shutdown EXIT` (tb_boot also ties the container to
# the caller's life: if the test dies, the container is powered off).
# See tests/testbed/README.md.

TB_CACHE=${TB_CACHE:-/var/cache/argoweb-testbed}
TB_SUITE=${TB_SUITE:-bookworm}
# What every test bed has; a caller adds its own with tb_rootfs PKG...
# (each distinct list is its own cached rootfs).
TB_PACKAGES=${TB_PACKAGES:-systemd dbus libsystemd0 libyaml-0-2 libcap2 procps}
# Bump when the way the rootfs is made changes: old caches are not reused.
TB_FORMAT=2
TB_BOOT_TIMEOUT=${TB_BOOT_TIMEOUT:-60}
TB_TOP=${TB_TOP:-${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}}
# The packages the installed tests put inside (deb_path, pkg_build...).
. "$TB_TOP/tests/packages.sh"
# What the booted tests ask of it from the host.
. "$TB_TOP/tests/testbed/host.sh"
TB_WHY=
TB_NSPAWN=
TB_PID1=
TB_DIR=
TB_CGROUPS=
TB_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
TB_PERSIST=

tb_log() { echo "# testbed: $*" >&2; }

# Several containers at once (hosts): tb_boot one, then tb_save NAME; later
# tb_use NAME makes it the one tb_exec, tb_sh, tb_copy_in and tb_shutdown act
# on; tb_shutdown_all powers every saved one off.
TB_VARS="TB_DIR TB_SHARE TB_ID TB_MACHINE TB_NSPAWN TB_PID1 TB_CGROUPS"
TB_SAVED=
tb_save() {
	for v in $TB_VARS; do eval "TB_H_${1}_$v=\${$v}"; done
	case " $TB_SAVED " in *" $1 "*) ;; *) TB_SAVED="$TB_SAVED $1";; esac
}
tb_use() {
	for v in $TB_VARS; do eval "$v=\${TB_H_${1}_$v}"; done
}
tb_shutdown_all() {
	for h in $TB_SAVED; do
		tb_use "$h"
		tb_shutdown
		tb_save "$h"
	done
}

# Is a process alive (not gone, not a zombie)?
tb_alive() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
		[ "$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# How this host runs containers: "systemd" (PID 1 is systemd: nspawn gets
# a scope of its own), else "plain" (nspawn keeps the caller's cgroup).
tb_host_kind() {
	if [ -d /run/systemd/system ] && [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
		echo systemd
	else
		echo plain
	fi
}

tb_cgroup_kind() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo unified
	elif [ -d /sys/fs/cgroup/unified ]; then echo hybrid
	else echo legacy
	fi
}

tb_available() {
	if [ "$(id -u)" != 0 ]; then
		TB_WHY="needs root (systemd-nspawn boots a container); CI runs as root"
		return 1
	fi
	for c in systemd-nspawn nsenter; do
		if ! command -v "$c" >/dev/null 2>&1; then
			TB_WHY="no $c on this host (apt-get install systemd-container util-linux; make deps does it)"
			return 1
		fi
	done
	return 0
}

# The tests that install the .deb in the test bed and run the real
# connector against cf-edge there (115-118, 160, 170) start alike
# (tb_real_start, below, for those with one test bed): tb_real_why prints
# why they cannot run here (nothing when they can); tb_real_deb builds
# build/argoweb_VERSION_ARCH.deb into
# DEB, with its TAP line, and ends the test if it cannot; tb_real_copy_in
# puts the .deb, the origin ($ORIGIN), inside.sh and the two test tools
# inside, the tools never into the project.
tb_real_why() {
	if [ -z "${REAL_CLOUDFLARED:-}" ]; then
		echo "no REAL_CLOUDFLARED (a real cloudflared; .ci/run sets it from ../shared/bin)"
	elif [ -z "${CF_EDGE:-}" ]; then
		echo "no CF_EDGE (the edge emulator; .ci/run sets it from ../shared/bin)"
	elif ! tb_available; then
		echo "$TB_WHY"
	elif ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
		echo "no dpkg-buildpackage/debhelper to build the .deb (apt-get install dpkg-dev debhelper)"
	fi
}
tb_real_deb() {
	DEB=$(deb_path)
	pkg_build deb "$T/deb.log" "$DEB"
	rc=$?
	check "the .deb to install: build/${DEB##*/} (exit $rc)" [ "$rc" = 0 ] && [ -f "$DEB" ]
	[ "$rc" = 0 ] || { tail -n 20 "$T/deb.log" | sed 's/^/#   /'; done_testing; exit 1; }
}
tb_real_copy_in() {
	cp "$DEB" "$TB_SHARE/argoweb.deb"
	cp "$ORIGIN" "$TB_SHARE/origin"
	cp "$TB_TOP/tests/testbed/inside.sh" "$TB_TOP/tests/waitfor.sh" "$TB_SHARE/"
	tb_copy_in "$REAL_CLOUDFLARED" /usr/bin/cloudflared 0755
	tb_copy_in "$CF_EDGE" /usr/local/bin/cf-edge 0755
}

# tb_real_start "WHAT" [python3] [curl] [upgrade] [persist]: how every
# booted test against the real connector opens. The traps that shut the
# test bed down; WHAT is what it proves (T_WHAT), said with the reason when
# it cannot run here (lib.sh's bail_skip REASON says it and ends the
# test); python3, curl: it talks to cf-edge with them;
# upgrade: it builds the newer package too (UPDEB); persist: a reboot is to
# come (tb_persist). Then the .deb (DEB), the rootfs, the boot, CF_RELEASE,
# the header line, and t0 for stamp.
tb_real_start() {
	T_WHAT=$1
	shift
	trap 'tb_shutdown; tb_unpersist; t_cleanup' EXIT
	trap 'exit 130' INT TERM HUP
	: "${ORIGIN:?set ORIGIN to tests/origin}"
	_why=$(tb_real_why)
	[ -z "$_why" ] || bail_skip "$_why"
	for _tool in python3 curl; do
		case " $* " in *" $_tool "*)
			command -v "$_tool" >/dev/null || bail_skip "no $_tool on the host to talk to cf-edge" ;;
		esac
	done
	tb_real_deb
	case " $* " in *" upgrade "*)
		UPDEB=$(upgrade_deb_path)
		pkg_build_upgrade "$T/up.log" "$DEB"
		_rc=$?
		check "the upgrade package ${UPDEB##*/} (exit $_rc)" [ "$_rc" = 0 ] && [ -f "$UPDEB" ]
		[ "$_rc" = 0 ] || tail -n 20 "$T/up.log" | show ;;
	esac
	tb_rootfs || bail_skip "$TB_WHY"
	case " $* " in *" persist "*) tb_persist || bail_skip "$TB_WHY" ;; esac
	tb_boot || bail_skip "$TB_WHY"
	CF_RELEASE=$(cf_release)
	echo "# Debian $TB_SUITE, systemd $(tb_systemd_version), cloudflared $CF_RELEASE"
	t0=$(date +%s)
}
# stamp TEXT: "# [S s] TEXT", S the seconds since t0.
stamp() { echo "# [$(($(date +%s) - t0)) s] $*"; }

# The host's apt sources for the test bed's suite, one-line style
# ("deb URI SUITE COMPONENTS"), from sources.list and deb822 .sources files;
# TB_MIRROR (one-line entries separated by newlines) overrides.
tb_sources() {
	if [ -n "${TB_MIRROR:-}" ]; then
		printf '%s\n' "$TB_MIRROR"
		return
	fi
	{
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?/deb /p'
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			awk 'function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled != "no")
					for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
						print "deb " u[i] " " s[j] " " comps
				types = ""; nu = ns = 0; comps = ""; enabled = ""
			}
			/^[[:space:]]*$/ { flush(); next }
			/^#/ { next }
			{ k = tolower($1); sub(/:$/, "", k); $1 = "" ; sub(/^ /, "") }
			k == "types" { types = $0 }
			k == "uris" { nu = split($0, u, " ") }
			k == "suites" { ns = split($0, s, " ") }
			k == "components" { comps = $0 }
			k == "enabled" { enabled = tolower($0) }
			END { flush() }' "$f"
		done
	} | awk -v suite="$TB_SUITE" '$3 == suite || index($3, suite "-") == 1' | sort -u |
		grep . || printf 'deb http://deb.debian.org/debian %s main\ndeb http://deb.debian.org/debian %s-updates main\ndeb http://deb.debian.org/debian-security %s-security main\n' \
			"$TB_SUITE" "$TB_SUITE" "$TB_SUITE"
}

# Units a test bed does not want running behind the tests' backs.
TB_MASK="apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer
	fstrim.timer systemd-tmpfiles-clean.timer"

# What an installed Debian has and a minbase rootfs lacks: /etc/hosts
# naming localhost (the installer writes it). cloudflared, a static Go
# binary, resolves an origin's "localhost" from it, and asks DNS without it.
TB_HOSTS='127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback'

# tb_build_rootfs DIR PKGS(comma-separated): build a fresh rootfs into DIR.
tb_build_rootfs() {
	dir=$1 pkgs=$2
	if command -v mmdebstrap >/dev/null 2>&1; then
		# The sources reach mmdebstrap on stdin ("-" as the mirror).
		# shellcheck disable=SC2086 # a list of names
		mask=$(printf '%s\n' $TB_MASK | paste -sd' ' -)
		# shellcheck disable=SC2016 # $1 is the hook's: the rootfs
		tb_sources | mmdebstrap --variant=minbase --include="$pkgs" \
			--customize-hook='for u in '"$mask"'; do ln -sf /dev/null "$1/etc/systemd/system/$u"; done' \
			--customize-hook='printf "%s\n" "'"$TB_HOSTS"'" >"$1/etc/hosts"' \
			"$TB_SUITE" "$dir" -
	else
		mirror=$(tb_sources | awk 'NR == 1 { print $2 }')
		debootstrap --variant=minbase --include="$pkgs" "$TB_SUITE" "$dir" "$mirror" &&
			for u in $TB_MASK; do ln -sf /dev/null "$dir/etc/systemd/system/$u"; done &&
			printf '%s\n' "$TB_HOSTS" >"$dir/etc/hosts"
	fi
}

# tb_rootfs [PKG...]: the cached rootfs for TB_PACKAGES plus PKG...; sets
# TB_ROOT. Built once (serialised with a lock between parallel tests) into
# $TB_CACHE/rootfs-HASH; a finished one has $TB_CACHE/rootfs-HASH.ok.
# TB_ROOTFS=DIR uses that directory as it is; TB_REBUILD=1 rebuilds.
tb_rootfs() {
	if [ -n "${TB_ROOTFS:-}" ]; then
		TB_ROOT=$TB_ROOTFS
		[ -x "$TB_ROOT/lib/systemd/systemd" ] && return 0
		TB_WHY="TB_ROOTFS=$TB_ROOTFS has no /lib/systemd/systemd"
		return 1
	fi
	# shellcheck disable=SC2086 # a list of names
	pkgs=$(printf '%s\n' $TB_PACKAGES "$@" | sort -u | paste -sd, -)
	key=$(printf '%s\n' "$TB_FORMAT" "$TB_SUITE" "$pkgs" "$TB_MASK" | sha256sum | cut -c1-16)
	TB_ROOT=$TB_CACHE/rootfs-$key
	if [ -f "$TB_ROOT.ok" ] && [ -z "${TB_REBUILD:-}" ]; then
		return 0
	fi
	if ! command -v mmdebstrap >/dev/null 2>&1 && ! command -v debootstrap >/dev/null 2>&1; then
		TB_WHY="neither mmdebstrap nor debootstrap to build the rootfs (apt-get install mmdebstrap)"
		return 1
	fi
	if ! mkdir -p "$TB_CACHE" || ! chmod 0755 "$TB_CACHE"; then
		TB_WHY="cannot create $TB_CACHE"
		return 1
	fi
	log=$TB_CACHE/rootfs-$key.log
	(
		flock 9
		if [ -f "$TB_ROOT.ok" ] && [ -z "${TB_REBUILD:-}" ]; then
			exit 0   # another test built it while we waited
		fi
		rm -rf "$TB_ROOT" "$TB_ROOT.ok" "$TB_ROOT.new"
		tb_log "building the $TB_SUITE rootfs ($pkgs) into $TB_ROOT (once; log $log)"
		if tb_build_rootfs "$TB_ROOT.new" "$pkgs" >"$log" 2>&1 &&
			[ -x "$TB_ROOT.new/lib/systemd/systemd" ]; then
			mv "$TB_ROOT.new" "$TB_ROOT" && touch "$TB_ROOT.ok"
		else
			rm -rf "$TB_ROOT.new"
			exit 1
		fi
	) 9>"$TB_CACHE/lock"
	if [ ! -f "$TB_ROOT.ok" ]; then
		TB_WHY="cannot build the $TB_SUITE rootfs (no mirror reachable?): $(grep -v '^I:' "$log" 2>/dev/null | tail -n 2 | tr '\n' ' ')(log $log)"
		return 1
	fi
	return 0
}

# The container's PID 1: a child of nspawn in another PID namespace whose
# command is systemd.
tb_find_pid1() {
	for c in $(pgrep -P "$TB_NSPAWN" 2>/dev/null); do
		if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ] &&
			[ "$(readlink "/proc/$c/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# The cgroup hierarchies nspawn's own cgroup must be made in: name=systemd
# (legacy, hybrid) and the unified one (hybrid, unified).
tb_cgroup_roots() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo /sys/fs/cgroup
		return
	fi
	for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
		[ -f "$h/cgroup.procs" ] && echo "$h"
	done
}

# With --keep-unit nspawn puts the container in payload/ beside itself
# (supervisor/) under the cgroup it was started in. Started where the host's
# processes are (no systemd on the host: usually the root), two containers
# would share payload/: their systemds would create the same
# system.slice/UNIT cgroups and wait for each other's processes to leave
# them (stops hanging in final-sigterm). So each test bed starts nspawn in
# a cgroup of its own, argoweb-testbed-PID-ID at each hierarchy's root.
tb_cgroup_make() {
	TB_CGROUPS=
	for h in $(tb_cgroup_roots); do
		# Leftovers of test beds whose shell was killed.
		for d in "$h"/argoweb-testbed-*; do
			p=${d##*/argoweb-testbed-}
			p=${p%%-*}
			[ -d "$d" ] && ! kill -0 "$p" 2>/dev/null &&
				find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done
		d=$h/argoweb-testbed-$$-$TB_ID
		mkdir "$d" 2>/dev/null || { tb_log "cannot create $d: containers started in parallel may disturb each other"; continue; }
		TB_CGROUPS="$TB_CGROUPS $d"
	done
}

tb_cgroup_remove() {
	for d in $TB_CGROUPS; do
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null ||
			tb_log "cannot remove $d (processes left in it: $(tr '\n' ' ' <"$d/cgroup.procs" 2>/dev/null))"
	done
	TB_CGROUPS=
}

# tb_start_nspawn KEEP_UNIT(yes|no) EXTRA-ARGS...: start it, wait for PID 1.
tb_start_nspawn() {
	keep=$1; shift
	# A persistent copy (tb_persist) keeps what the boot changes; the
	# cached rootfs itself only ever gets a throwaway overlay.
	root="-D $TB_ROOT --volatile=overlay"
	[ -n "$TB_PERSIST" ] && root="-D $TB_PERSIST/root --volatile=no"
	# shellcheck disable=SC2086 # two options and their values, no blanks in them
	set -- $root --boot --register=no --private-network \
		--machine="$TB_MACHINE" --console=read-only --bind="$TB_SHARE:/testbed" "$@"
	TB_CGROUPS=
	if [ "$keep" = yes ]; then
		set -- --keep-unit "$@"
		tb_cgroup_make
	fi
	# Powered off (SIGTERM to nspawn) if this shell dies without cleaning up.
	pd=
	setpriv --help 2>/dev/null | grep -q pdeathsig && pd="setpriv --pdeathsig TERM --"
	tb_log "systemd-nspawn $*"
	# The shell moves itself into the cgroups, then becomes nspawn (same
	# PID, so the parent-death signal still refers to this shell).
	# shellcheck disable=SC2086
	TB_CGROUPS=$TB_CGROUPS sh -c 'for c in $TB_CGROUPS; do echo $$ >"$c/cgroup.procs" || exit 125; done; exec "$@"' \
		tb-nspawn $pd systemd-nspawn "$@" >>"$TB_DIR/console.log" 2>&1 </dev/null &
	TB_NSPAWN=$!
	i=0
	while [ $i -lt 200 ]; do
		if TB_PID1=$(tb_find_pid1); then
			return 0
		fi
		tb_alive "$TB_NSPAWN" || break
		sleep 0.1
		i=$((i + 1))
	done
	TB_PID1=
	tb_alive "$TB_NSPAWN" && kill -KILL "$TB_NSPAWN" 2>/dev/null
	wait "$TB_NSPAWN" 2>/dev/null
	TB_NSPAWN=
	tb_cgroup_remove
	return 1
}

# tb_boot [NSPAWN-ARG...]: boot the rootfs (tb_rootfs first), with
# --volatile=overlay (the cache stays clean), loopback-only networking and
# the host directory $TB_SHARE at /testbed. Waits for the boot to finish.
tb_boot() {
	# Directories of test beds whose shell was killed (SIGKILL skips the
	# trap; the container itself went with it, see tb_start_nspawn).
	for d in /run/argoweb-testbed.*.*; do
		p=${d#/run/argoweb-testbed.}
		p=${p%%.*}
		[ -d "$d" ] && [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null && rm -rf "$d"
	done
	TB_DIR=$(mktemp -d "/run/argoweb-testbed.$$.XXXXXX") || {
		TB_WHY="cannot create a directory under /run"
		return 1
	}
	chmod 0755 "$TB_DIR"
	TB_SHARE=$TB_DIR/share
	mkdir -m 0755 "$TB_SHARE"
	TB_ID=$(basename "$TB_DIR" | cut -d. -f3 | tr '[:upper:]' '[:lower:]')
	TB_MACHINE=awtb-$$-$TB_ID
	kind=$(tb_host_kind)
	tb_log "host: PID 1 $(cat /proc/1/comm 2>/dev/null), $(tb_cgroup_kind) cgroups, $(systemd-nspawn --version | head -n1)"
	started=
	if [ "$kind" = systemd ]; then
		# nspawn asks the host's systemd for a scope (cgroup v2 needs one
		# delegated to it); if the bus is not usable, keep our own unit.
		if tb_start_nspawn no "$@"; then
			started=1
		else
			tb_log "no scope from the host's systemd; retrying with --keep-unit"
			tb_start_nspawn yes "$@" && started=1
		fi
	else
		# No systemd on the host: no bus to ask for a scope.
		tb_start_nspawn yes "$@" && started=1
	fi
	if [ -z "$started" ]; then
		TB_WHY="systemd-nspawn did not boot ($(grep -v '^$' "$TB_DIR/console.log" | tail -n 2 | tr '\n' ' '))"
		tb_shutdown
		return 1
	fi
	# PID 1 is there before its bus is: wait for that, then for the boot.
	i=0
	while ! tb_exec test -S /run/systemd/private 2>/dev/null && [ $i -lt $((TB_BOOT_TIMEOUT * 10)) ]; do
		tb_alive "$TB_NSPAWN" || break
		sleep 0.1
		i=$((i + 1))
	done
	state=$(tb_exec timeout "$TB_BOOT_TIMEOUT" systemctl is-system-running --wait 2>&1)
	case $state in
	running) ;;
	degraded)
		tb_log "booted degraded; failed units: $(tb_exec systemctl --failed --no-legend --plain | tr '\n' ' ')" ;;
	*)
		TB_WHY="the container's systemd did not finish booting (is-system-running: $state)"
		tb_shutdown
		return 1 ;;
	esac
	tb_log "booted: nspawn $TB_NSPAWN, container PID 1 is $TB_PID1, $(tb_exec systemctl --version | head -n1)"
	return 0
}

# tb_exec CMD...: run CMD in all the container's namespaces, as root, with
# a clean environment; stdin, stdout, stderr and the exit code pass through.
tb_exec() {
	nsenter -t "$TB_PID1" -a -- /usr/bin/env -i PATH="$TB_PATH" LANG=C.UTF-8 \
		SYSTEMD_PAGER= SYSTEMD_COLORS=0 TERM=dumb "$@"
}

# tb_sh [ARG...]: run the script on stdin with /bin/sh inside; ARGs are $1...
tb_sh() {
	tb_exec /bin/sh -s "$@"
}

# tb_copy_in HOST-FILE PATH [MODE]: root-owned copy inside the container.
tb_copy_in() {
	tb_exec /bin/sh -c 'umask 077 && cat >"$1.tb-new" && chmod "$2" "$1.tb-new" && mv -f "$1.tb-new" "$1"' \
		_ "$2" "${3:-0644}" <"$1"
}

# The booted release's systemd version, a number (252, 257).
tb_systemd_version() {
	tb_exec systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p'
}

# tb_install_argoweb BINARY: `make install DESTDIR=... PREFIX=/usr` from the
# checkout with BINARY as the built argoweb (nothing is rebuilt), with the
# container's own unit directories and systemd version, copied into the
# container; then daemon-reload. Users and directories are left to the
# caller (systemd-sysusers, systemd-tmpfiles --create).
tb_install_argoweb() {
	b=$TB_DIR/make
	stage=$TB_SHARE/stage
	rm -rf "$b" "$stage"
	mkdir -p "$b"
	cp "$1" "$b/argoweb"
	if ! make -s -C "$TB_TOP" -o "$b/argoweb" B="$b" DESTDIR="$stage" PREFIX=/usr \
		UNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d \
		TMPFILESDIR=/usr/lib/tmpfiles.d SYSTEMD_VERSION="$(tb_systemd_version)" \
		install >"$TB_DIR/install.log" 2>&1; then
		TB_WHY="make install failed: $(tail -n 3 "$TB_DIR/install.log" | tr '\n' ' ')"
		return 1
	fi
	if ! tb_sh >>"$TB_DIR/install.log" 2>&1 <<'EOF'; then
set -e
cd /testbed/stage
tar -cf - . | tar -xf - -C / --keep-directory-symlink --no-overwrite-dir --no-same-owner
systemctl daemon-reload
EOF
		TB_WHY="copying the installed files in failed: $(tail -n 3 "$TB_DIR/install.log" | tr '\n' ' ')"
		return 1
	fi
	return 0
}

# tb_persist: boot, from the next tb_boot on, an overlay of the cached
# rootfs whose upper layer is this test's own and outlives tb_shutdown, so
# that a test can set a system up, power it off and boot it again: a
# reboot. Call tb_rootfs first, and tb_unpersist after the last
# tb_shutdown (a trap: tb_shutdown; tb_unpersist). The overlay is mounted
# on the host, under /run; those of a test whose shell was killed are
# removed by the next tb_persist.
tb_persist() {
	for d in /run/argoweb-testbed-persist.*.*; do
		p=${d#/run/argoweb-testbed-persist.}
		p=${p%%.*}
		[ -d "$d" ] && [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null && TB_PERSIST=$d tb_unpersist
	done
	if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
		TB_WHY="no overlayfs on this host for a rootfs that keeps its changes across a reboot"
		return 1
	fi
	d=$(mktemp -d "/run/argoweb-testbed-persist.$$.XXXXXX") || {
		TB_WHY="cannot create a directory under /run"
		return 1
	}
	mkdir "$d/upper" "$d/work" "$d/root"
	if ! mount -t overlay overlay -o "lowerdir=$TB_ROOT,upperdir=$d/upper,workdir=$d/work" "$d/root" \
		2>"$d/mount.err"; then
		TB_WHY="cannot mount an overlay of $TB_ROOT: $(cat "$d/mount.err")"
		rm -rf "$d"
		return 1
	fi
	TB_PERSIST=$d
	return 0
}

# tb_unpersist: unmount and remove tb_persist's copy (the container must be
# off). Safe to call twice, or without tb_persist.
tb_unpersist() {
	[ -n "$TB_PERSIST" ] || return 0
	if mountpoint -q "$TB_PERSIST/root" && ! umount "$TB_PERSIST/root" && ! umount -l "$TB_PERSIST/root"; then
		tb_log "cannot unmount $TB_PERSIST/root: left in place"
	else
		rm -rf "$TB_PERSIST"
	fi
	TB_PERSIST=
}

# tb_shutdown: power the container off (SIGTERM to nspawn makes its
# systemd shut down cleanly), kill it if that takes over 30 s, and check
# that nothing of it is left. Safe to call twice, or before tb_boot.
tb_shutdown() {
	if [ -n "$TB_NSPAWN" ]; then
		if tb_alive "$TB_NSPAWN"; then
			kill -TERM "$TB_NSPAWN" 2>/dev/null
			i=0
			while tb_alive "$TB_NSPAWN" && [ $i -lt 300 ]; do
				sleep 0.1
				i=$((i + 1))
			done
			if tb_alive "$TB_NSPAWN"; then
				tb_log "the container did not power off in 30 s: killing it"
				[ -n "$TB_PID1" ] && kill -KILL "$TB_PID1" 2>/dev/null
				kill -KILL "$TB_NSPAWN" 2>/dev/null
			fi
		fi
		wait "$TB_NSPAWN" 2>/dev/null
		if [ -n "$TB_PID1" ] && tb_alive "$TB_PID1"; then
			tb_log "container PID 1 ($TB_PID1) still there after nspawn exited: killing it"
			kill -KILL "$TB_PID1" 2>/dev/null
		fi
		TB_NSPAWN=
		TB_PID1=
	fi
	tb_cgroup_remove
	if [ -n "$TB_DIR" ]; then
		if [ -n "${TB_KEEP:-}" ]; then
			tb_log "kept $TB_DIR (console.log, share/)"
		else
			rm -rf "$TB_DIR"
		fi
		TB_DIR=
	fi
}
