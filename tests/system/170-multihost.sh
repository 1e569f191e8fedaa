#!/bin/sh
# tags: real-connector installed serial
# More than one machine, with the REAL cloudflared ($REAL_CLOUDFLARED) and
# cf-edge ($CF_EDGE): three booted Debian 13 hosts (tests/testbed), each in
# its own network namespace on a private bridge, all inside a network
# namespace this test makes (no route out; the host's network untouched),
# cf-edge on the bridge (10.44.0.1-4), the .deb installed, Debian's
# keepalived; cf-edge's load (20 requests/s) through every event. Tunnel
# web runs QUIC (cloudflared's default): when a MASTER's link is cut its
# connector cannot unregister, and the edge gives up its connections after
# QUIC's idle timeout; over HTTP/2 cf-edge would keep the dead TCP
# connections, and route to them, for as long as the kernel's retries last.
# - Replicas: tunnel rep as argoweb@rep on h1 and h3; h3's container is
#   killed (SIGKILL): h1 serves on; only a request in flight on h3 may fail.
# - Active/standby: tunnel web as argoweb-active@web on h1 and h2, VRRP
#   between them (state BACKUP, nopreempt; h1 priority 150, h2 100) with
#   the shipped notify script (/usr/libexec/argoweb/vrrp-notify); only the
#   MASTER runs a connector. The MASTER's keepalived is killed, then the
#   new MASTER's link cut, then the MASTER powered off: each time the
#   BACKUP serves within FAILOVER_BOUND seconds, the old MASTER's connector
#   is gone, and after the link returns no second connector comes back.
# Prints "# failover: CASE promoted in S s; N of M requests failed" and
# "# replicas: host killed; N of M requests failed" (bench/failover.sh
# reads them).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/testbed/testbed.sh"
: "${ORIGIN:?set ORIGIN to tests/origin}"
TB_SUITE=trixie
FAILOVER_BOUND=10

T_WHAT="more than one machine, with the real cloudflared and keepalived"
why=$(tb_real_why)
[ -z "$why" ] || bail_skip "$why"
command -v python3 >/dev/null || bail_skip "no python3 to read cf-edge's answers"
command -v unshare >/dev/null && command -v ip >/dev/null || bail_skip "no unshare or ip (util-linux, iproute2)"

# The whole test in a network namespace of its own: the bridge, cf-edge and
# the hosts' links live and die with it. (The rootfs first: building it
# needs the mirror.)
if [ -z "${AW_MULTIHOST_NETNS:-}" ]; then
	tb_rootfs keepalived || bail_skip "$TB_WHY"
	AW_MULTIHOST_NETNS=1 exec unshare --net -- sh "$0" "$@"
fi
trap 'tb_shutdown_all; [ -n "${EDGE:-}" ] && kill "$EDGE" 2>/dev/null; t_cleanup' EXIT
trap 'exit 130' INT TERM HUP

ip link set lo up
# A bridge's own address is its lowest port's unless set: a host leaving
# would change it under the others' ARP caches, and cut them off the edge.
ip link add awbr0 address 02:00:0a:2c:00:01 type bridge
ip link set awbr0 up
for i in 1 2 3 4; do ip addr add "10.44.0.$i/24" dev awbr0; done
check "a network namespace with a bridge (10.44.0.1-4) and no route out" \
	sh -c '! ip route get 1.1.1.1 >/dev/null 2>&1'

tb_real_deb
tb_rootfs keepalived || bail_skip "$TB_WHY"    # built above: found in the cache
CF_RELEASE=$(cf_release)
"$CF_EDGE" -gencerts "$T/edge" >/dev/null 2>&1
"$CF_EDGE" -cert "$T/edge/edge.pem" -key "$T/edge/edge.key" -listen 10.44.0.1:7844 \
	-listen 10.44.0.2:7844 -listen 10.44.0.3:7844 -listen 10.44.0.4:7844 \
	-control 10.44.0.1:9999 >"$T/edge.log" 2>&1 &
EDGE=$!
# web: the cloud-init example's tunnel (its UUID is in the example).
UWEB=$TUNNEL_UUID UREP=$(cat /proc/sys/kernel/random/uuid)
EDGE_KEYS="edge: [10.44.0.1:7844, 10.44.0.2:7844, 10.44.0.3:7844, 10.44.0.4:7844]
cacert: /etc/argoweb/ca.pem
grace-period: 5s"

# The real cloudflared as cloudflared.deb, for the cloud-init example to
# install (a copy in this test's scratch directory only).
mkdir -p "$T/cf/DEBIAN" "$T/cf/usr/bin"
cp "$REAL_CLOUDFLARED" "$T/cf/usr/bin/cloudflared"
printf 'Package: cloudflared\nVersion: %s\nArchitecture: %s\nMaintainer: argoweb tests <argoweb@example.org>\nDescription: the real cloudflared, packaged for argoweb tests\n' \
	"$CF_RELEASE" "$(dpkg-architecture -qDEB_HOST_ARCH)" >"$T/cf/DEBIAN/control"
dpkg-deb --root-owner-group -b "$T/cf" "$T/cloudflared.deb" >/dev/null 2>&1
check "the real cloudflared $CF_RELEASE packaged as cloudflared.deb" [ -f "$T/cloudflared.deb" ]

# boot_host NAME N: boot a container on the bridge as 10.44.0.1N, with the
# package, the real cloudflared, an origin on 127.0.0.1:8080 naming the
# host, the edge's CA, and tunnel rep's config and credentials (nothing
# started).
boot_host() {
	tb_boot --network-bridge=awbr0 || return 1
	tb_save "$1"
	nsenter -t "$TB_PID1" -n ip addr add "10.44.0.1$2/24" dev host0 &&
		nsenter -t "$TB_PID1" -n ip link set host0 up || return 1
	mkdir -m 0700 "$TB_SHARE/in"
	write_cred_json "$TB_SHARE/in/rep.json" "$UREP"
	cp "$T/edge/ca.pem" "$TB_SHARE/in/ca.pem"
	tb_real_copy_in
	tb_sh "$1" "$UREP" "$EDGE_KEYS" >"$T/$1.setup" 2>&1 <<-'EOF'
	set -eu
	dpkg -i /testbed/argoweb.deb
	install -m 0755 /testbed/origin /usr/local/bin/origin
	install -m 0644 /testbed/in/ca.pem /etc/argoweb/ca.pem
	printf '[Service]\nExecStart=/usr/local/bin/origin 127.0.0.1 8080 %s 36000\n' "$1" \
		>/etc/systemd/system/origin.service
	systemctl daemon-reload
	systemctl start origin
	install -m 0600 /testbed/in/rep.json /etc/argoweb/rep.json
	printf 'tunnel: %s\ncredentials-file: /etc/argoweb/rep.json\nprotocol: http2\n%s\nhealth: {interval: 1s, unhealthy-after: 20s}\ningress:\n  - service: http://127.0.0.1:8080\n' \
		"$2" "$3" >/etc/argoweb/rep.yaml
	chown root:argoweb /etc/argoweb/rep.yaml
	chmod 0640 /etc/argoweb/rep.yaml
	EOF
}
for spec in h1:1 h2:2 h3:3; do
	boot_host "${spec%:*}" "${spec#*:}"
	rc=$?
	check "host ${spec%:*} booted on the bridge (10.44.0.1${spec#*:}), the .deb, cloudflared $CF_RELEASE, an origin, tunnel rep's config" [ "$rc" = 0 ]
	[ "$rc" = 0 ] || { show "$T/${spec%:*}.setup"; echo "# $TB_WHY"; done_testing; exit 1; }
done

# h1 and h2: an active/standby pair as packaging/cloud-init/active-standby.yaml
# makes one (tests/cloud-init-driver.py applies it stage by stage), the
# test edge's address added to the tunnel's config before runcmd.
EXAMPLE=$TOP/packaging/cloud-init/active-standby.yaml
for spec in h1:150 h2:100; do
	tb_use "${spec%:*}"
	tb_exec install -d -m 0755 /var/cache/argoweb-install
	tb_copy_in "$DEB" /var/cache/argoweb-install/argoweb.deb 0644
	tb_copy_in "$T/cloudflared.deb" /var/cache/argoweb-install/cloudflared.deb 0644
	all=ok
	for stage in write_files packages write_files_deferred edge runcmd; do
		if [ "$stage" = edge ]; then
			printf '%s\nprotocol: quic\n' "$EDGE_KEYS" >"$T/edge.sh.in"
			printf 'cat >>/etc/argoweb/web.yaml <<"EOC"\n%s\nEOC\n' "$(cat "$T/edge.sh.in")" >"$T/$stage.sh"
		elif ! python3 "$TOP/tests/cloud-init-driver.py" "$stage" "$EXAMPLE" \
			"<ACCOUNT-TAG>=0123456789abcdef0123456789abcdef" "<TUNNEL-SECRET>=$SECRET_B64" \
			"<INTERFACE>=host0" "<PRIORITY>=${spec#*:}" "<FLOATING-IP>=10.44.0.100/24" >"$T/$stage.sh" 2>"$T/$stage.err"; then
			show "$T/$stage.err"
			all=
			break
		fi
		tb_sh <"$T/$stage.sh" >"$T/$stage.out" 2>&1 || { all=; tail -n 15 "$T/$stage.out" | show; }
	done
	check "${spec%:*}: active-standby.yaml applied as cloud-init would (priority ${spec#*:}), the test edge's address added" [ -n "$all" ]
done
on() { # HOST CMD...: run CMD in HOST
	h=$1; shift
	tb_use "$h"
	tb_exec "$@"
}
echo "# Debian $TB_SUITE, systemd $(on h1 systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p'), cloudflared $CF_RELEASE, $(on h1 keepalived --version 2>&1 | head -n 1)"

# cf-edge's control API on the bridge (host.sh's edge_* ask the test bed's own).
bridge_get() { curl -s -m 90 "http://10.44.0.1:9999$1"; }
bridge_load() { # UUID SECONDS FILE: 20 requests a second to the tunnel, in the background (LOADPID)
	bridge_get "/load?tunnel=$1&host=x.example.com&path=/load&rps=20&seconds=$2&timeout=10s" >"$3" &
	LOADPID=$!
}
# How many connectors of tunnel UUID the edge has a live connection of.
connectors() {
	bridge_get "/tunnels" | python3 -c 'import json, sys
d = json.load(sys.stdin)
ts = d if isinstance(d, list) else d.get("tunnels", [])
print(sum(1 for t in ts if t.get("tunnel_id") == sys.argv[1]
	for c in t.get("connectors") or [] if (c.get("live_connections") or 0) > 0))' "$1" 2>/dev/null || echo "?"
}
ms() { date +%s%3N; }
# What failed, by kind, and a sample of each.
failures() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("no_connector", d.get("no_connector"), "errors", json.dumps(d.get("errors")),
      "samples", json.dumps(d.get("error_samples")), "first", d.get("first_failure_ms"),
      "last", d.get("last_failure_ms"))' "$1" 2>&1 | show
}
active() { [ "$(on "$1" systemctl is-active "$2")" = active ]; }
inactive() { ! active "$@"; }

# 1. Replicas: the same tunnel on h1 and h3; h3 killed under load.
on h1 systemctl enable --now argoweb@rep >/dev/null 2>&1
on h3 systemctl enable --now argoweb@rep >/dev/null 2>&1
two_replicas() { [ "$(connectors "$UREP")" = 2 ]; }
waitfor 30 two_replicas
check "replicas: argoweb@rep runs on h1 and h3, two connectors at the edge ($(connectors "$UREP"))" [ "$(connectors "$UREP")" = 2 ]
bridge_load "$UREP" 12 "$T/rep.load"
sleep 3
k0=$(ms)
tb_use h3
kill -KILL "$TB_PID1"
wait "$LOADPID"
n=$(load_field "$T/rep.load" failed) m=$(load_field "$T/rep.load" sent)
echo "# replicas: host killed; $n of $m requests failed"
check "replicas: h1 serves on; none found no connector, and any failure was in flight on h3 ($(load_field "$T/rep.load" errors.connection_closed) cut)" \
	sh -c '[ "$0" = 0 ] && [ "$1" = "$2" ] && [ "$3" -gt 0 ]' "$(load_field "$T/rep.load" no_connector)" "$n" \
	"$(load_field "$T/rep.load" errors.connection_closed)" "$m"
check "... at most one request per connection of h3 (4): $n" [ "$n" -le 4 ]
check "... both replicas served before (ok by $(load_field "$T/rep.load" ok_by_connector) connectors)" \
	[ "$(load_field "$T/rep.load" ok_by_connector)" = 2 ]
check "... the edge has one connector left ($(connectors "$UREP"))" [ "$(connectors "$UREP")" = 1 ]
tb_use h3
tb_shutdown
tb_save h3

# 2. Active/standby over VRRP: the example's runcmd started keepalived on
# both; here stopped on both and started again in order, h1 first, so that
# h1 is the MASTER and h2 (nopreempt) stays BACKUP.
on h1 systemctl stop keepalived
on h2 systemctl stop keepalived
on h1 systemctl start keepalived
waitfor 20 active h1 argoweb-active@web
on h2 systemctl start keepalived
sleep 4
check "the notify script gave keepalived.service its ExecStopPost= (a runtime drop-in)" \
	sh -c 'echo "$0" | grep -q "vrrp-notify SYSTEMD keepalived.service STOP"' \
	"$(on h1 cat /run/systemd/system/keepalived.service.d/50-argoweb.conf 2>/dev/null)"
check "active/standby: h1 is MASTER and runs argoweb-active@web; h2 (BACKUP) runs none; one connector at the edge ($(connectors "$UWEB"))" \
	sh -c '[ "$0" = active ] && [ "$1" != active ] && [ "$2" = 1 ]' \
	"$(on h1 systemctl is-active argoweb-active@web)" "$(on h2 systemctl is-active argoweb-active@web)" "$(connectors "$UWEB")"
[ "$(connectors "$UWEB")" = 1 ] || { on h1 journalctl -u keepalived --no-pager -o cat | tail -n 5 | show; }

# failover CASE MASTER BACKUP ACTION DEAD: under load, ACTION (a function)
# at 3 s; the time until BACKUP's connector serves (READY: its unit is
# active). Requests may fail until then, or until the edge gives up the old
# MASTER's connections, DEAD ms after the event: 0 when the old connector
# unregisters (it is stopped), 5000 when its link is cut and it cannot (the
# edge's QUIC idle timeout; cf-edge.md).
failover() {
	case=$1 master=$2 backup=$3 action=$4 dead=$5
	bridge_load "$UWEB" 20 "$T/$case.load"
	sleep 3
	t0=$(ms)
	"$action" "$master"
	waitfor 30 active "$backup" argoweb-active@web
	s=$(( $(ms) - t0 ))
	wait "$LOADPID"
	n=$(load_field "$T/$case.load" failed) m=$(load_field "$T/$case.load" sent)
	secs=$(printf '%d.%02d' $((s / 1000)) $((s % 1000 / 10)))
	echo "# failover: $case promoted in $secs s; $n of $m requests failed"
	st=$(on "$backup" systemctl is-active argoweb-active@web)
	check "$case: $backup promoted and serving ($st) in $secs s, within $FAILOVER_BOUND s" \
		sh -c '[ "$0" = active ] && [ "$1" -le "$2" ]' "$st" "$s" $((FAILOVER_BOUND * 1000))
	last=$(load_field "$T/$case.load" last_failure_ms)
	until=$((s > dead ? s : dead))
	check "... requests fail only until then: the last at ${last%.*} ms of the load, the event at 3000 ms, bound $((3000 + until + 2000)) ms" \
		sh -c '[ "$0" -gt 0 ] && { [ "$1" = 0 ] || [ "${2%.*}" -le $((3000 + $3 + 2000)) ]; }' "$m" "$n" "$last" "$until"
	[ "$n" = 0 ] || failures "$T/$case.load"
	[ "$n" = 0 ] || [ -z "${AW_EVENTS:-}" ] || bridge_get "/events" | python3 -c 'import json, sys
d = json.load(sys.stdin)
ev = d if isinstance(d, list) else d.get("events", [])
for e in ev[-60:]:
    print("#   event", json.dumps(e)[:300])'
}
# Every keepalived process at once (its VRRP child must not outlive its
# parent to send a last advertisement).
kill_keepalived() { on "$1" systemctl kill --signal=KILL keepalived.service; }
cut_link() {
	tb_use "$1"
	idx=$(nsenter -t "$TB_PID1" -n ip -o link show host0 | sed -n 's/^[0-9]*: host0@if\([0-9]*\):.*/\1/p')
	LINK=$(ip -o link | sed -n "s/^$idx: \([^@:]*\).*/\1/p")
	ip link set "$LINK" down
}
# The container's poweroff begun (systemd-nspawn's SIGTERM: its systemd
# stops every unit, keepalived first, as a machine's shutdown does).
power_off() { tb_use "$1"; kill -TERM "$TB_NSPAWN"; }

failover keepalived-killed h1 h2 kill_keepalived 0
check "... h1's connector stopped with its keepalived (the ExecStopPost= the notify script gave keepalived.service)" \
	waitfor 10 inactive h1 argoweb-active@web
on h1 systemctl start keepalived
sleep 4
check "... h1's keepalived back: BACKUP (nopreempt), no connector there; one at the edge ($(connectors "$UWEB"))" \
	sh -c '[ "$0" != active ] && [ "$1" = active ] && [ "$2" = 1 ]' \
	"$(on h1 systemctl is-active argoweb-active@web)" "$(on h2 systemctl is-active argoweb-active@web)" "$(connectors "$UWEB")"

failover link-cut h2 h1 cut_link 5000
check "... h2 (FAULT: its link is down) stopped its connector" waitfor 10 inactive h2 argoweb-active@web
ip link set "$LINK" up
sleep 5
check "... h2's link back: no split brain: h2 BACKUP, no connector; one at the edge ($(connectors "$UWEB"))" \
	sh -c '[ "$0" != active ] && [ "$1" = active ] && [ "$2" = 1 ]' \
	"$(on h2 systemctl is-active argoweb-active@web)" "$(on h1 systemctl is-active argoweb-active@web)" "$(connectors "$UWEB")"

failover powered-off h1 h2 power_off 0
tb_use h1
tb_shutdown
tb_save h1
check "... one connector at the edge: h2's ($(connectors "$UWEB"))" [ "$(connectors "$UWEB")" = 1 ]
done_testing
