#!/bin/sh
# tags: real-connector
# argoweb run with the REAL cloudflared ($REAL_CLOUDFLARED) against cf-edge
# ($CF_EDGE), an emulator of Cloudflare's tunnel edge, in a network
# namespace of this test's own with nothing but loopback. For each protocol
# (quic, http2) and each identity (credentials JSON, token file, quick
# tunnel through quick-service), started as root and dropping to the
# service user, with a recording notify socket:
# - while the edge stalls registration: STATUS says connecting, no READY=1,
#   status exits 1; READY=1 comes only after the first real registration;
# - STATUS=Connected: 4 edge connections (a quick tunnel: 1 and its name);
# - eyeball requests through cf-edge reach the origin by host and by path,
#   an unknown host gets the catch-all's 404;
# - edge lost (/drop): STATUS=Not connected..., then WATCHDOG=trigger within
#   unhealthy-after + one interval; edge back (/restore): Connected again;
# - argoweb status in each state; no secret in cloudflared's argv, its
#   stderr or the rendered file.
# The six cases run at once, each with its own edge, origins and addresses,
# and beside them seven faults (run_fault): what the monitor says for each.

# Into a network namespace with only loopback, before anything else: the
# real connector must never reach the Internet.
if [ -z "${AW_NETNS:-}" ] && [ "$(id -u)" = 0 ] && [ -n "${REAL_CLOUDFLARED:-}" ] &&
	[ -n "${CF_EDGE:-}" ] && command -v unshare >/dev/null 2>&1; then
	AW_NETNS=1 exec unshare --net -- sh "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"
: "${RECORDER:?set RECORDER to the notify recorder}" "${ORIGIN:?set ORIGIN to tests/origin}"
T_WHAT="argoweb run with the real cloudflared against cf-edge"
[ -n "${REAL_CLOUDFLARED:-}" ] || bail_skip "no REAL_CLOUDFLARED (a real cloudflared; .ci/run sets it from ../shared/bin)"
[ -n "${CF_EDGE:-}" ] || bail_skip "no CF_EDGE (the edge emulator; .ci/run sets it from ../shared/bin)"
is_root || bail_skip "needs root (a network namespace, and the privilege drop to the service user); CI runs as root"
[ -n "${AW_NETNS:-}" ] || bail_skip "no unshare (util-linux) to make a network namespace"
ip link set lo up || { not_ok "loopback up in the test's network namespace"; done_testing; exit 1; }
if ip -o route show table all 2>/dev/null | grep -qv ' dev lo '; then
	not_ok "the namespace has nothing but loopback"
	done_testing
	exit 1
fi
ok "a network namespace with nothing but loopback"

UNHEALTHY_MS=4000 INTERVAL_MS=1000
# The trigger is due at most unhealthy-after + one interval after the drop;
# a poll itself and the scheduler of a loaded machine may add a little
# (valgrind more: the monitor runs under it).
SLACK_MS=${VALGRIND:+1500}
SLACK_MS=${SLACK_MS:-400}

# Shared: the edge's certificates (fresh, this run's own), the CA for
# cloudflared (root's 0644, as cacert: wants), the real binary where the
# binary check accepts it (root's, in root's directories).
mkdir -p "$T/etc" "$T/bin"
chmod 0755 "$T/etc" "$T/bin"
if ! "$CF_EDGE" -gencerts "$T/certs" >"$T/gencerts.log" 2>&1; then
	not_ok "cf-edge -gencerts"
	sed 's/^/#   /' "$T/gencerts.log"
	done_testing
	exit 1
fi
install -m 0644 "$T/certs/ca.pem" "$T/etc/ca.pem"
install -m 0755 "$REAL_CLOUDFLARED" "$T/bin/cloudflared"
write_cred_json "$T/etc/cred.json"
write_token "$T/etc/cred.token"
echo "# $("$T/bin/cloudflared" --version 2>&1 | head -n1); cf-edge $CF_EDGE"
CF_RELEASE=$(cf_release "$T/bin/cloudflared")


# mon: what the monitor (not cloudflared, MAIN) told the notify recorder.
mon() { grep -v " pid=$MAIN " "$D/notify.log"; }

# What every case and fault starts with: NAME X LISTENERS [CF-EDGE-ARGS...].
# Everything of it lives in $T/cX (D) and on 127.0.X.0/24 (A): cf-edge on
# .1 to .LISTENERS, port 7844, control on .1:9999 (C); a runtime directory
# for the service user; the notify recorder (REC). Its TAP and show lines
# are the case's own (part_begin), numbered by the parent. 1 when cf-edge does
# not answer.
case_start() {
	N=$1 X=$2 nl=$3
	shift 3
	D=$T/c$X A=127.0.$X
	C=http://$A.1:9999
	part_begin "c$X" "$N"
	mkdir -p "$D/run"
	chown "$RUSER" "$D/run"
	chmod 0700 "$D/run"
	i=1 listen=
	while [ $i -le "$nl" ]; do listen="$listen -listen $A.$i:7844"; i=$((i + 1)); done
	# shellcheck disable=SC2086 # the listeners, one word each
	"$CF_EDGE" -cert "$T/certs/edge.pem" -key "$T/certs/edge.key" $listen \
		-control "$A.1:9999" "$@" 2>"$D/edge.log" &
	EDGE=$!
	"$RECORDER" -w "$D/notify.sock" "$D/notify.log" 300 &
	REC=$!
	ctl() { curl -s -m 10 -X POST "$C/$1" >/dev/null; }
	waitfor 10 curl -sf -o /dev/null "$C/healthz" && return 0
	not_ok "cf-edge answers on $C"
	show <"$D/edge.log"
	kill "$EDGE" "$REC" 2>/dev/null
	return 1
}

# One case, in the background: PROTO IDENT X (case_start's), with the
# metrics on .9:20241, origins app on .20:8080 and api on .21:8080.
run_case() {
	P=$1 I=$2 X=$3
	qhost=q$X-$P.trycloudflare.com
	case_start "rc-$P-$I" "$X" 4 -quick-hostname "$qhost" || return
	"$ORIGIN" "$A.20" 8080 app 300 >"$D/app.log" 2>&1 &
	APP=$!
	"$ORIGIN" "$A.21" 8080 api 300 >"$D/api.log" 2>&1 &
	API=$!
	want="Connected: 4 edge connections" conns=4
	{
		case $I in
		json) printf 'tunnel: %s\ncredentials-file: %s\n' "$TUNNEL_UUID" "$T/etc/cred.json";;
		token) printf 'token-file: %s\n' "$T/etc/cred.token";;
		quick) printf 'quick: http://%s.20:8080\nquick-service: %s\n' "$A" "$C"
		       want="Connected: 1 edge connection, https://$qhost" conns=1;;
		esac
		printf 'protocol: %s\nedge: [%s.1:7844, %s.2:7844, %s.3:7844, %s.4:7844]\n' "$P" "$A" "$A" "$A" "$A"
		printf 'cacert: %s\nmetrics: %s.9:20241\ngrace-period: 1s\n' "$T/etc/ca.pem" "$A"
		# The stall below must outlast a slow start (valgrind) without
		# ending in 2024.6.0's registration timeout (5 s; over HTTP/2
		# cloudflared then exits): that one is run_fault's. (2023.7.3
		# has no such timeout: argoweb leaves the key out for it.)
		printf 'rpc-timeout: 60s\n'
		printf 'health: {interval: 1s, unhealthy-after: 4s}\nuser: %s\ncloudflared: %s\n' "$RUSER" "$T/bin/cloudflared"
		[ "$I" = quick ] || printf 'ingress:\n  - hostname: app.example.com\n    path: ^/api/\n    service: http://%s.21:8080\n  - hostname: app.example.com\n    service: http://%s.20:8080\n  - service: http_status:404\n' "$A" "$A"
	} >"$D/$N.yaml"
	st() { # status and its exit code, as one line
		${ARGOWEB_WRAP:-} "$ARGOWEB" status "$D/$N.yaml" 2>&1
		echo "exit $?"
	}
	has_status() { mon | grep -q "STATUS=$1"; }

	# 1. The edge accepts connections but answers no registration.
	ctl stall
	env NOTIFY_SOCKET="$D/notify.sock" RUNTIME_DIRECTORY="$D/run" ${ARGOWEB_WRAP:-} \
		"$ARGOWEB" run "$D/$N.yaml" >"$D/out" 2>"$D/cf.err" </dev/null &
	MAIN=$!
	if waitfor 15 has_status "Connecting to Cloudflare"; then
		ok "registration stalled: STATUS says it is connecting"
	else
		not_ok "registration stalled: STATUS says it is connecting"
		show <"$D/notify.log"; tail -n 5 "$D/cf.err" | show
	fi
	sleep 2
	check "registration stalled: no READY=1 from the monitor" sh -c '! grep -v " pid=$1 " "$0" | grep -q READY=1' "$D/notify.log" "$MAIN"
	check "registration stalled: status says not connected (exit 1)" \
		[ "$(st | tr '\n' ' ')" = "$N: not connected exit 1 " ]
	restored=$(now_ms)
	ctl restore
	if waitfor 20 has_status "$want"; then
		ok "STATUS=$want"
	else
		not_ok "STATUS=$want"
		show <"$D/notify.log"; tail -n 8 "$D/cf.err" | show
	fi
	ready=$(mon | awk '/READY=1/ { print $1; exit }')
	reg=$(curl -s "$C/events" | sed -n '/"time"/{s/.*"time": "\([^"]*\)".*/\1/;h}; /"type": "registered"/{x;p;q}')
	reg_ms=$([ -n "$reg" ] && date -d "$reg" +%s%3N)
	check "READY=1 from the monitor after the first real registration (restore $restored, registered ${reg_ms:-?}, READY ${ready:-?})" \
		sh -c '[ -n "$0" ] && [ -n "$1" ] && [ "$0" -ge "$1" ] && [ "$1" -ge "$2" ]' "$ready" "${reg_ms:-}" "$restored"
	check "READY=1 from the monitor once" [ "$(mon | grep -c READY=1)" = 1 ]
	check "status while connected: exit 0, $conns connection(s)" sh -c \
		'st=$(cat); case $st in "$0: connected, $1 edge connection"*"exit 0") ;; *) echo "#   $st"; exit 1;; esac' \
		"$N" "$conns" <<-EOF
		$(st)
		EOF

	# 2. Eyeball requests through the edge and the sandboxed connector.
	proxy() { # HOST PATH -> "STATUS SOURCE BODY"
		curl -s -m 20 -D "$D/h" -o "$D/b" "$C/proxy?host=$1&path=$2&raw=1" >/dev/null
		printf '%s %s %s\n' "$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$D/h")" \
			"$(sed -n 's/^X-Cf-Edge-Source: \([a-z]*\).*/\1/ip' "$D/h")" "$(cat "$D/b")"
	}
	if [ "$I" = quick ]; then
		check "eyeball: the quick tunnel's name reaches the origin" [ "$(proxy "$qhost" /hello)" = "200 origin app GET /hello" ]
	else
		got=$(proxy app.example.com /hello)
		check "eyeball: app.example.com/hello reaches the app origin ($got)" [ "$got" = "200 origin app GET /hello" ]
		got=$(proxy app.example.com /api/v1/x)
		check "eyeball: a path rule routes /api/ to the api origin ($got)" [ "$got" = "200 origin api GET /api/v1/x" ]
		got=$(proxy other.example.com /hello)
		# (cloudflared marks its http_status: answers as the origin's.)
		check "eyeball: an unknown host gets the catch-all's empty 404 ($got)" [ "$got" = "404 origin " ]
	fi

	# 3. No secret where others can read it.
	tr '\0' ' ' <"/proc/$MAIN/cmdline" >"$D/cmdline" 2>/dev/null
	check "cloudflared runs as the service user" [ "$(stat -c %U "/proc/$MAIN")" = "$RUSER" ]
	check "no secret in cloudflared's argv ($(cat "$D/cmdline"))" no_secret "$D/cmdline"
	rendered_ok() { [ -s "$1" ] && no_secret "$1"; }
	check "the rendered config is there, without the secret" rendered_ok "$D/run/config.yml"

	# 4. The edge goes away, then comes back.
	dropped=$(now_ms)
	ctl drop
	if waitfor 5 has_status "Not connected for"; then
		ok "edge lost: STATUS=Not connected for ..."
	else
		not_ok "edge lost: STATUS=Not connected for ..."
		show <"$D/notify.log"
	fi
	check "edge lost: status says not connected (exit 1)" [ "$(st | tr '\n' ' ')" = "$N: not connected exit 1 " ]
	# (A slow start, say under valgrind, may have triggered once before.)
	trig_since() { mon | awk -v d="$1" '$1 >= d && /WATCHDOG=trigger/ { print $1; exit }'; }
	has_trigger_since() { [ -n "$(trig_since "$1")" ]; }
	waitfor 10 has_trigger_since "$dropped"
	trig=$(trig_since "$dropped")
	late=$((UNHEALTHY_MS + INTERVAL_MS + SLACK_MS))
	check "WATCHDOG=trigger $((${trig:-0} - dropped)) ms after the drop: within unhealthy-after + one interval (+${SLACK_MS} ms), never before unhealthy-after" \
		sh -c '[ -n "$0" ] && [ $(($0 - $1)) -ge "$2" ] && [ $(($0 - $1)) -le "$3" ]' "${trig:-}" "$dropped" "$UNHEALTHY_MS" "$late"
	[ -n "$trig" ] || { echo "dropped at $dropped"; mon | tail -n 6; } | show
	ctl restore
	back=$(now_ms)
	if waitfor 90 sh -c 'tail -n 1 "$0" | grep -q "STATUS=$1"' "$D/notify.log" "$want"; then
		ok "edge back: STATUS=$want again ($(($(now_ms) - back)) ms after the restore)"
	else
		not_ok "edge back: STATUS=$want again"
		tail -n 5 "$D/notify.log" | show
	fi
	check "edge back: status exits 0" sh -c 'st=$(cat); case $st in *"exit 0") ;; *) exit 1;; esac' <<-EOF
		$(st)
		EOF

	# 5. Stopped: a graceful SIGTERM, then nothing answers.
	kill -TERM "$MAIN"
	wait "$MAIN"
	rc=$?
	check "SIGTERM: cloudflared exits 0 (exit $rc)" [ "$rc" = 0 ]
	check "no secret in cloudflared's stderr ($(wc -l <"$D/cf.err") lines)" no_secret "$D/cf.err"
	check "stopped: status says nothing answers (exit 69)" sh -c 'st=$(cat); case $st in *"not running (nothing answers on "*"exit 69") ;; *) exit 1;; esac' <<-EOF
		$(st)
		EOF
	kill "$EDGE" "$APP" "$API" "$REC" 2>/dev/null
	wait "$EDGE" "$APP" "$API" "$REC" 2>/dev/null
}

# The refusal, as 2023.7.3 (and HTTP/2 in every release) logs it: named;
# at unhealthy-after the monitor takes MAINPID and stops cloudflared (76).
fault_refused() {
	s1="Cloudflare refuses the tunnel's credentials: \"Unauthorized: Invalid tunnel secret\": a deleted tunnel or a rotated secret"
	waitfor 25 seen "$s1"
	t1=$(first "$s1")
	check "refused: STATUS names it $((${t1:-0} - t0)) ms after the start" [ -n "$t1" ]
	s2="STATUS=Cloudflare refused the tunnel's credentials for 4s (\"Unauthorized: Invalid tunnel secret\"): stopped instead of retrying for ever"
	waitfor 15 seen "$s2"
	t2=$(first "$s2")
	check "refused for unhealthy-after (4 s): the monitor stops the tunnel, saying why, $((${t2:-0} - t0)) ms after the start" \
		sh -c '[ -n "$0" ] && [ $(($0 - $1)) -ge 4000 ]' "${t2:-}" "$t0"
	monpid=$(mon | awk -v s="$s2" 'index($0, s) { sub("pid=", "", $2); print $2; exit }')
	mon >"$D/mon"
	check "... and first takes MAINPID (pid ${monpid:-?}), so its exit status (76) is the unit's" \
		grep -q " pid=${monpid:-none} .*MAINPID=${monpid:-none}" "$D/mon"
	check "... no WATCHDOG=trigger: a restart cannot cure it" sh -c '! grep -q WATCHDOG=trigger "$0"' "$D/notify.log"
	waitfor 10 sh -c '! kill -0 "$0" 2>/dev/null' "$MAIN"
	check "... cloudflared stopped ($(($(now_ms) - ${t2:-0})) ms later)" sh -c '! kill -0 "$0" 2>/dev/null' "$MAIN"
	check "... the reason on stderr too" grep -q "argoweb: $N: Cloudflare refused the tunnel's credentials" "$D/cf.err"
}

# The refusal over QUIC from 2025.8.1 on (41dffd7f): cloudflared logs only
# "control stream encountered a failure while serving", never the cause,
# and retries for ever. What is known is said, and how to learn the rest;
# not a stall, and no end with 76 on that alone: the watchdog restarts it.
fault_unsaid() {
	s1="Connecting to Cloudflare… (the edge did not accept the registration; over QUIC this cloudflared does not log why (\"control stream encountered a failure while serving\"): protocol: http2 would show it)"
	waitfor 25 seen "$s1"
	t1=$(first "$s1")
	check "refused, QUIC, $CF_RELEASE: STATUS says the edge did not accept the registration, and that http2 would say why, $((${t1:-0} - t0)) ms after the start" [ -n "$t1" ]
	waitfor 15 seen "WATCHDOG=trigger"
	check "... at unhealthy-after the watchdog restart, as for any outage" seen "WATCHDOG=trigger"
	check "... never called a stall" sh -c '! grep -q stalled "$0"' "$D/notify.log"
	check "... no end with 76: the cause is not known (no MAINPID taken)" sh -c '! grep -q MAINPID= "$0"' "$D/notify.log"
}

# An unanswered registration, 2023.7.3: nothing logged; silence with no
# connection for 15 s is called a stall.
fault_stall() {
	s1="(registration stalled: the edge has not answered for 15s)"
	waitfor 25 seen "$s1"
	t1=$(first "$s1")
	check "stall: STATUS says registration stalled $((${t1:-0} - t0)) ms after the start" \
		sh -c '[ -n "$0" ] && [ $(($0 - $1)) -ge 15000 ]' "${t1:-}" "$t0"
}

# An unanswered registration from 2024.6.0 on (654a3260): it times out
# after rpc-timeout (5 s), and over HTTP/2 at start-up cloudflared then
# exits 1. Said as no answer, never as a refusal; the exit says why too.
fault_timeout() {
	s1="(the edge did not answer the registration within rpc-timeout (\"context deadline exceeded\"))"
	waitfor 35 seen "$s1"
	t1=$(first "$s1")
	check "stall, $CF_RELEASE: STATUS says the edge did not answer within rpc-timeout, $((${t1:-0} - t0)) ms after the start" \
		sh -c '[ -n "$0" ] && [ $(($0 - $1)) -ge 4500 ]' "${t1:-}" "$t0"
	check "... never \"refused\"" sh -c '! grep -q refused "$0"' "$D/notify.log"
	waitfor 15 sh -c '! kill -0 "$0" 2>/dev/null' "$MAIN"
	wait "$MAIN"
	rc=$?
	check "... cloudflared exits at start-up, as 2024.6.0 and later do over HTTP/2 (exit $rc)" [ "$rc" = 1 ]
	check "... STATUS=cloudflared exited, saying why" seen "STATUS=cloudflared exited (the edge did not answer the registration within rpc-timeout"
	check "... and so does the journal's stream (a restart loop is never silent)" \
		grep -q "argoweb: $N: cloudflared exited (the edge did not answer the registration within rpc-timeout" "$D/cf.err"
}

# One fault, in the background: PROTO KIND X, like run_case. What the
# monitor says, and when, for each of cf-edge's failure modes, as the
# release under test logs it (the fault_* functions above say which):
# - refused: /reject?reason=auth from the start;
# - stall: /stall, a registration never answered;
# - unreachable: connected, then /drop: the dial error, QUIC's with the
#   hint to try http2;
# - dns: no edge: at all, so cloudflared looks the edge up (and cannot, in
#   the namespace): "DNS not answering" (it may exit at once: then the
#   monitor's last word is "cloudflared exited (DNS not answering: ...)");
# - degraded: four edge addresses, one dead: 3 of 4, Degraded after three
#   polls, argoweb status exits 2.
run_fault() {
	P=$1 K=$2 X=$3
	case_start "rf-$P-$K" "$X" "$([ "$K" = degraded ] && echo 3 || echo 4)" || return
	unhealthy=60s
	[ "$K" = refused ] && unhealthy=4s
	{
		printf 'tunnel: %s\ncredentials-file: %s\n' "$TUNNEL_UUID" "$T/etc/cred.json"
		printf 'protocol: %s\n' "$P"
		[ "$K" = dns ] || printf 'edge: [%s.1:7844, %s.2:7844, %s.3:7844, %s.4:7844]\n' "$A" "$A" "$A" "$A"
		printf 'cacert: %s\nmetrics: %s.9:20241\ngrace-period: 1s\n' "$T/etc/ca.pem" "$A"
		printf 'health: {interval: 1s, unhealthy-after: %s}\nuser: %s\ncloudflared: %s\n' "$unhealthy" "$RUSER" "$T/bin/cloudflared"
		printf 'ingress: [{service: "http_status:404"}]\n'
	} >"$D/$N.yaml"
	first() { mon | awk -v s="$1" 'index($0, s) { print $1; exit }'; }
	seen() { [ -n "$(first "$1")" ]; }
	case $K in
	refused) ctl 'reject?reason=auth';;
	stall) ctl stall;;
	esac
	env NOTIFY_SOCKET="$D/notify.sock" RUNTIME_DIRECTORY="$D/run" ${ARGOWEB_WRAP:-} \
		"$ARGOWEB" run "$D/$N.yaml" >"$D/out" 2>"$D/cf.err" </dev/null &
	MAIN=$!
	t0=$(now_ms)
	case $K in
	refused)
		if [ "$P" = quic ] && release_ge 2025.8.1; then
			fault_unsaid
		else
			fault_refused
		fi;;
	stall)
		if release_ge 2024.6.0; then
			fault_timeout
		else
			fault_stall
		fi;;
	unreachable)
		waitfor 20 seen "STATUS=Connected: 4 edge connections"
		td=$(now_ms)
		ctl drop
		if [ "$P" = quic ]; then
			s1="edge unreachable over QUIC: \"failed to dial to edge with quic: timeout: no recent network activity\"; if UDP port 7844 is blocked here, set protocol: http2"
		else
			s1="edge unreachable: \"DialContext error: dial tcp $A."
		fi
		waitfor 30 seen "$s1"
		t1=$(first "$s1")
		check "unreachable: STATUS names the dial error $((${t1:-0} - td)) ms after the drop" [ -n "$t1" ];;
	dns)
		s1="DNS not answering: \"lookup _v2-origintunneld._tcp.argotunnel.com"
		waitfor 35 seen "$s1"
		t1=$(first "$s1")
		check "dns: STATUS says DNS is not answering $((${t1:-0} - t0)) ms after the start" [ -n "$t1" ];;
	degraded)
		waitfor 20 seen "STATUS=Connected: 3 edge connections"
		s1="STATUS=Degraded: 3 of 4 edge connections"
		waitfor 20 seen "$s1"
		t1=$(first "$s1")
		c3=$(first "STATUS=Connected: ")
		check "degraded: STATUS=Degraded: 3 of 4 edge connections, $((${t1:-0} - ${c3:-0})) ms after the first connection (three 1 s polls)" \
			sh -c '[ -n "$0" ] && [ -n "$1" ] && [ $(($0 - $1)) -ge 2500 ]' "${t1:-}" "${c3:-}"
		st=$(${ARGOWEB_WRAP:-} "$ARGOWEB" status "$D/$N.yaml" 2>&1; echo "exit $?")
		check "degraded: status says so, exit 2 ($(echo $st))" [ "$(echo $st)" = "$N: degraded, 3 of 4 edge connections exit 2" ];;
	esac
	[ -n "${t1:-}" ] || { mon | tail -n 4; grep -E ' (ERR|WRN) ' "$D/cf.err" | tail -n 4; } | show
	kill -TERM "$MAIN" 2>/dev/null
	wait "$MAIN"
	check "no secret in cloudflared's stderr" no_secret "$D/cf.err"
	kill "$EDGE" "$REC" 2>/dev/null
	wait "$EDGE" "$REC" 2>/dev/null
}

X=0
CASES=
for f in quic:refused http2:refused http2:stall quic:unreachable http2:unreachable http2:dns quic:degraded; do
	X=$((X + 1))
	mkdir -p "$T/c$X"
	run_fault "${f%%:*}" "${f#*:}" "$X" &
	CASES="$CASES $X"
done
for P in quic http2; do
	for I in json token quick; do
		X=$((X + 1))
		mkdir -p "$T/c$X"
		run_case "$P" "$I" "$X" &
		CASES="$CASES $X"
	done
done
wait
for X in $CASES; do
	part_merge "c$X"
done
done_testing
