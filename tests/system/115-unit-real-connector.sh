#!/bin/sh
# tags: real-connector installed testbed diagonal
# The packaged argoweb@.service, unchanged, running the REAL cloudflared
# ($REAL_CLOUDFLARED) against cf-edge ($CF_EDGE) under a booted Debian 12
# or 13 (systemd 252 or 257 as PID 1, tests/testbed, loopback only), each
# with each release: the .deb installed
# as a user would, /usr/bin/cloudflared the real connector, each tunnel's
# config adding only edge: and cacert:. For QUIC and HTTP/2, a credentials
# JSON and a token (all four at once, each with an edge of its own):
# - systemctl start returns once connected; StatusText reaches 4 connections;
# - an eyeball request through the sandboxed connector reaches the origin;
# - the edge lost: StatusText says why (the dial error), the watchdog
#   restarts the unit cleanly (SIGTERM: no goroutine dump); back after the
#   restore; the journal keeps cloudflared's severities (-p err/warning);
# - qt: the monitor killed: the unit restarts (watchdog or SIGPIPE);
# - ht: cloudflared hung (SIGSTOP): killed TimeoutAbortSec after the
#   watchdog fired, and restarted;
# - qj, hj: Cloudflare refuses the credentials: the unit fails with 76,
#   saying why, and is not restarted (over QUIC from 2025.8.1 cloudflared
#   no longer logs the refusal: said so, restarted, never 76);
# - systemctl stop within the grace period, Result=success;
# - nothing secret in the journal; every line where the sandbox refused
#   cloudflared something is one the README explains.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/testbed/testbed.sh"
tb_real_start "argoweb@.service with the real cloudflared against cf-edge"

# Distinct secrets, to look for in the journal afterwards.
S_QJ=$(printf 'quic-json-NEVER-in-the-journal-1' | base64 -w0)
S_QT=$(printf 'quic-tokn-NEVER-in-the-journal-2' | base64 -w0)
S_HJ=$(printf 'http-json-NEVER-in-the-journal-3' | base64 -w0)
S_HT=$(printf 'http-tokn-NEVER-in-the-journal-4' | base64 -w0)
U_QJ=6ff42ae2-765d-4adf-8112-31c55c155101 U_QT=6ff42ae2-765d-4adf-8112-31c55c155102
U_HJ=6ff42ae2-765d-4adf-8112-31c55c155103 U_HT=6ff42ae2-765d-4adf-8112-31c55c155104
A=0123456789abcdef0123456789abcdef
mkdir -m 0700 "$TB_SHARE/in"
printf '{"AccountTag":"%s","TunnelSecret":"%s","TunnelID":"%s"}\n' $A "$S_QJ" $U_QJ >"$TB_SHARE/in/qj.json"
printf '{"AccountTag":"%s","TunnelSecret":"%s","TunnelID":"%s"}\n' $A "$S_HJ" $U_HJ >"$TB_SHARE/in/hj.json"
printf '{"a":"%s","t":"%s","s":"%s"}' $A $U_QT "$S_QT" | base64 -w0 >"$TB_SHARE/in/qt.token"
printf '{"a":"%s","t":"%s","s":"%s"}' $A $U_HT "$S_HT" | base64 -w0 >"$TB_SHARE/in/ht.token"
tb_real_copy_in

# Inside: the package, the edges (one per tunnel, on 127.0.N.1-4:7844 with
# control on 127.0.N.1:9999), the origin, and four configs: the shipped
# example with edge:, cacert:, the tunnel's own metrics, a short grace
# period and health timing; the secrets root's, 0600, where the unit
# takes them from (/etc/argoweb/NAME.json or NAME.token).
tb_sh >"$T/setup" 2>&1 <<'EOF'
set -eu
dpkg -i /testbed/argoweb.deb
install -m 0755 /testbed/origin /usr/local/bin/origin
cf-edge -gencerts /etc/cf-edge
install -m 0644 /etc/cf-edge/ca.pem /etc/argoweb/ca.pem
# The example's origins: www.example.com and *.example.com/api/.
systemd-run -q --unit=origin-www /usr/local/bin/origin 127.0.0.1 4430 www 3600
systemd-run -q --unit=origin-api /usr/local/bin/origin 127.0.0.1 9000 api 3600
n=0
for t in qj:quic qt:quic hj:http2 ht:http2; do
	n=$((n + 1)); name=${t%%:*} proto=${t#*:}
	systemd-run -q --unit="cf-edge-$name" /usr/local/bin/cf-edge -cert /etc/cf-edge/edge.pem \
		-key /etc/cf-edge/edge.key -listen 127.0.$n.1:7844 -listen 127.0.$n.2:7844 \
		-listen 127.0.$n.3:7844 -listen 127.0.$n.4:7844 -control 127.0.$n.1:9999
	# The shipped example, its credential for this tunnel (a token names
	# its tunnel itself), and the edge.
	case $name in
	*j) uuid=$(sed 's/.*"TunnelID":"\([^"]*\)".*/\1/' "/testbed/in/$name.json")
	    id="s#^tunnel: .*#tunnel: $uuid#; s#^credentials-file: .*#credentials-file: /etc/argoweb/$name.json#"
	    install -m 0600 "/testbed/in/$name.json" "/etc/argoweb/$name.json";;
	*t) id='/^tunnel:/d; /^credentials-file:/d'
	    install -m 0600 "/testbed/in/$name.token" "/etc/argoweb/$name.token";;
	esac
	sed -e "$id" -e '/^metrics:/d' -e '/^health:/,$d' -e '/^protocol:/d' -e '/^grace-period:/d' \
		/usr/share/doc/argoweb/examples/web.yaml >"/etc/argoweb/$name.yaml"
	printf 'protocol: %s\nedge: [127.0.%s.1:7844, 127.0.%s.2:7844, 127.0.%s.3:7844, 127.0.%s.4:7844]\ncacert: /etc/argoweb/ca.pem\nmetrics: 127.0.%s.9:20241\ngrace-period: 5s\nhealth: {interval: 1s, unhealthy-after: 20s}\n' \
		"$proto" $n $n $n $n $n >>"/etc/argoweb/$name.yaml"
	chown root:argoweb "/etc/argoweb/$name.yaml"
	chmod 0640 "/etc/argoweb/$name.yaml"
done
# Shorter bounds where the test waits on them (the shipped values are
# asserted on qj and hj, which keep them).
mkdir -p /etc/systemd/system/argoweb@qt.service.d /etc/systemd/system/argoweb@ht.service.d
printf '[Service]\nWatchdogSec=6s\n' >/etc/systemd/system/argoweb@qt.service.d/test.conf
printf '[Service]\nTimeoutAbortSec=4s\n' >/etc/systemd/system/argoweb@ht.service.d/test.conf
systemctl daemon-reload
EOF
rc=$?
check "the .deb installed, the real cloudflared at /usr/bin/cloudflared, four edges, two origins, four configs" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { show "$T/setup"; done_testing; exit 1; }
for n in qj qt hj ht; do
	tb_exec argoweb check "$n" >"$T/check.$n" 2>&1
	check "argoweb check $n, as root inside" [ $? = 0 ]
done
ws=$(tb_exec systemctl show -p WatchdogSignal --value argoweb@qj)
ta=$(tb_exec systemctl show -p TimeoutAbortUSec --value argoweb@qj)
rp=$(tb_exec systemctl show -p RestartPreventExitStatus --value argoweb@qj)
check "the shipped unit: the watchdog stops with signal $ws (SIGTERM), SIGKILL $ta later; 76 is not restarted ($rp)" \
	sh -c '[ "$0" = 15 ] && [ "$1" = 45s ] && echo " $2 " | grep -q " 76 "' "$ws" "$ta" "$rp"
echo "# /etc/argoweb/qt.yaml:"
tb_exec cat /etc/argoweb/qt.yaml | show

# One tunnel, in the background (its own edge, N): NAME N.
serve_tunnel() {
	name=$1 n=$2 unit=argoweb@$1.service
	part_begin "$name"
	more() { [ "$(tb_prop "$unit" NRestarts)" -gt "$r0" ]; }
	s0=$(date +%s%N)
	tb_exec timeout 90 systemctl start "argoweb@$name" >"$T/$name.start" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - s0) / 1000000))
	st=$(tb_prop "$unit" StatusText)
	ready=$(edge_live "$n")
	check "systemctl start returns ($ms ms, exit $rc) once connected: StatusText \"$st\", $ready live connection(s) at the edge" \
		sh -c '[ "$0" = 0 ] && [ "$2" -ge 1 ] && case $1 in "Connected: "*) ;; *) exit 1;; esac' "$rc" "$st" "$ready"
	[ "$rc" = 0 ] || { show "$T/$name.start"; tb_why "$unit"; }
	if waitfor 20 tb_is_status "$unit" "Connected: 4 edge connections"; then
		ok "StatusText is \"Connected: 4 edge connections\""
	else
		not_ok "StatusText is \"Connected: 4 edge connections\" (is \"$(tb_prop "$unit" StatusText)\")"
	fi
	got=$(edge_eyeball "$n" www.example.com "/from-$name")
	check "an eyeball request reaches the origin through the sandboxed connector ($got)" \
		[ "$got" = "200 www GET /from-$name" ]
	got=$(edge_eyeball "$n" shop.example.com "/api/$name")
	check "... and by the example's path rule, the other origin ($got)" [ "$got" = "200 api GET /api/$name" ]
	case $got in 200*) ;; *)
		tb_exec journalctl -b -u "argoweb@$name" --no-pager -o cat | grep -E ' (ERR|WRN) ' | tail -n 3 | show
		tb_exec systemctl status --no-pager --lines=2 origin-www | show;;
	esac
	# The edge goes away: the monitor says why, then asks for a restart.
	pid0=$(tb_prop "$unit" MainPID)
	d0=$(date +%s%N)
	edge_ctl "$n" /drop -X POST >/dev/null
	unreach() { case $(tb_prop "$unit" StatusText) in *"edge unreachable"*|*"connection to the edge lost"*) ;; *) return 1;; esac; }
	if waitfor 20 unreach; then
		ok "edge lost: StatusText says why after $((($(date +%s%N) - d0) / 1000000)) ms: \"$(tb_prop "$unit" StatusText)\""
	else
		not_ok "edge lost: StatusText says why (is \"$(tb_prop "$unit" StatusText)\")"
	fi
	r0=0
	if waitfor 40 more; then
		ok "edge lost: the watchdog restarted the unit (NRestarts $(tb_prop "$unit" NRestarts), MainPID $pid0 -> $(tb_prop "$unit" MainPID))"
	else
		not_ok "edge lost: the watchdog restarted the unit (NRestarts $(tb_prop "$unit" NRestarts))"
		tb_why "$unit"
	fi
	tb_exec journalctl -b -u "argoweb@$name" --no-pager -o cat >"$T/$name.j1" 2>&1
	check "... systemd logged the watchdog's verdict" grep -q "Watchdog timeout\|Failed with result 'watchdog'" "$T/$name.j1"
	check "... a clean stop: SIGTERM, cloudflared's own graceful shutdown, no goroutine dump ($(grep -c '^goroutine ' "$T/$name.j1") goroutine lines)" \
		sh -c 'grep -q "Initiating graceful shutdown due to signal terminated" "$0" && ! grep -q "^goroutine \|SIGABRT" "$0"' "$T/$name.j1"
	edge_ctl "$n" /restore -X POST >/dev/null
	b0=$(date +%s)
	if waitfor 120 tb_is_status "$unit" "Connected: 4 edge connections"; then
		ok "edge back: connected again in $(($(date +%s) - b0)) s ($(tb_prop "$unit" ActiveState)/$(tb_prop "$unit" SubState))"
	else
		not_ok "edge back: connected again (StatusText \"$(tb_prop "$unit" StatusText)\")"
		tb_why "$unit"
	fi
	case $name in
	qt) helper_death;;
	ht) hung;;
	esac
	s0=$(date +%s%N)
	tb_exec timeout 60 systemctl stop "argoweb@$name"
	ms=$((($(date +%s%N) - s0) / 1000000))
	res=$(tb_prop "$unit" Result)
	check "systemctl stop in $ms ms (grace-period 5s) with Result=$res" \
		sh -c '[ "$0" -le 7000 ] && [ "$1" = success ]' "$ms" "$res"
	severities
	case $name in
	qj) if release_ge 2025.8.1; then refused_unsaid; else refused_said; fi;;
	hj) refused_said;;
	esac
}

# The monitor killed: cloudflared dies at its next line (SIGPIPE) or the
# watchdog (6 s here) stops it; either way the unit restarts.
helper_death() {
	r0=$(tb_prop "$unit" NRestarts)
	cg=$(tb_prop "$unit" ControlGroup)
	mon=$(tb_exec sh -c 'for p in $(cat /sys/fs/cgroup/systemd"$1"/cgroup.procs /sys/fs/cgroup"$1"/cgroup.procs 2>/dev/null); do
		[ "$(cat /proc/$p/comm)" = argoweb-monitor ] && echo $p; done' _ "$cg" | head -n1)
	k0=$(date +%s%N)
	tb_exec kill -KILL "$mon"
	if [ -n "$mon" ] && waitfor 15 more; then
		ok "the monitor (pid $mon) killed: the unit restarted $((($(date +%s%N) - k0) / 1000000)) ms later (WatchdogSec 6s)"
	else
		not_ok "the monitor (pid ${mon:-not found}) killed: the unit restarted (NRestarts $(tb_prop "$unit" NRestarts))"
		tb_why "$unit"
	fi
	waitfor 60 tb_is_status "$unit" "Connected: 4 edge connections" ||
		not_ok "... connected again after the monitor's death"
}

# cloudflared hung: the watchdog's SIGTERM does nothing; SIGKILL comes
# TimeoutAbortSec (4 s here) later.
hung() {
	r0=$(tb_prop "$unit" NRestarts)
	pid=$(tb_prop "$unit" MainPID)
	tb_exec kill -STOP "$pid"
	if waitfor 45 more; then
		tb_exec journalctl -b -u "argoweb@$name" --no-pager -o short-unix >"$T/$name.j2" 2>&1
		wd=$(awk '/Watchdog (timeout|request)/ { t = $1 } END { print t }' "$T/$name.j2")
		kl=$(awk '/stop-watchdog. timed out. Killing/ { t = $1 } END { print t }' "$T/$name.j2")
		dt=$(awk -v a="${wd:-0}" -v b="${kl:-0}" 'BEGIN { printf "%.1f", b - a }')
		check "cloudflared hung (SIGSTOP): killed $dt s after the watchdog fired (TimeoutAbortSec 4s), restarted" \
			sh -c '[ -n "$0" ] && [ -n "$1" ] && awk -v d="$2" "BEGIN { exit !(d >= 3.5 && d <= 5.5) }"' "${wd:-}" "${kl:-}" "$dt"
	else
		not_ok "cloudflared hung (SIGSTOP): restarted (NRestarts $(tb_prop "$unit" NRestarts))"
		tb_why "$unit"
	fi
	waitfor 60 tb_is_status "$unit" "Connected: 4 edge connections" ||
		not_ok "... connected again after the hang"
}

# The journal: cloudflared's ERR lines at priority err, INF at info.
severities() {
	j() { tb_exec journalctl -b -u "argoweb@$name" --no-pager -o cat "$@" 2>&1; }
	e=$(j -p err | grep -c ' ERR ')
	w=$(j -p warning | grep -c ' INF ')
	i=$(j -p info | grep -c ' INF ')
	check "journalctl -p err shows cloudflared's ERR lines ($e), -p warning none of its INF ($w of $i)" \
		sh -c '[ "$0" -gt 0 ] && [ "$1" = 0 ] && [ "$2" -gt 0 ]' "$e" "$w" "$i"
}

# Cloudflare refuses the credentials: the unit fails with 76 once
# unhealthy-after (20 s) has passed, and is not restarted.
refused_said() {
	edge_ctl "$n" '/reject?reason=auth' -X POST >/dev/null
	s0=$(date +%s%N)
	tb_exec timeout 90 systemctl start "argoweb@$name" >/dev/null 2>&1
	rc=$?
	# cloudflared itself sometimes exits 1 at its first attempt (an error
	# other than the refusal first): the unit restarts it, and the
	# refusal is counted afresh. Wait for the verdict, then for no restart.
	ended() { [ "$(tb_prop "$unit" ActiveState)" = failed ]; }
	waitfor 90 ended
	ms=$((($(date +%s%N) - s0) / 1000000))
	r0=$(tb_prop "$unit" NRestarts)
	sleep 7         # RestartSec=5s: a restart would have come
	st=$(tb_prop "$unit" ExecMainStatus) res=$(tb_prop "$unit" Result) act=$(tb_prop "$unit" ActiveState)
	check "refused credentials: the unit failed $ms ms after systemctl start (exit $rc), status $st, Result=$res, $act, and stays so (NRestarts $(tb_prop "$unit" NRestarts), was $r0)" \
		sh -c '[ "$0" != 0 ] && [ "$1" = 76 ] && [ "$2" = exit-code ] && [ "$3" = failed ] && [ "$4" = "$5" ]' \
		"$rc" "$st" "$res" "$act" "$(tb_prop "$unit" NRestarts)" "$r0"
	[ "$(tb_prop "$unit" ExecMainStatus)" = 76 ] ||
		tb_exec journalctl -b -u "argoweb@$name" --no-pager -o short-monotonic -n 40 2>&1 | show
	tb_exec journalctl -b -u "argoweb@$name" --no-pager -o cat -p err >"$T/$name.j3" 2>&1
	check "... and says why, at priority err" grep -q "argoweb: $name: Cloudflare refused the tunnel's credentials for 20s (\"Unauthorized: Invalid tunnel secret\"): stopped instead of retrying for ever" "$T/$name.j3"
	tb_exec systemctl status --no-pager -n 3 "argoweb@$name" 2>&1 | show
	edge_ctl "$n" /restore -X POST >/dev/null
	tb_exec systemctl reset-failed "argoweb@$name"
}

# The same refusal over QUIC from 2025.8.1 on: cloudflared logs only
# "control stream encountered a failure while serving" (41dffd7f), so the
# cause is not known: StatusText says what is, the watchdog restarts the
# unit at unhealthy-after as for any outage, and it never ends with 76.
refused_unsaid() {
	edge_ctl "$n" '/reject?reason=auth' -X POST >/dev/null
	s0=$(date +%s%N)
	r0=$(tb_prop "$unit" NRestarts)
	tb_exec systemctl start --no-block "argoweb@$name"
	unsaid() { case $(tb_prop "$unit" StatusText) in *"the edge did not accept the registration; over QUIC this cloudflared does not log why"*"protocol: http2 would show it"*) ;; *) return 1;; esac; }
	waitfor 20 unsaid
	check "refused credentials, QUIC, $CF_RELEASE: StatusText says the edge did not accept the registration, and that http2 would say why ($((($(date +%s%N) - s0) / 1000000)) ms)" unsaid
	[ "$(tb_prop "$unit" StatusText)" ] && echo "#   $name: \"$(tb_prop "$unit" StatusText)\"" >>"$TAP"
	waitfor 45 more
	check "... at unhealthy-after (20 s) the watchdog restarts it, as for any outage (NRestarts $r0 -> $(tb_prop "$unit" NRestarts), Result=$(tb_prop "$unit" Result))" more
	tb_exec journalctl -b -u "argoweb@$name" --no-pager -o cat >"$T/$name.j3" 2>&1
	check "... and never ends it with 76: the cause is not known (no 76, no \"stall\")" \
		sh -c '! grep -q "status=76\|stalled" "$0"' "$T/$name.j3"
	edge_ctl "$n" /restore -X POST >/dev/null
	tb_exec timeout 60 systemctl stop "argoweb@$name"
	tb_exec systemctl reset-failed "argoweb@$name"
}

stamp "starting four tunnels"
n=0 pids=
for name in qj qt hj ht; do
	n=$((n + 1))
	serve_tunnel "$name" "$n" &
	pids="$pids $!"
done
# shellcheck disable=SC2086 # PIDs: not the container, which runs on
wait $pids
part_merge qj qt hj ht
stamp "done with the tunnels"

# The journal: no secret, and what the sandbox refused.
tb_exec journalctl -b --no-pager -o cat >"$T/journal" 2>&1
leaks=
for s in "$S_QJ" "$S_QT" "$S_HJ" "$S_HT"; do
	grep -qF "$s" "$T/journal" && leaks="$leaks ${s%%=*}"
done
for f in "$TB_SHARE"/in/*.token; do
	grep -qF "$(cut -c1-40 "$f")" "$T/journal" && leaks="$leaks ${f##*/}"
done
check "no secret (tunnel secret or token) anywhere in the journal ($(wc -l <"$T/journal") lines)${leaks:+: found$leaks}" [ -z "$leaks" ]
tb_exec journalctl -b --no-pager -o cat -u 'argoweb@*' >"$T/units" 2>&1
grep -iE "permission denied|operation not permitted|seccomp|bad system call|read-only file system" "$T/units" |
	sed -e 's/^[0-9TZ:-]* //' -e 's/[0-9a-f]\{8\}-[0-9a-f-]\{27\}/UUID/g' -e 's/127\.0\.[0-9]*\.[0-9]*/127.0.N.M/g' |
	sort | uniq -c | sort -rn >"$T/refused"
echo "# what the sandbox refused cloudflared, in the units' journal:"
show "$T/refused"
# Each is explained in the README's "What the sandbox refuses cloudflared".
unexplained=$(grep -viE "ICMP proxy|ping_group_range" "$T/refused")
check "every refusal in the journal is one the README explains ($(wc -l <"$T/refused") kinds)" [ -z "$unexplained" ]
done_testing
