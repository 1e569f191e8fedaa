#!/bin/sh
# The health monitor against the fake cloudflared's /ready schedule and a
# recording notify socket: what systemd is told, when, and by whom.
. "$(dirname "$0")/../lib.sh"
: "${RECORDER:?set RECORDER to the notify recorder}"
if ! is_root; then
	skip "health monitor" "needs root (runs the service user's monitor via the privilege drop); CI runs as root"
	done_testing; exit 0
fi
if [ -n "${VALGRIND:-}" ]; then
	skip "health monitor timing" "timings are meaningless under valgrind; the normal and ASan runs cover it"
	done_testing; exit 0
fi
mkdir -p "$T/etc" "$T/run"
chown "$RUSER" "$T/run"
write_cred_json "$T/etc/web.json"
cfg() { # name health-line -> $T/etc/NAME.yaml
	printf 'tunnel: %s\ncredentials-file: %s\ningress: [{service: "http_status:404"}]\nuser: %s\ncloudflared: %s\nhealth: %s\n' \
		"$TUNNEL_UUID" "$T/etc/web.json" "$RUSER" "$FAKE_BIN" "$2" >"$T/etc/$1.yaml"
}
# start NAME SECONDS [env...]: recorder + argoweb run in the background.
run_recorded() {
	n=$1 secs=$2; shift 2
	LOG=$T/$n.log
	: >"$LOG"
	"$RECORDER" "$T/$n.sock" "$LOG" "$secs" &
	RECPID=$!
	sleep 0.2
	env RUNTIME_DIRECTORY="$T/run" NOTIFY_SOCKET="$T/$n.sock" "$@" \
		"$ARGOWEB" run "$T/etc/$n.yaml" >"$T/$n.out" 2>"$T/$n.err" </dev/null &
	MAIN=$!
}
# Lines from the monitor only: every sender but cloudflared (the main PID).
mon_lines() { grep -v " pid=$MAIN " "$LOG"; }
first_ms() { mon_lines | grep -m1 -e "$1" | cut -d' ' -f1; }
max_ping_gap() { # from ms, to ms: the longest gap between WATCHDOG=1 pings
	mon_lines | awk -v a="$1" -v b="$2" '$4 == "WATCHDOG=1" && $1 >= a && $1 <= b {
		if (p != "" && $1 - p > g) g = $1 - p; p = $1 } END { print g + 0 }'
}
between() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# 1. 0 connections for 2 s, 4 until 7 s, then 0; cloudflared exits at 14 s.
# (Before the first connection the start counts as the last connected
# moment, so the first connection comes well within unhealthy-after.)
setup_fake "schedule=0@0 4@2000 0@7000" lifetime=14000
chown "$RUSER" "$REC"
cfg web "{interval: 1s, unhealthy-after: 4s}"
# With fs.suid_dumpable=1 the uid change makes a process dumpable again
# (ptrace by the service user); and a descriptor above 1023 is inherited.
old_dumpable=$(cat /proc/sys/fs/suid_dumpable 2>/dev/null)
echo 1 >/proc/sys/fs/suid_dumpable 2>/dev/null || old_dumpable=
run_recorded web 17 WATCHDOG_USEC=3000000 WATCHDOG_PID=1 \
	bash -c 'exec 1500</dev/null && exec "$0" "$@"'
sleep 5
MON=$(mon_lines | head -n1 | sed 's/.* pid=\([0-9]*\) .*/\1/')
field() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$MON/status" 2>/dev/null | tr -s ' \t' ' ' | sed 's/ $//'; }
check "the monitor is a separate process (pid $MON, cloudflared $MAIN)" [ -n "$MON" ] && [ "$MON" != "$MAIN" ]
check "the monitor runs as the service user" [ "$(field Uid)" = "$(id -u "$RUSER") $(id -u "$RUSER") $(id -u "$RUSER") $(id -u "$RUSER")" ]
for c in CapInh CapPrm CapEff CapBnd CapAmb; do
	check "the monitor's $c is empty" [ "$(field $c)" = 0000000000000000 ]
done
check "the monitor was reparented away from cloudflared (PPid $(field PPid))" [ "$(field PPid)" != "$MAIN" ]
check "the monitor holds no secret in its environment" sh -c '! tr "\0" "\n" </proc/$0/environ | grep -q TUNNEL_' "$MON"
check "the monitor holds no inherited descriptor, even one above 1023 ($(ls /proc/$MON/fd | tr '\n' ' '))" \
	[ ! -e "/proc/$MON/fd/1500" ]
if [ -n "$old_dumpable" ]; then
	# Not dumpable: its own user may not read its memory or environment.
	check "the monitor is not dumpable under fs.suid_dumpable=1 (the service user cannot read /proc/$MON/environ)" \
		as_user sh -c '! head -c1 "/proc/$0/environ" 2>/dev/null >/dev/null' "$MON"
	echo "$old_dumpable" >/proc/sys/fs/suid_dumpable
else
	skip "the monitor is not dumpable" "cannot set fs.suid_dumpable here"
fi
"$ARGOWEB" status "$T/etc/web.yaml" >"$T/st" 2>&1
check "status while connected: exit 0 and the count" sh -c '[ "$0" = 0 ] && grep -qx "web: connected, 4 edge connections" "$1"' "$?" "$T/st"
sleep 10
wait "$MAIN"
sleep 1
check "no monitor left after cloudflared exits" sh -c '! kill -0 "$0" 2>/dev/null' "$MON"
ready=$(first_ms "READY=1")
conn=$(first_ms "STATUS=Connected: 4 edge connections")
trig=$(first_ms "WATCHDOG=trigger")
sed 's/^/#   /' "$LOG" | head -40
check "no READY=1 from the monitor while there are 0 connections, then soon after" between "$ready" 2000 3500
check "READY=1 comes with STATUS=Connected: 4 edge connections" mon_lines | grep -q "STATUS=Connected: 4 edge connections|READY=1"
check "STATUS says it is connecting before that" [ "$(mon_lines | awk -v r="${ready:-0}" '$1 < r' | grep -c "Connecting to Cloudflare")" -ge 1 ]
check "READY=1 is sent once" [ "$(mon_lines | grep -c 'READY=1')" = 1 ]
check "cloudflared gets no NOTIFY_SOCKET: the monitor alone speaks for the tunnel (nothing from pid $MAIN)" \
	sh -c '! grep -q " pid=$0 " "$1"' "$MAIN" "$LOG"
check "WATCHDOG=1 at least twice per WATCHDOG_USEC (3 s) while healthy (max gap $(max_ping_gap 0 "${trig:-0}") ms)" \
	sh -c '[ "$0" -gt 0 ] && [ "$0" -le 1500 ]' "$(max_ping_gap 0 "${trig:-0}")"
check "WATCHDOG=trigger within unhealthy-after + one interval of the drop (at $trig ms)" between "$trig" 10000 12500
check "the trigger carries a STATUS saying why" mon_lines | grep -q "STATUS=No edge connection for [0-9]*s (0 edge connections): unhealthy-after is 4s, asking systemd to restart the tunnel|WATCHDOG=trigger"
check "STATUS counts the seconds without connection" mon_lines | grep -q "STATUS=Not connected for [0-9]*s (0 edge connections)"
check "no WATCHDOG=1 after the trigger" [ -n "$trig" ] && [ "$(mon_lines | awk -v t="$trig" '$1 > t && $4 == "WATCHDOG=1"' | wc -l)" = 0 ]
kill "$RECPID" 2>/dev/null

# 2. /ready accepts and never answers: pings stay on time, then trigger.
setup_fake hang=1 lifetime=7000
chown "$RUSER" "$REC"
cfg hang "{interval: 1s, unhealthy-after: 3s}"
run_recorded hang 9 WATCHDOG_USEC=2000000
sleep 8
wait "$MAIN"
check "a hung /ready does not stall the pings below twice per WATCHDOG_USEC (2 s; max gap $(max_ping_gap 0 3000) ms)" \
	sh -c '[ "$0" -gt 0 ] && [ "$0" -le 1000 ]' "$(max_ping_gap 0 3000)"
check "a hung /ready is reported as not answering" mon_lines | grep -q "not answering"
trig=$(first_ms "WATCHDOG=trigger")
check "a hung /ready leads to the trigger (at $trig ms)" between "$trig" 2500 5000
kill "$RECPID" 2>/dev/null

# 3. Without NOTIFY_SOCKET: no monitor at all.
setup_fake "schedule=4@0" lifetime=3000
chown "$RUSER" "$REC"
cfg quiet "{interval: 1s, unhealthy-after: 3s}"
RUNTIME_DIRECTORY="$T/run" "$ARGOWEB" run "$T/etc/quiet.yaml" >/dev/null 2>&1 </dev/null &
MAIN=$!
sleep 1
found=
for p in $(pgrep -x argoweb-monitor); do
	tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q "RUNTIME_DIRECTORY=$T/run" && found=$p
done
check "no monitor without NOTIFY_SOCKET" [ -z "$found" ]
wait "$MAIN"

# 4. status in each state.
setup_fake "schedule=0@0" lifetime=4000
cfg st "{interval: 1s, unhealthy-after: 3s}"
RUNTIME_DIRECTORY="$T/run" "$ARGOWEB" run "$T/etc/st.yaml" >/dev/null 2>&1 </dev/null &
MAIN=$!
sleep 0.5
aw status "$T/etc/st.yaml"
check "status with 0 connections: exit 1, not connected" sh -c '[ "$0" = 1 ] && [ "$1" = "st: not connected" ]' "$RC" "$OUT"
wait "$MAIN"
aw status "$T/etc/st.yaml"
check "status with nothing listening: exit 69" sh -c '[ "$0" = 69 ] && echo "$1" | grep -q "st: not running (nothing answers on 127\."' "$RC" "$OUT"
setup_fake hang=1 lifetime=4000
RUNTIME_DIRECTORY="$T/run" "$ARGOWEB" run "$T/etc/st.yaml" >/dev/null 2>&1 </dev/null &
MAIN=$!
sleep 0.5
aw status "$T/etc/st.yaml"
check "status against a hung /ready gives up: exit 69" [ "$RC" = 69 ]
wait "$MAIN"
printf 'quick: http://localhost:8080\nuser: %s\ncloudflared: %s\nmetrics: 127.0.0.1:20277\n' "$RUSER" "$FAKE_BIN" >"$T/etc/q.yaml"
setup_fake "schedule=2@0" lifetime=3000 quick=random-words-here.trycloudflare.com
RUNTIME_DIRECTORY="$T/run" "$ARGOWEB" run "$T/etc/q.yaml" >/dev/null 2>&1 </dev/null &
MAIN=$!
sleep 0.5
aw status "$T/etc/q.yaml"
check "status of a quick tunnel names its URL" sh -c '[ "$0" = 0 ] && [ "$1" = "q: connected, 2 edge connections, https://random-words-here.trycloudflare.com" ]' "$RC" "$OUT"
wait "$MAIN"

# 5. A refusal only in the log: cloudflared (the fake) writes Cloudflare's
# refusal line, but its /metrics counts no refused registration. One line
# of text must not end the unit with 76: the watchdog's restart instead.
setup_fake "schedule=0@0" lifetime=9000 \
	'say=2026-12-03T09:14:08Z ERR Register tunnel error from server side error="Unauthorized: Invalid tunnel secret" connIndex=0 event=0 ip=127.0.0.2'
chown "$RUSER" "$REC"
cfg forged "{interval: 1s, unhealthy-after: 3s}"
run_recorded forged 10 WATCHDOG_USEC=4000000 WATCHDOG_PID=1
wait "$MAIN"
rc=$?
kill "$RECPID" 2>/dev/null
wait "$RECPID" 2>/dev/null
check "a refusal in the log alone: no MAINPID taken, no 76 (exit $rc)" \
	sh -c '! grep -q "MAINPID=" "$0" && [ "$1" != 76 ]' "$LOG" "$rc"
check "... the watchdog's restart, saying the log was not believed" \
	grep -q "but cloudflared's metrics count no refused registration: not believed.*|WATCHDOG=trigger" "$LOG"
mon_lines | grep "not believed" | head -n 1 | sed 's/^/#   /'
done_testing
