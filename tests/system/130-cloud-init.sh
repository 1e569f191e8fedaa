#!/bin/sh
# tags: installed testbed
# packaging/cloud-init/*.yaml: each example passes `cloud-init schema`, keeps
# its secrets out of runcmd, and works: in a booted Debian 12 and 13
# (tests/testbed), a small driver applies it as cloud-init would (write_files,
# packages, deferred write_files, runcmd, in cloud-init's order, with the
# files' owners and modes), with the packages at the paths the example names
# (the .deb of `make deb`, a fake cloudflared's .deb) and test secrets for
# the placeholders; then argoweb@web must be running and connected.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/testbed/testbed.sh"
trap 'tb_shutdown; t_cleanup' EXIT
trap 'exit 130' INT TERM HUP

EXAMPLES=$(ls "$TOP"/packaging/cloud-init/*.yaml 2>/dev/null)
[ -n "$EXAMPLES" ] || T_WHAT="cloud-init examples" bail_skip "none in packaging/cloud-init"

# 1. Schema, secrets, shape. -----------------------------------------------
if command -v cloud-init >/dev/null; then
	for f in $EXAMPLES; do
		cloud-init schema --config-file "$f" >"$T/schema" 2>&1
		rc=$?
		check "cloud-init schema --config-file ${f##*/} (exit $rc)" [ "$rc" = 0 ]
		[ "$rc" = 0 ] || show "$T/schema"
	done
else
	skip "cloud-init schema" "no cloud-init on this host (apt-get install cloud-init; make deps does it)"
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
	T_WHAT="cloud-init examples" bail_skip "no python3-yaml on this host (apt-get install python3-yaml)"
fi

# The driver (tests/cloud-init-driver.py): what cloud-init would do, stage
# by stage, as a shell script; `lint` checks an example's shape.
cp "$TOP/tests/cloud-init-driver.py" "$T/driver.py"

for f in $EXAMPLES; do
	python3 "$T/driver.py" lint "$f" >"$T/lint" 2>&1
	check "${f##*/}: no secret in runcmd, credentials root-owned 0600, service-user files deferred, package and enable --now (or adopt --apply)" \
		[ "$?" = 0 ]
	grep . "$T/lint" | show
done

# 2. Each example in a booted Debian 12 or 13 (TB_SUITE). -------------------
is_root || T_WHAT="the examples under systemd" bail_skip "needs root (boots a container); CI runs as root"
[ -z "${VALGRIND:-}${ARGOWEB_WRAP:-}" ] ||
	T_WHAT="the examples under systemd" bail_skip "under valgrind: the package carries its own build (the normal run covers it)"
grep -q __asan_init "$ARGOWEB" 2>/dev/null &&
	T_WHAT="the examples under systemd" bail_skip "ASan build: the package carries its own build (the normal run covers it)"
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	T_WHAT="the examples under systemd" bail_skip "no dpkg-buildpackage/debhelper to build the .deb (apt-get install dpkg-dev debhelper)"
tb_available || T_WHAT="the examples under systemd" bail_skip "$TB_WHY"

# The .deb, as 120-packages.sh makes it (the same lock, reused when fresh).
DEB=$(deb_path)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
pkg_build deb "$T/deb.log" "$DEB"
rc=$?
check "the .deb to install: build/${DEB##*/} (exit $rc)" [ "$rc" = 0 ] && [ -f "$DEB" ]
[ "$rc" = 0 ] || { tail -n 20 "$T/deb.log" | show; T_WHAT="the examples under systemd" bail_skip "no .deb"; }

# cloudflared: the fake, as a .deb of the same name.
mkdir -p "$T/cf/DEBIAN" "$T/cf/usr/bin"
cp "$FAKE" "$T/cf/usr/bin/cloudflared"
chmod 0755 "$T/cf/usr/bin/cloudflared"
printf 'schedule=0@0 4@300\n' >"$T/cf/usr/bin/fake-cloudflared.conf"
printf 'Package: cloudflared\nVersion: 0.0~fake\nArchitecture: %s\nMaintainer: argoweb tests <argoweb@example.org>\nDescription: stand-in for cloudflared (argoweb tests)\n' \
	"$ARCH" >"$T/cf/DEBIAN/control"
dpkg-deb --root-owner-group -b "$T/cf" "$T/cloudflared.deb" >/dev/null 2>&1
check "a fake cloudflared packaged as cloudflared.deb" [ -f "$T/cloudflared.deb" ]

tb_rootfs || T_WHAT="the examples under systemd" bail_skip "$TB_WHY"
TOKEN=$(token_for "$TUNNEL_UUID")
for f in $EXAMPLES; do
	n=${f##*/}
	if [ "$n" = active-standby.yaml ]; then
		skip "$n: booted alone" "one node of a VRRP pair: 170-multihost.sh makes two with it and fails one over"
		continue
	fi
	if ! tb_boot; then
		not_ok "$n: boot the test bed ($TB_WHY)"
		continue
	fi
	# The image: both packages where the example expects them, in a
	# directory that on a fresh Debian nobody but root could have made or
	# written (its nearest existing ancestor is root's, 0755 at most).
	for p in $(python3 "$T/driver.py" package-files "$f"); do
		pkgdir=$(dirname "$p")
		m=$(tb_exec sh -c 'd=$1; while [ ! -e "$d" ]; do d=$(dirname "$d"); done; stat -c "%n %U %a" "$d"' _ "$pkgdir")
		check "$n: ${p##*/} comes from a directory only root may write ($m)" \
			sh -c 'set -- $0; [ "$2" = root ] && [ $((0$3 & 022)) = 0 ]' "$m"
		tb_exec install -d -m 0755 "$pkgdir"
		case ${p##*/} in
		argoweb*) tb_copy_in "$DEB" "$p" 0644 ;;
		cloudflared*) tb_copy_in "$T/cloudflared.deb" "$p" 0644 ;;
		*) not_ok "$n: $p: a package this test does not have" ;;
		esac
	done
	# adopt.yaml: the image already runs cloudflared's own unit, as
	# cloudflared 2023.7.3's `service install TOKEN` writes it (the token
	# in ExecStart=, 0644), the fake as cloudflared; the tunnel becomes
	# argoweb@cloudflared.
	inst=web
	if grep -q '^  - \[argoweb, adopt, --apply' "$f"; then
		inst=cloudflared
		tb_copy_in "$T/cloudflared.deb" /root/cloudflared.deb 0644
		tb_sh "$TOKEN" >"$T/image.out" 2>&1 <<-'EOF'
		set -eu
		dpkg -i /root/cloudflared.deb
		mkdir -p /etc/cloudflared
		printf 'metrics: 127.0.0.1:20300\n' >/etc/cloudflared/config.yml
		printf '[Unit]\nDescription=cloudflared\nAfter=network-online.target\n[Service]\nType=notify\nExecStart=/usr/bin/cloudflared --no-autoupdate tunnel --config /etc/cloudflared/config.yml run --token %s\nRestart=on-failure\n[Install]\nWantedBy=multi-user.target\n' \
			"$1" >/etc/systemd/system/cloudflared.service
		systemctl daemon-reload
		systemctl enable --now cloudflared.service
		EOF
		check "$n: the image runs cloudflared.service, the token in its 0644 unit (exit $?)" \
			[ "$(tb_exec systemctl is-active cloudflared.service)" = active ]
		show "$T/image.out"
	fi
	all=ok
	for stage in write_files packages write_files_deferred runcmd; do
		if ! python3 "$T/driver.py" "$stage" "$f" "<TUNNEL-TOKEN>=$TOKEN" \
			"<ACCOUNT-TAG>=0123456789abcdef0123456789abcdef" "<TUNNEL-SECRET>=$SECRET_B64" >"$T/$stage.sh" 2>"$T/$stage.err"; then
			not_ok "$n: $stage: the driver cannot apply it"
			show "$T/$stage.err"
			all=
			break
		fi
		tb_sh <"$T/$stage.sh" >"$T/$stage.out" 2>&1
		rc=$?
		check "$n: $stage ($(grep -c . "$T/$stage.sh") commands) as cloud-init would (exit $rc)" [ "$rc" = 0 ]
		[ "$rc" = 0 ] || { tail -n 15 "$T/$stage.out" | show; all=; }
	done
	[ -n "$all" ] || grep -v '^$' "$T/runcmd.out" 2>/dev/null | tail -n 5 | show
	tb_exec sh -c 'n=75; while [ $n -gt 0 ]; do
		case $(systemctl show -p StatusText --value "argoweb@$1") in Connected:*) exit 0;; esac
		sleep 0.2; n=$((n - 1)); done; exit 1' _ "$inst"
	st=$(for p in ActiveState SubState StatusText; do tb_exec systemctl show -p $p --value argoweb@$inst; done | paste -sd/ -)
	check "$n: argoweb@$inst is active (running) and connected ($st)" \
		sh -c 'case $0 in active/running/Connected:*) exit 0;; esac; exit 1' "$st"
	check "$n: argoweb@$inst is enabled" [ "$(tb_exec systemctl is-enabled argoweb@$inst 2>&1)" = enabled ]
	modes=$(tb_exec sh -c 'stat -c "%n %a %U:%G" /etc/argoweb /etc/argoweb/$1.*' _ "$inst" | tr '\n' ',')
	check "$n: /etc/argoweb 0750 root:argoweb, the config 0640 root:argoweb, the credential 0600 root ($modes)" \
		sh -c 'echo "$0" | grep -q "^/etc/argoweb 750 root:argoweb," && echo "$0" | grep -q "/etc/argoweb/$1.yaml 640 root:argoweb," &&
			echo "$0" | grep -Eq "/etc/argoweb/$1.(json|token) 600 root:root,"' "$modes" "$inst"
	tb_exec journalctl -b --no-pager -o cat >"$T/journal" 2>&1
	check "$n: the secret is nowhere in the journal" no_secret "$T/journal"
	[ "$(tb_exec systemctl is-active argoweb@$inst)" = active ] ||
		tb_exec journalctl -b -u argoweb@$inst --no-pager -o cat | tail -n 5 | show
	if [ "$inst" = cloudflared ]; then
		check "$n: cloudflared.service stopped and disabled, its unit (which held the token) moved into /etc/argoweb/adopted/cloudflared" \
			sh -c '[ "$0" = inactive ] && [ -z "$1" ] && [ -n "$2" ]' "$(tb_exec systemctl is-active cloudflared.service)" \
			"$(tb_exec ls /etc/systemd/system/cloudflared.service 2>/dev/null)" \
			"$(tb_exec grep -l "^moved /etc/systemd/system/cloudflared.service " /etc/argoweb/adopted/cloudflared/manifest 2>/dev/null)"
	fi
	tb_shutdown
done

done_testing
