#!/bin/sh
# tags: installed testbed
# The Debian and RPM packages. On the host: build them (make deb, make rpm;
# reused when newer than their sources), lintian, blhc and rpmlint, the same
# layout in both, the RPM's systemd scriptlets. Then the .deb's life in a
# booted Debian 12 and 13 (tests/testbed): install (user, directories, unit), a
# tunnel configured from the shipped example reaching READY, an upgrade that
# restarts the running tunnel and only it, removal that stops it, purge that
# removes the state and keeps the admin's /etc/argoweb.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/testbed/testbed.sh"
trap 'tb_shutdown; t_cleanup' EXIT
trap 'exit 130' INT TERM HUP

# The packages are built from the source with their own flags: the normal
# run covers them; the ASan and valgrind runs would only build them again.
[ -z "${VALGRIND:-}${ARGOWEB_WRAP:-}" ] ||
	T_WHAT="packages" bail_skip "under valgrind: the packages carry their own build (the normal run covers them)"
grep -q __asan_init "$ARGOWEB" 2>/dev/null &&
	T_WHAT="packages" bail_skip "ASan build: the packages carry their own build (the normal run covers them)"

VERSION=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$TOP/Makefile")
UPVERSION=$VERSION+test1
OUT=$TOP/build
mkdir -p "$OUT"
LOCK=$OUT/.packages.lock

# 1. The Debian package. ---------------------------------------------------
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	skip "the Debian package" "no dpkg-buildpackage/debhelper (apt-get install dpkg-dev debhelper; make deps does it)"
	DEB=
else
	ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
	DEB=$OUT/argoweb_${VERSION}_$ARCH.deb
	CHANGES=$OUT/argoweb_${VERSION}_$ARCH.changes
	BUILDLOG=$OUT/argoweb_${VERSION}_$ARCH.build
	pkg_build deb "$T/deb.log" "$DEB" "$CHANGES" "$BUILDLOG"
	rc=$?
	head -n 1 "$T/deb.log"
	check "make deb builds build/${DEB##*/} (exit $rc)" [ "$rc" = 0 ] && [ -f "$DEB" ]
	[ "$rc" = 0 ] || { tail -n 25 "$T/deb.log" | show; DEB=; }
fi
if [ -n "$DEB" ]; then
	if command -v lintian >/dev/null; then
		lintian -I -E --pedantic "$CHANGES" >"$T/lintian" 2>&1
		grep -v '^running with root privileges' "$T/lintian" >"$T/lintian.tags"
		tags=$(wc -l <"$T/lintian.tags")
		check "lintian -I -E --pedantic ${CHANGES##*/}: no error, no warning ($tags tags in all)" \
			sh -c '! grep -q "^[EW]: " "$0"' "$T/lintian.tags"
		show "$T/lintian.tags"
	else
		skip "lintian" "no lintian (apt-get install lintian)"
	fi
	if command -v blhc >/dev/null; then
		blhc "$BUILDLOG" >"$T/blhc" 2>&1
		rc=$?
		check "blhc on the build log: clean (exit $rc)" [ "$rc" = 0 ]
		grep -v '^running with root' "$T/blhc" | head -n 5 | show
	else
		skip "blhc" "no blhc (apt-get install blhc)"
	fi
	dpkg-deb -f "$DEB" Recommends Depends >"$T/deb.fields"
	check "the .deb recommends cloudflared" grep -q '^Recommends: .*\bcloudflared\b' "$T/deb.fields"
	check "... and its description says where cloudflared comes from (pkg.cloudflare.com)" \
		sh -c 'dpkg-deb -f "$0" Description | grep -q "pkg\.cloudflare\.com"' "$DEB"
	mkdir -p "$T/debctl"
	dpkg-deb -e "$DEB" "$T/debctl"
	scripts_ok=1
	for s in postinst prerm postrm; do
		sh -n "$T/debctl/$s" || scripts_ok=0
	done
	check "the .deb's postinst, prerm and postrm are valid sh" [ "$scripts_ok" = 1 ]
	check "postinst creates the user (systemd-sysusers), then the directories (systemd-tmpfiles)" \
		awk '/systemd-sysusers .*argoweb\.conf/ { u = NR } /systemd-tmpfiles .*--create argoweb\.conf/ { t = NR }
			END { exit !(u && t && u < t) }' "$T/debctl/postinst"
	# debhelper's default for a unit it finds would start argoweb-active.target
	# on installation (promoting every node), restart it on an upgrade
	# (starting it on a standby node) or stop it before one.
	check "no maintainer script starts, restarts or stops argoweb-active.target but prerm on removal" \
		sh -c '[ -z "$(cat "$0"/preinst "$0"/postinst "$0"/postrm 2>/dev/null | grep "argoweb-active\.target")" ] &&
			grep -q "deb-systemd-invoke stop argoweb-active.target" "$0/prerm"' "$T/debctl"
fi

# 2. The RPM. ---------------------------------------------------------------
RPM=
if ! command -v rpmbuild >/dev/null; then
	skip "the RPM" "no rpmbuild (apt-get install rpm; make deps does it)"
else
	RARCH=$(rpm --eval '%{_arch}')
	RPM=$OUT/argoweb-$VERSION-1.$RARCH.rpm
	pkg_build rpm "$T/rpm.log" "$RPM"
	rc=$?
	head -n 1 "$T/rpm.log"
	check "make rpm builds build/${RPM##*/} (exit $rc)" [ "$rc" = 0 ] && [ -f "$RPM" ]
	[ "$rc" = 0 ] || { tail -n 25 "$T/rpm.log" | show; RPM=; }
fi
if [ -n "$RPM" ]; then
	if command -v rpmlint >/dev/null; then
		rpmlint -c "$TOP/packaging/rpm/rpmlint.toml" "$RPM" >"$T/rpmlint" 2>&1
		errors=$(sed -n 's/^[^ ]*: E: \([^ ]*\).*/\1/p' "$T/rpmlint" | sort -u | tr '\n' ' ')
		check "rpmlint (Fedora's settings, packaging/rpm/rpmlint.toml): no error but no-signature (errors: $errors)" \
			[ "$errors" = "no-signature " ]
		grep -E '^[^ ]+: [EW]: ' "$T/rpmlint" | show
		rpmlint "$RPM" 2>&1 | grep -E '^[^ ]+: [EW]: ' | sed 's/^/# with rpmlint defaults: /'
	else
		skip "rpmlint" "no rpmlint (apt-get install rpmlint)"
	fi
	rpm -qp --scripts "$RPM" >"$T/scripts" 2>&1
	has() { grep -q -- "$1" "$T/scripts"; }
	check "%pre creates the user and its directories (systemd-sysusers, systemd-tmpfiles)" \
		sh -c 'grep -q "^systemd-sysusers --replace=/usr/lib/sysusers.d/argoweb.conf -" "$0" &&
			grep -q "^systemd-tmpfiles --replace=/usr/lib/tmpfiles.d/argoweb.conf --create -" "$0"' "$T/scripts"
	check "%post: %systemd_post for the templates and the target" \
		has "systemd-update-helper install-system-units argoweb@.service argoweb-active@.service argoweb-active.target"
	check "%preun: %systemd_preun for the templates and the target" \
		has "systemd-update-helper remove-system-units argoweb@.service argoweb-active@.service argoweb-active.target"
	check "%postun: %systemd_postun (a reload), no plain restart (a restart drops requests)" \
		sh -c 'grep -q "systemd-update-helper system-reload-system-units" "$0" && ! grep -q "mark-restart-system-units" "$0"' "$T/scripts"
	check "%posttrans: each running tunnel handed over with argoweb restart" \
		has '/usr/bin/argoweb restart "$n"'
	scripts_ok=1
	for s in PREIN POSTIN PREUN POSTUN POSTTRANS; do
		rpm -qp --qf "%{$s}" "$RPM" >"$T/s.$s" && sh -n "$T/s.$s" || scripts_ok=0
	done
	check "every RPM scriptlet is valid sh" [ "$scripts_ok" = 1 ]
	check "the RPM: License MIT, recommends cloudflared" \
		sh -c '[ "$(rpm -qp --qf "%{LICENSE}" "$0")" = MIT ] && rpm -qp --recommends "$0" | grep -qx cloudflared' "$RPM"
fi

# 3. The same layout in both. -------------------------------------------------
# Regular files, with /lib as /usr/lib (Debian 12 keeps units in /lib), man
# pages without .gz, and without what each format adds (copyright, lintian
# overrides, changelog, README, license, build-id links).
norm() {
	sed -e 's#^\./#/#' -e 's#^/lib/#/usr/lib/#' -e 's#\.gz$##' |
		grep -v -e '^/usr/share/doc/argoweb/[^/]*$' -e '^/usr/share/licenses/' -e '^/usr/share/lintian/' -e '^/usr/lib/\.build-id/' | sort
}
if [ -n "$DEB" ] && [ -n "$RPM" ]; then
	dpkg -c "$DEB" | awk '$1 ~ /^-/ { print $6 }' | norm >"$T/deb.files"
	rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RPM" | awk '$1 ~ /^-/ { print $2 }' | norm >"$T/rpm.files"
	check "the .deb and the .rpm hold the same files ($(wc -l <"$T/deb.files") and $(wc -l <"$T/rpm.files"))" \
		cmp -s "$T/deb.files" "$T/rpm.files"
	diff "$T/deb.files" "$T/rpm.files" | grep '^[<>]' | show
	missing=
	for f in /usr/bin/argoweb /usr/lib/systemd/system/argoweb@.service \
		/usr/lib/systemd/system/argoweb-active@.service /usr/lib/systemd/system/argoweb-active.target \
		/usr/lib/systemd/system/argoweb-handover@.service /usr/lib/systemd/system/argoweb.slice \
		/usr/share/doc/argoweb/examples/egress.conf.example \
		/usr/lib/sysusers.d/argoweb.conf \
		/usr/lib/tmpfiles.d/argoweb.conf /usr/share/man/man1/argoweb.1 /usr/share/man/man5/argoweb.yaml.5 \
		/usr/share/doc/argoweb/examples/web.yaml; do
		grep -qx "$f" "$T/deb.files" || missing="$missing $f"
	done
	check "... binary, units, sysusers.d, tmpfiles.d, man pages and examples${missing:+ (missing:$missing)}" [ -z "$missing" ]
	check "the .deb has the unit in Debian 12's /lib/systemd/system" \
		sh -c 'dpkg -c "$0" | grep " \./lib/systemd/system/argoweb@\.service$" >/dev/null' "$DEB"
	check "the .rpm has it in /usr/lib/systemd/system" \
		sh -c 'rpm -qlp "$0" | grep -qx /usr/lib/systemd/system/argoweb@.service' "$RPM"
else
	skip "the same layout in both packages" "one of them was not built"
fi

# 4. The .deb in a booted Debian 12. -----------------------------------------
[ -n "$DEB" ] || T_WHAT="the .deb under systemd" bail_skip "no .deb"
is_root || T_WHAT="the .deb under systemd" bail_skip "needs root (boots a container); CI runs as root"
tb_available || T_WHAT="the .deb under systemd" bail_skip "$TB_WHY"

# The upgrade: the same package at a higher version (tests/packages.sh).
UPDEB=$(upgrade_deb_path)
pkg_build_upgrade "$T/up.log" "$DEB"
rc=$?
check "the upgrade package ${UPDEB##*/} is built (exit $rc)" [ "$rc" = 0 ] && [ -f "$UPDEB" ]
[ "$rc" = 0 ] || tail -n 20 "$T/up.log" | show

tb_rootfs || T_WHAT="the .deb under systemd" bail_skip "$TB_WHY"
tb_boot || T_WHAT="the .deb under systemd" bail_skip "$TB_WHY"

cp "$DEB" "$TB_SHARE/argoweb.deb"
[ -f "$UPDEB" ] && cp "$UPDEB" "$TB_SHARE/argoweb-upgrade.deb"
cp "$FAKE" "$TB_SHARE/fake-cloudflared"
mkdir -m 0700 "$TB_SHARE/in"
for n in demo idle sb; do write_cred_json "$TB_SHARE/in/$n.json"; done
cp "$TOP/tests/testbed/inside.sh" "$TOP/tests/waitfor.sh" "$TB_SHARE/"
cat >"$TB_SHARE/h.sh" <<'EOF'
. /testbed/inside.sh
up() { is_active "$1" && waitfor 15 is_connected "$1"; }
# tunnel NAME METRICS-PORT: /etc/argoweb/NAME.yaml from the shipped example,
# with this instance's credential and metrics port.
tunnel() {
	sed -e "s#^credentials-file: .*#credentials-file: /etc/argoweb/$1.json#" \
		-e "s#^metrics: .*#metrics: 127.0.0.1:$2#" /usr/share/doc/argoweb/examples/web.yaml >/etc/argoweb/$1.yaml
	chown root:argoweb /etc/argoweb/$1.yaml && chmod 0640 /etc/argoweb/$1.yaml
	install -m 0600 /testbed/in/$1.json /etc/argoweb/$1.json
}
EOF
# Install.
check "the fresh Debian ($TB_SUITE) has no argoweb user" tb_no_user
tb_exec dpkg -i /testbed/argoweb.deb >"$T/install" 2>&1
rc=$?
check "dpkg -i ${DEB##*/} (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show "$T/install"
check "the argoweb user exists: a system user, home /var/lib/argoweb, no login shell" \
	sh -c '[ "$(echo "$0" | cut -d: -f3)" -lt 1000 ] && [ "$(echo "$0" | cut -d: -f6,7)" = /var/lib/argoweb:/usr/sbin/nologin ]' \
	"$(tb_exec getent passwd argoweb)"
check "/etc/argoweb is 0750 root:argoweb" [ "$(tb_exec stat -c '%a %U:%G' /etc/argoweb)" = "750 root:argoweb" ]
check "/var/lib/argoweb is 0700 argoweb:argoweb" [ "$(tb_exec stat -c '%a %U:%G' /var/lib/argoweb)" = "700 argoweb:argoweb" ]
tb_exec systemctl cat argoweb@demo >"$T/cat" 2>&1
# The .deb puts it in /lib/systemd/system (Debian 12's place); Debian 13's
# merged /usr has /lib as a link to usr/lib, which its systemd names.
check "systemd knows the unit: systemctl cat argoweb@demo ($(head -n 1 "$T/cat"))" \
	grep -q '^# \(/usr\)\?/lib/systemd/system/argoweb@.service' "$T/cat"
check "nothing is enabled or started by the installation" \
	sh -c '[ -z "$(echo "$0" | grep argoweb)" ]' "$(tb_exec systemctl list-units --all --no-legend --plain 'argoweb*')"
check "argoweb is on PATH and is the packaged version" \
	[ "$(tb_exec argoweb --version 2>&1)" = "argoweb $VERSION" ]

# A tunnel from the shipped example, with the fake cloudflared.
tb_sh >"$T/setup" 2>&1 <<'EOF'
set -eu
. /testbed/h.sh
install -m 0755 /testbed/fake-cloudflared /usr/bin/cloudflared
printf 'schedule=0@0 4@300\n' >/usr/bin/fake-cloudflared.conf
tunnel demo 20241
tunnel idle 20242
tunnel sb 20243
EOF
rc=$?
check "argoweb@demo and argoweb@idle configured from examples/web.yaml" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show "$T/setup"
tb_exec timeout 60 systemctl enable --now argoweb@demo >"$T/enable" 2>&1
rc=$?
check "systemctl enable --now argoweb@demo (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { show "$T/enable"; tb_why argoweb@demo; }
tb_h up demo
check "argoweb@demo is active (running) and READY: StatusText \"$(tb_h prop demo StatusText)\"" tb_h up demo
# A stopped instance, which an upgrade must leave stopped.
tb_exec timeout 60 systemctl start argoweb@idle && tb_exec systemctl stop argoweb@idle
check "argoweb@idle started and stopped again (is $(tb_h state idle))" [ "$(tb_h state idle)" = inactive/dead ]
PID0=$(tb_h prop demo MainPID)
INV0=$(tb_h prop demo InvocationID)
# An active/standby tunnel, on a node that is active now.
sb() { tb_exec systemctl show -p "$1" --value argoweb-active@sb.service; }
tgt() { tb_exec systemctl show -p ActiveState --value argoweb-active.target; }
sb_up() { [ "$(sb ActiveState)/$(sb SubState)" = active/running ] && case $(sb StatusText) in Connected:*) ;; *) false;; esac; }
hwait() { n=$(($1 * 5)); shift; while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.2; n=$((n - 1)); done; return 1; }
tb_exec systemctl enable argoweb-active@sb >/dev/null 2>&1 && tb_exec timeout 60 systemctl start argoweb-active.target
hwait 15 sb_up
check "argoweb-active@sb enabled, argoweb-active.target started: active and READY (\"$(sb StatusText)\")" sb_up
SB0=$(sb MainPID)

# Upgrade.
if [ -f "$TB_SHARE/argoweb-upgrade.deb" ]; then
	tb_exec dpkg -i /testbed/argoweb-upgrade.deb >"$T/upgrade" 2>&1
	rc=$?
	check "dpkg -i ${UPDEB##*/} over $VERSION (exit $rc)" [ "$rc" = 0 ]
	[ "$rc" = 0 ] || show "$T/upgrade"
	check "the installed version is $UPVERSION" [ "$(tb_exec dpkg-query -W -f='${Version}' argoweb)" = "$UPVERSION" ]
	PID1=$(tb_h prop demo MainPID)
	INV1=$(tb_h prop demo InvocationID)
	check "the upgrade restarted argoweb@demo (MainPID $PID0 -> $PID1, new InvocationID)" \
		[ "$PID1" != "$PID0" ] && [ "$PID1" != 0 ] && [ "$INV1" != "$INV0" ]
	tb_h up demo
	check "argoweb@demo is active and READY again: \"$(tb_h prop demo StatusText)\"" tb_h up demo
	[ "$(tb_h state demo)" = active/running ] || tb_why argoweb@demo
	check "the stopped argoweb@idle stayed stopped (is $(tb_h state idle))" [ "$(tb_h state idle)" = inactive/dead ]
	check "argoweb@demo is still enabled" [ "$(tb_exec systemctl is-enabled argoweb@demo 2>&1)" = enabled ]
	hwait 15 sb_up
	check "the upgrade restarted argoweb-active@sb on the active node (MainPID $SB0 -> $(sb MainPID)), target $(tgt)" \
		sh -c '[ "$0" != "$1" ] && [ "$1" != 0 ] && [ "$2" = active ]' "$SB0" "$(sb MainPID)" "$(tgt)" && sb_up
	# A standby node: the target stopped. An upgrade (the same package
	# again is one) must not start it.
	tb_exec timeout 60 systemctl stop argoweb-active.target
	tb_exec dpkg -i /testbed/argoweb-upgrade.deb >"$T/upgrade2" 2>&1
	rc=$?
	check "dpkg -i ${UPDEB##*/} again on a standby node (exit $rc): argoweb-active.target $(tgt), argoweb-active@sb $(sb ActiveState)" \
		sh -c '[ "$0" = 0 ] && [ "$1" = inactive ] && [ "$2" = inactive ]' "$rc" "$(tgt)" "$(sb ActiveState)"
	tb_exec timeout 60 systemctl start argoweb-active.target
else
	skip "the upgrade" "no upgrade package"
fi

# Remove.
tb_exec sh -c 'sha256sum /etc/argoweb/demo.yaml /etc/argoweb/demo.json' >"$T/admin.sum"
PIDR=$(tb_h prop demo MainPID)
tb_exec dpkg -r argoweb >"$T/remove" 2>&1
rc=$?
check "dpkg -r argoweb (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show "$T/remove"
gone() { [ "$1" != 0 ] && ! tb_exec kill -0 "$1" 2>/dev/null; }
check "the removal stopped argoweb@demo (cloudflared $PIDR gone)" gone "$PIDR"
check "... and argoweb-active.target ($(tgt))" [ "$(tgt)" != active ]
check "... no argoweb or cloudflared process is left" \
	[ -z "$(tb_exec sh -c 'cat /proc/[0-9]*/comm' 2>/dev/null | grep -E '^(cloudflared|argoweb)')" ]
check "systemd no longer has the unit" [ "$(tb_h prop demo LoadState)" = not-found ]
check "the removal kept the admin's configs and credentials" \
	tb_exec sha256sum --quiet -c /dev/stdin <"$T/admin.sum"
check "... and /var/lib/argoweb" tb_exec test -d /var/lib/argoweb

# Purge.
tb_exec dpkg -P argoweb >"$T/purge" 2>&1
rc=$?
check "dpkg -P argoweb (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show "$T/purge"
check "the purge removed /var/lib/argoweb and /run/argoweb" \
	tb_exec sh -c '! test -e /var/lib/argoweb && ! test -e /run/argoweb'
check "the purge kept /etc/argoweb with the admin's configs and credentials, unchanged" \
	tb_exec sha256sum --quiet -c /dev/stdin <"$T/admin.sum"
check "... and removed the enablement links of argoweb@ and argoweb-active@ instances" \
	[ -z "$(tb_exec find /etc/systemd/system -name 'argoweb*@*' 2>&1)" ]
forgotten() { [ -z "$(tb_exec dpkg-query -W -f='${Status}' argoweb 2>/dev/null)" ]; }
check "dpkg has forgotten argoweb" forgotten

# Control: an /etc/argoweb with nothing of the admin's goes with the purge.
tb_sh >"$T/again" 2>&1 <<'EOF'
set -e
dpkg -i /testbed/argoweb.deb
rm -f /etc/argoweb/demo.yaml /etc/argoweb/demo.json /etc/argoweb/idle.yaml /etc/argoweb/idle.json \
	/etc/argoweb/sb.yaml /etc/argoweb/sb.json
dpkg -P argoweb
EOF
rc=$?
check "install again, empty /etc/argoweb, purge (exit $rc): /etc/argoweb is gone" \
	[ "$rc" = 0 ] && ! tb_exec test -e /etc/argoweb
[ "$rc" = 0 ] || show "$T/again"

done_testing
