#!/bin/sh
# tags: real-connector installed testbed diagonal
# Ready means serving, stop means drain, and no stray connector: tunnels
# created in Cloudflare's dashboard (a token, no ingress of their own; the
# edge pushes their rules after each registration), with the REAL
# cloudflared ($REAL_CLOUDFLARED) against cf-edge -remote-managed
# -push-delay 1500ms ($CF_EDGE) under a booted Debian (tests/testbed), the
# .deb installed, for HTTP/2 (h2) and QUIC (q), under cf-edge's load (20
# requests/s):
# - the first start ever: systemctl start returns once the push is there
#   (READY=1 means serving; STATUS said it waited), then 0 of the requests
#   in the next 3 s fail; the pushed configuration is kept (0600, the
#   service user's), and argoweb status says which version is served;
# - systemctl stop with the default grace period (30s) and unhealthy-after
#   8s: STATUS says it drains, the unit ends Result=success;
# - with the kept configuration: a start, argoweb restart, a package
#   upgrade and a reboot of the test bed, each with 0 failed requests in
#   the 3 s after the tunnel is back (or throughout, for the hand-overs);
# - an argoweb restart interrupted (SIGINT) stops its hand-over connector;
#   one killed (SIGKILL) leaves it, argoweb status says so (exit 2), and
#   systemctl stop argoweb@NAME stops it too: no live edge connection left.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/testbed/testbed.sh"
tb_real_start "dashboard-managed tunnels with the real cloudflared against cf-edge" python3 upgrade persist

mkdir -m 0700 "$TB_SHARE/in"
for n in h2 q; do write_token "$TB_SHARE/in/$n.token" "$(cat /proc/sys/kernel/random/uuid)"; done
tb_real_copy_in
cp "$UPDEB" "$TB_SHARE/argoweb-upgrade.deb"

# Inside: the package; per tunnel an edge that answers "remotely managed"
# and pushes the dashboard's rules 1.5 s after each registration (units of
# their own, enabled, so that they come back after a reboot, ordered
# before the tunnel's), the origin; configs with no ingress: the token
# from /etc/argoweb/NAME.token (the unit's LoadCredential=), the edge, the
# default grace period, unhealthy-after 8s.
tb_sh >"$T/setup" 2>&1 <<'EOF'
set -eu
dpkg -i /testbed/argoweb.deb
install -m 0755 /testbed/origin /usr/local/bin/origin
cf-edge -gencerts /etc/cf-edge
install -m 0644 /etc/cf-edge/ca.pem /etc/argoweb/ca.pem
. /testbed/inside.sh
simple_unit origin-www "test origin" /usr/local/bin/origin 127.0.0.1 4430 www 36000
n=0
for t in h2:http2 q:quic; do
	n=$((n + 1)); name=${t%%:*} proto=${t#*:}
	printf '{"ingress":[{"hostname":"www.example.com","service":"http://127.0.0.1:4430","originRequest":{"connectTimeout":10}},{"service":"http_status:404"}]}\n' \
		>"/etc/cf-edge/remote-$name.json"
	simple_unit "cf-edge-$name" "test edge $name" /usr/local/bin/cf-edge -cert /etc/cf-edge/edge.pem \
		-key /etc/cf-edge/edge.key -listen 127.0.$n.1:7844 -listen 127.0.$n.2:7844 \
		-listen 127.0.$n.3:7844 -listen 127.0.$n.4:7844 -control 127.0.$n.1:9999 \
		-remote-managed -remote-config "/etc/cf-edge/remote-$name.json" -push-delay 1500ms
	mkdir -p "/etc/systemd/system/argoweb@$name.service.d"
	printf '[Unit]\nAfter=cf-edge-%s.service origin-www.service\n' "$name" \
		>"/etc/systemd/system/argoweb@$name.service.d/test-edge.conf"
	install -m 0600 "/testbed/in/$name.token" "/etc/argoweb/$name.token"
	{
		printf 'protocol: %s\n' "$proto"
		printf 'edge: [127.0.%s.1:7844, 127.0.%s.2:7844, 127.0.%s.3:7844, 127.0.%s.4:7844]\n' $n $n $n $n
		printf 'cacert: /etc/argoweb/ca.pem\nhealth: {interval: 1s, unhealthy-after: 8s}\n'
	} >"/etc/argoweb/$name.yaml"
	chown root:argoweb "/etc/argoweb/$name.yaml"
	chmod 0640 "/etc/argoweb/$name.yaml"
done
systemctl daemon-reload
systemctl enable --now origin-www cf-edge-h2 cf-edge-q
systemctl enable argoweb@h2 argoweb@q
EOF
rc=$?
check "the .deb installed, the real cloudflared, two remote-managed edges (push after 1.5 s), the origin, two token configs without ingress" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { show "$T/setup"; done_testing; exit 1; }

none_failed() { [ "$(load_field "$1" failed)" = 0 ] && [ "$(load_field "$1" sent)" -gt 0 ]; }

# One tunnel, in the background (its own edge, N): NAME N.
remote_tunnel() {
	name=$1 n=$2 unit=argoweb@$1.service
	part_begin "$name"

	# 1. The first start ever: nothing kept, so ready waits for the push.
	: >"$T/$name.statuses"
	( while :; do tb_prop "$unit" StatusText >>"$T/$name.statuses"; sleep 0.1; done ) &
	WATCH=$!
	s0=$(date +%s%N)
	tb_exec timeout 60 systemctl start "$unit"
	rc=$?
	ms=$((($(date +%s%N) - s0) / 1000000))
	edge_load "$n" 3 "$T/$name.first"
	wait "$LOADPID"
	kill "$WATCH"
	bench_remote first-start "$name" "$T/$name.first"
	check "first start: systemctl start returns after the push, not at the registration ($ms ms; the push comes 1.5 s after it), exit $rc" \
		sh -c '[ "$0" = 0 ] && [ "$1" -ge 1500 ]' "$rc" "$ms"
	check "... STATUS said it waited: \"Connected to the edge (N connections), waiting for the tunnel's configuration from Cloudflare\"" \
		grep -q "waiting for the tunnel's configuration from Cloudflare" "$T/$name.statuses"
	check "... the 3 s after systemctl start returned: none failed ($(load_summary "$T/$name.first"))" none_failed "$T/$name.first"
	st=$(tb_prop "$unit" StatusText)
	check "... StatusText names the configuration served ($st)" \
		sh -c 'case $0 in "Connected: "*"; configuration version "*" from Cloudflare") ;; *) exit 1;; esac' "$st"
	tb_exec argoweb status "$name" >"$T/$name.status" 2>&1
	check "... argoweb status says so too, exit 0 ($(cat "$T/$name.status"))" \
		grep -q "^$name: connected, 4 edge connections; configuration version [0-9]* from Cloudflare$" "$T/$name.status"
	kept=$(tb_exec stat -c '%a %U' "/var/lib/argoweb/$name.remote.yaml" 2>&1)
	tb_exec cat "/var/lib/argoweb/$name.remote.yaml" >"$T/$name.kept" 2>&1
	check "... the pushed configuration is kept: /var/lib/argoweb/$name.remote.yaml, $kept, the dashboard's rule as a config writes it" \
		sh -c '[ "$0" = "600 argoweb" ] && grep -q "hostname: \"www.example.com\"" "$1" && grep -q "connectTimeout: 10s" "$1"' \
		"$kept" "$T/$name.kept"
	show "$T/$name.kept"

	# 2. Stop = drain: default grace period (30s) beyond unhealthy-after (8s).
	: >"$T/$name.statuses"
	( while :; do tb_prop "$unit" StatusText >>"$T/$name.statuses"; sleep 0.2; done ) &
	WATCH=$!
	s0=$(date +%s%N)
	tb_exec timeout 90 systemctl stop "$unit"
	ms=$((($(date +%s%N) - s0) / 1000000))
	kill "$WATCH"
	res=$(tb_prop "$unit" Result)
	check "systemctl stop (grace-period 30s, unhealthy-after 8s): Result=$res after $ms ms" [ "$res" = success ]
	if [ "$name" = q ] && ! release_ge 2024.10.0; then
		# e251a218: before 2024.10.0 QUIC closes at once on a stop.
		check "... cloudflared $CF_RELEASE closes QUIC at once, nothing to drain ($ms ms)" [ "$ms" -lt 5000 ]
	else
		check "... draining for the grace period, more than unhealthy-after ($ms ms), STATUS said so (\"Draining: 4 edge connections, for up to grace-period (30s)\")" \
			sh -c '[ "$0" -ge 8000 ] && grep -q "^Draining: 4 edge connections, for up to grace-period (30s)$" "$1"' "$ms" "$T/$name.statuses"
	fi
	tb_exec journalctl -b -u "$unit" --no-pager -o cat >"$T/$name.j1" 2>&1
	check "... no watchdog in it" sh -c '! grep -qi "watchdog" "$0"' "$T/$name.j1"
	grep -i "watchdog" "$T/$name.j1" | head -n 3 | show

	# 3. A start with the kept configuration: ready at the registration.
	tb_exec sh -c "printf 'grace-period: 10s\n' >>/etc/argoweb/$name.yaml"
	: >"$T/$name.statuses"
	( while :; do tb_prop "$unit" StatusText >>"$T/$name.statuses"; sleep 0.1; done ) &
	WATCH=$!
	s0=$(date +%s%N)
	tb_exec timeout 60 systemctl start "$unit"
	rc=$?
	ms=$((($(date +%s%N) - s0) / 1000000))
	edge_load "$n" 3 "$T/$name.kept-start"
	wait "$LOADPID"
	sleep 1
	kill "$WATCH"
	bench_remote kept-start "$name" "$T/$name.kept-start"
	check "start with the kept configuration: systemctl start returns at the registration ($ms ms, before the push's 1.5 s), exit $rc" \
		sh -c '[ "$0" = 0 ] && [ "$1" -lt 1500 ]' "$rc" "$ms"
	check "... serving it until the push: \"$(grep -m1 "the kept configuration" "$T/$name.statuses")\"" \
		grep -q "^Connected: [0-9] edge connections\?; the kept configuration (version [0-9]*) until Cloudflare pushes$" "$T/$name.statuses"
	check "... the 3 s after systemctl start returned: none failed ($(load_summary "$T/$name.kept-start"))" \
		none_failed "$T/$name.kept-start"

	# 4. argoweb restart under load: each connector serves from its
	# registration, the hand-over connector and the restarted one alike.
	edge_load "$n" 45 "$T/$name.restart-load"
	sleep 2
	tb_exec argoweb restart "$name" >"$T/$name.restart" 2>&1
	rc=$?
	wait "$LOADPID"
	show "$T/$name.restart"
	check "argoweb restart $name (exit $rc) under load: none failed ($(load_summary "$T/$name.restart-load"))" \
		sh -c '[ "$0" = 0 ] && [ "$1" = "$2" ] && [ "$3" = 0 ]' "$rc" "$(load_field "$T/$name.restart-load" failed)" \
		"$(in_flight "$T/$name.restart-load")" "$(load_field "$T/$name.restart-load" no_connector)"
	[ "$(in_flight "$T/$name.restart-load")" = 0 ] ||
		echo "# $name: cloudflared $CF_RELEASE aborts what is in flight when it unregisters over QUIC: $(in_flight "$T/$name.restart-load") cut (counted apart; 2024.10.0 and later drain)" >>"$TAP"
	bench_remote restart "$name" "$T/$name.restart-load"

	# The same without the kept configuration (seed-remote-config: false):
	# each new connector is sent requests from its registration, and
	# answers them 503 until its push. What the kept rules are for.
	tb_exec sh -c "printf 'seed-remote-config: false\n' >>/etc/argoweb/$name.yaml"
	edge_load "$n" 45 "$T/$name.unseeded"
	sleep 2
	tb_exec argoweb restart "$name" >"$T/$name.restart-unseeded" 2>&1
	rc=$?
	wait "$LOADPID"
	check "... without it (seed-remote-config: false, exit $rc), requests fail while each new connector waits for its push: $(load_summary "$T/$name.unseeded")" \
		sh -c '[ "$0" = 0 ] && [ "$1" -gt 0 ]' "$rc" "$(load_field "$T/$name.unseeded" failed)"
	bench_remote unseeded "$name" "$T/$name.unseeded"
	tb_exec sed -i '/^seed-remote-config:/d' "/etc/argoweb/$name.yaml"
}

# bench/remote.sh reads one line per measurement from BENCH_OUT.
bench_remote() { # WHAT NAME FILE
	[ -n "${BENCH_OUT:-}" ] && echo "$1 $2 $(load_field "$3" sent) $(load_field "$3" failed) $(load_field "$3" longest_gap_ms)" >>"$BENCH_OUT"
	return 0
}

# Requests cut in flight, forgiven only where the release does that: QUIC
# before 2024.10.0 (e251a218) aborts what it serves when it unregisters.
in_flight() {
	if [ "${name:-}" = q ] && ! release_ge 2024.10.0; then load_field "$1" errors.connection_closed; else echo 0; fi
}

# The interrupted restarts of one tunnel, in the background: NAME N.
run_interrupted() {
	name=$1 n=$2 unit=argoweb@$1.service helper=argoweb-handover@$1.service
	part_begin "$name"
	helper_up() { [ "$(tb_prop "$helper" ActiveState)" = active ]; }
	helper_down() { [ "$(tb_prop "$helper" ActiveState)" = inactive ]; }
	# SIGINT, once the hand-over connector serves: argoweb restart stops it.
	tb_exec argoweb restart "$name" >"$T/$name.int" 2>&1 &
	RP=$!
	waitfor 30 helper_up
	tb_exec pkill -INT -f "^argoweb restart $name\$"
	wait "$RP"
	rc=$?
	waitfor 30 helper_down
	check "argoweb restart interrupted (SIGINT): exit $rc, its hand-over connector stopped ($(tb_prop "$helper" ActiveState)): $(grep -m1 interrupted "$T/$name.int")" \
		sh -c '[ "$0" = 130 ] && [ "$1" = inactive ]' "$rc" "$(tb_prop "$helper" ActiveState)"
	# SIGKILL: nothing to clean up with; argoweb status sees it.
	waitfor 60 tb_connected "$unit" 4
	tb_exec argoweb restart "$name" >"$T/$name.kill" 2>&1 &
	RP=$!
	waitfor 30 helper_up
	tb_exec pkill -KILL -f "^argoweb restart $name\$"
	wait "$RP"
	waitfor 60 tb_connected "$unit" 4
	tb_exec argoweb status "$name" >"$T/$name.left" 2>&1
	rc=$?
	check "argoweb restart killed (SIGKILL): argoweb status names the hand-over connector left behind, exit $rc" \
		sh -c '[ "$0" = 2 ] && grep -q "a hand-over connector left behind: argoweb-handover@$1 has [0-9]* edge connections\? and no argoweb restart runs" "$2"' \
		"$rc" "$name" "$T/$name.left"
	show "$T/$name.left"
	tb_exec timeout 90 systemctl stop "$unit"
	waitfor 30 helper_down
	check "... systemctl stop argoweb@$name stops it too ($(tb_prop "$helper" ActiveState)), and no connection of the tunnel stays live at the edge ($(edge_live "$n"))" \
		sh -c '[ "$0" = inactive ] && [ "$1" = 0 ]' "$(tb_prop "$helper" ActiveState)" "$(edge_live "$n")"
	tb_exec timeout 60 systemctl start "$unit"
}

# Each tunnel's sequence, at once (part_merge then adds their TAP lines).
each() { # FUNCTION
	n=0 pids=
	for name in h2 q; do
		n=$((n + 1))
		"$1" "$name" "$n" &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086 # PIDs
	wait $pids
}
stamp "1-4: first start, stop, a start with the kept configuration, argoweb restart"
each remote_tunnel
part_merge h2 q

# 5. A package upgrade under load: its postinst hands each tunnel over.
stamp "5: a package upgrade"
edge_load 1 45 "$T/h2.upgrade"
L1=$LOADPID
edge_load 2 45 "$T/q.upgrade"
L2=$LOADPID
sleep 2
tb_exec dpkg -i /testbed/argoweb-upgrade.deb >"$T/upgrade" 2>&1
rc=$?
wait "$L1" "$L2"
for name in h2 q; do
	bench_remote upgrade "$name" "$T/$name.upgrade"
	check "dpkg -i of a newer package (exit $rc), $name under load: none failed ($(load_summary "$T/$name.upgrade"))" \
		sh -c '[ "$0" = 0 ] && [ "$1" = "$2" ] && [ "$3" = 0 ]' "$rc" "$(load_field "$T/$name.upgrade" failed)" \
		"$(in_flight "$T/$name.upgrade")" "$(load_field "$T/$name.upgrade" no_connector)"
done
grep -i "restart\|argoweb" "$T/upgrade" | head -n 8 | show

stamp "6: interrupted restarts"
each run_interrupted
part_merge h2 q

# 7. A reboot: the units start at boot with the kept configuration.
stamp "7: a reboot"
tb_shutdown
tb_boot || bail_skip "$TB_WHY"
for n in 1 2; do
	name=$([ $n = 1 ] && echo h2 || echo q)
	edge_load "$n" 3 "$T/$name.boot"
	wait "$LOADPID"
	bench_remote boot "$name" "$T/$name.boot"
	check "after a reboot, argoweb@$name $(tb_prop "argoweb@$name.service" ActiveState) at boot: the 3 s after it: none failed ($(load_summary "$T/$name.boot"))" \
		none_failed "$T/$name.boot"
done
tb_exec systemctl stop argoweb@h2 argoweb@q
stamp "done"
done_testing