#!/bin/sh
# tags: real-connector installed testbed diagonal
# argoweb restart against the REAL cloudflared ($REAL_CLOUDFLARED) and
# cf-edge ($CF_EDGE) under a booted Debian 12 or 13 (tests/testbed, loopback
# only), the .deb installed: requests at a steady rate through the edge
# (cf-edge /load, 20 per second) while a tunnel is restarted, for HTTP/2
# (h2) and QUIC (q), grace-period 10s:
# - systemctl restart argoweb@NAME: requests fail (the baseline, the gap);
# - argoweb restart NAME: none finds the tunnel without a connector, and
#   over HTTP/2 none fails at all: slow requests (3 s) in flight when the
#   old connector stops complete with 200; argoweb status shows the
#   hand-over while it runs;
# - a config change through argoweb restart: no gap, the new rule serves;
# - a bad new config: refused with its error, nothing touched;
# - a hand-over connector that cannot register (cf-edge /stall): nothing
#   restarted, the tunnel still up;
# - a package upgrade (dpkg -i of the same package at a higher version)
#   with both tunnels under load: the postinst hands each over, no gap.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/testbed/testbed.sh"
tb_real_start "argoweb restart with the real cloudflared against cf-edge" python3 upgrade

mkdir -m 0700 "$TB_SHARE/in"
for n in h2 q; do write_cred_json "$TB_SHARE/in/$n.json"; done
tb_real_copy_in
cp "$UPDEB" "$TB_SHARE/argoweb-upgrade.deb" 2>/dev/null

# Inside: the package, one edge per tunnel (127.0.N.1-4:7844, control on
# 127.0.N.1:9999), the origin (www, with /slow?s=N), two configs. The
# hand-over connector of h2 gets 8 s to register, not the shipped 60 s:
# the test waits on it.
tb_sh >"$T/setup" 2>&1 <<'EOF'
set -eu
dpkg -i /testbed/argoweb.deb
install -m 0755 /testbed/origin /usr/local/bin/origin
cf-edge -gencerts /etc/cf-edge
install -m 0644 /etc/cf-edge/ca.pem /etc/argoweb/ca.pem
systemd-run -q --unit=origin-www /usr/local/bin/origin 127.0.0.1 4430 www 3600
n=0
for t in h2:http2 q:quic; do
	n=$((n + 1)); name=${t%%:*} proto=${t#*:}
	systemd-run -q --unit="cf-edge-$name" /usr/local/bin/cf-edge -cert /etc/cf-edge/edge.pem \
		-key /etc/cf-edge/edge.key -listen 127.0.$n.1:7844 -listen 127.0.$n.2:7844 \
		-listen 127.0.$n.3:7844 -listen 127.0.$n.4:7844 -control 127.0.$n.1:9999
	install -m 0600 "/testbed/in/$name.json" "/etc/argoweb/$name.json"
	uuid=$(sed 's/.*"TunnelID":"\([^"]*\)".*/\1/' "/etc/argoweb/$name.json")
	{
		printf 'tunnel: %s\ncredentials-file: /etc/argoweb/%s.json\nprotocol: %s\n' "$uuid" "$name" "$proto"
		printf 'edge: [127.0.%s.1:7844, 127.0.%s.2:7844, 127.0.%s.3:7844, 127.0.%s.4:7844]\n' $n $n $n $n
		printf 'cacert: /etc/argoweb/ca.pem\ngrace-period: 10s\nhealth: {interval: 1s, unhealthy-after: 20s}\n'
		printf 'ingress:\n  - hostname: www.example.com\n    service: http://127.0.0.1:4430\n  - service: http_status:404\n'
	} >"/etc/argoweb/$name.yaml"
	chown root:argoweb "/etc/argoweb/$name.yaml"
	chmod 0640 "/etc/argoweb/$name.yaml"
done
mkdir -p /etc/systemd/system/argoweb-handover@h2.service.d
printf '[Service]\nTimeoutStartSec=8s\n' >/etc/systemd/system/argoweb-handover@h2.service.d/test.conf
systemctl daemon-reload
systemctl start argoweb@h2 argoweb@q
EOF
rc=$?
check "the .deb installed, the real cloudflared, two edges, the origin, argoweb@h2 and argoweb@q started" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { show "$T/setup"; done_testing; exit 1; }

# bench/handover.sh runs this test BENCH_ROUNDS times over (steps 1 and 2)
# and reads one line per measurement from BENCH_OUT.
ROUNDS=${BENCH_ROUNDS:-1}
bench_handover() { # WHAT NAME FILE
	[ -n "${BENCH_OUT:-}" ] && echo "$1 $2 $(load_field "$3" failed) $(load_field "$3" no_connector) $(load_field "$3" errors.connection_closed) $(load_field "$3" longest_gap_ms)" >>"$BENCH_OUT"
	return 0
}

# One tunnel's sequence, in the background (its own edge, N): NAME N.
hand_over_tunnel() {
	name=$1 n=$2
	part_begin "$name"
	waitfor 30 tb_connected "argoweb@$name.service" 4 || not_ok "connected with 4 connections at the start"

	r=0
	while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	# 1. The baseline: systemctl restart drops requests.
	edge_load "$n" 20 "$T/$name.base"
	sleep 3
	tb_exec systemctl restart "argoweb@$name"
	wait "$LOADPID"
	check "systemctl restart argoweb@$name under load (the baseline): $(load_summary "$T/$name.base")" \
		[ "$(load_field "$T/$name.base" failed)" -gt 0 ]
	bench_handover systemctl "$name" "$T/$name.base"
	waitfor 30 tb_connected "argoweb@$name.service" 4

	# 2. argoweb restart: a second connector first.
	pid0=$(tb_prop "argoweb@$name.service" MainPID)
	edge_load "$n" 30 "$T/$name.ho"
	i=0 seen=
	hand_over_seen() {
		tb_exec argoweb status "$name" 2>&1 | grep -q "hand-over in progress: argoweb-handover@$name has"
	}
	while [ $i -lt 40 ]; do     # a slow request every 0.5 s for 8 s, from 0.5 s on
		[ $i -lt 16 ] && edge_ctl "$n" "/proxy?host=www.example.com&path=/slow%3Fs=3&timeout=30s" >"$T/$name.slow.$i" &
		i=$((i + 1))
		if [ $i = 6 ]; then
			tb_exec argoweb restart "$name" >"$T/$name.restart" 2>&1 &
			RPID=$!
		fi
		[ $i -gt 6 ] && [ -z "$seen" ] && hand_over_seen && seen=1
		[ $i -gt 16 ] && ! kill -0 "$RPID" 2>/dev/null && break
		sleep 0.5
	done
	wait "$LOADPID"
	wait
	sed 's/^/# /' "$T/$name.restart" >>"$TAP"
	check "argoweb restart $name: exit 0, argoweb@$name restarted (MainPID $pid0 -> $(tb_prop "argoweb@$name.service" MainPID))" \
		sh -c 'grep -q "restarted with a connector registered throughout" "$0" && [ "$1" != "$2" ]' \
		"$T/$name.restart" "$pid0" "$(tb_prop "argoweb@$name.service" MainPID)"
	check "argoweb status showed the hand-over while it ran" [ -n "$seen" ]
	check "argoweb restart $name under load: no request without a connector: $(load_summary "$T/$name.ho")" \
		[ "$(load_field "$T/$name.ho" no_connector)" = 0 ]
	slow_ok=0 slow_n=0
	for f in "$T/$name".slow.*; do
		slow_n=$((slow_n + 1))
		[ "$(load_field "$f" status)" = 200 ] && slow_ok=$((slow_ok + 1))
	done
	if [ "$name" = h2 ]; then
		check "... over HTTP/2, none failed at all" [ "$(load_field "$T/$name.ho" failed)" = 0 ]
		check "... and the slow requests (3 s, some in flight as the old connector stopped) all 200: $slow_ok of $slow_n" \
			[ "$slow_ok" = "$slow_n" ]
	else
		echo "# $name: over QUIC cloudflared 2023.7.3 aborts what is in flight when it unregisters: $(load_field "$T/$name.ho" errors.connection_closed) load requests and $((slow_n - slow_ok)) of $slow_n slow ones cut (counted apart)" >>"$TAP"
	fi
	check "the hand-over connector is gone afterwards" \
		[ "$(tb_prop "argoweb-handover@$name.service" ActiveState)" = inactive ]
	bench_handover argoweb "$name" "$T/$name.ho"
	waitfor 30 tb_connected "argoweb@$name.service" 4
	done

	# 3. A config change: a new rule, through argoweb restart.
	waitfor 30 tb_connected "argoweb@$name.service" 4
	tb_exec sed -i 's|^  - service: http_status:404|  - hostname: new.example.com\n    service: http://127.0.0.1:4430\n  - service: http_status:404|' "/etc/argoweb/$name.yaml"
	edge_load "$n" 30 "$T/$name.cfg"
	sleep 2
	tb_exec argoweb restart "$name" >"$T/$name.restart2" 2>&1
	rc=$?
	wait "$LOADPID"
	got=$(edge_ctl "$n" "/proxy?host=new.example.com&path=/new&raw=1" -o "$T/$name.new" -w '%{http_code}')
	check "a config change through argoweb restart (exit $rc): $(load_summary "$T/$name.cfg"); the new rule serves ($got $(cat "$T/$name.new"))" \
		sh -c '[ "$0" = 0 ] && [ "$1" = 0 ] && [ "$2" = 200 ]' "$rc" "$(load_field "$T/$name.cfg" no_connector)" "$got"

	# 4. A bad new config: refused before anything is touched.
	pid0=$(tb_prop "argoweb@$name.service" MainPID)
	tb_exec sh -c "printf 'protocl: quic\n' >>/etc/argoweb/$name.yaml"
	tb_exec argoweb restart "$name" >"$T/$name.bad" 2>&1
	rc=$?
	check "a bad new config: argoweb restart exits $rc with the error ($(head -n1 "$T/$name.bad")); the tunnel untouched" \
		sh -c '[ "$0" = 78 ] && grep -q "/etc/argoweb/$1.yaml:[0-9]*:[0-9]*: protocl: unknown key" "$2" &&
			[ "$3" = "$4" ]' "$rc" "$name" "$T/$name.bad" "$pid0" "$(tb_prop "argoweb@$name.service" MainPID)"
	check "... and no hand-over connector was started" \
		[ "$(tb_prop "argoweb-handover@$name.service" ActiveState)" = inactive ]
	tb_exec sed -i '/^protocl:/d' "/etc/argoweb/$name.yaml"

	# 5. A hand-over connector that cannot register (h2: 8 s allowed).
	if [ "$name" = h2 ]; then
		edge_ctl "$n" /stall -X POST >/dev/null
		s0=$(date +%s)
		tb_exec argoweb restart "$name" >"$T/$name.stall" 2>&1
		rc=$?
		check "the hand-over connector cannot register: exit $rc after $(($(date +%s) - s0)) s, nothing restarted ($(tail -n1 "$T/$name.stall"))" \
			sh -c '[ "$0" = 69 ] && grep -q "did not connect" "$1" && [ "$2" = "$3" ]' \
			"$rc" "$T/$name.stall" "$pid0" "$(tb_prop "argoweb@$name.service" MainPID)"
		check "... the tunnel still has its connections" tb_connected "argoweb@$name.service" 4
		edge_ctl "$n" /restore -X POST >/dev/null
	fi
}

stamp "two tunnels, each in turn: baseline, hand-over, config change, bad config"
hand_over_tunnel h2 1 &
P1=$!
hand_over_tunnel q 2 &
P2=$!
wait "$P1" "$P2"
part_merge h2 q

# 6. A package upgrade with both tunnels under load.
stamp "the upgrade"
if [ -f "$TB_SHARE/argoweb-upgrade.deb" ]; then
	waitfor 30 tb_connected argoweb@h2.service 4
	waitfor 30 tb_connected argoweb@q.service 4
	p1=$(tb_prop argoweb@h2.service MainPID) p2=$(tb_prop argoweb@q.service MainPID)
	edge_load 1 40 "$T/h2.up"
	L1=$LOADPID
	edge_load 2 40 "$T/q.up"
	L2=$LOADPID
	sleep 2
	tb_exec dpkg -i /testbed/argoweb-upgrade.deb >"$T/upgrade" 2>&1
	rc=$?
	wait "$L1" "$L2"
	check "dpkg -i the upgrade under load: exit $rc, both tunnels handed over (MainPID $p1 -> $(tb_prop argoweb@h2.service MainPID), $p2 -> $(tb_prop argoweb@q.service MainPID))" \
		sh -c '[ "$0" = 0 ] && [ "$1" != "$2" ] && [ "$3" != "$4" ]' "$rc" "$p1" \
		"$(tb_prop argoweb@h2.service MainPID)" "$p2" "$(tb_prop argoweb@q.service MainPID)"
	[ "$rc" = 0 ] || show "$T/upgrade"
	check "... h2: no request without a connector: $(load_summary "$T/h2.up")" [ "$(load_field "$T/h2.up" no_connector)" = 0 ]
	bench_handover upgrade h2 "$T/h2.up"
	bench_handover upgrade q "$T/q.up"
	check "... q: no request without a connector: $(load_summary "$T/q.up")" [ "$(load_field "$T/q.up" no_connector)" = 0 ]
else
	skip "the upgrade under load" "no upgrade package"
fi
stamp "done"
done_testing
