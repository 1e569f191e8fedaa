#!/bin/sh
# The relay never blocks health: cloudflared (the fake, spew=) writes log
# lines far faster than the journal takes them (argoweb's stderr, a stream
# socket as the journal's is, read by nobody for 6 s). Meanwhile the
# monitor keeps feeding the watchdog on time and never asks for a
# restart, cloudflared keeps answering, and once the journal reads again
# it gets whole lines and one line saying how many were dropped.
. "$(dirname "$0")/../lib.sh"
: "${RECORDER:?set RECORDER to the notify recorder}"
if ! is_root; then
	skip "the relay against a journal behind" "needs root (runs the service user's monitor via the privilege drop); CI runs as root"
	done_testing; exit 0
fi
if [ -n "${VALGRIND:-}" ]; then
	skip "the relay against a journal behind" "timings are meaningless under valgrind; the normal and ASan runs cover it"
	done_testing; exit 0
fi
command -v python3 >/dev/null || { skip "the relay against a journal behind" "no python3 for the socket pair"; done_testing; exit 0; }
mkdir -p "$T/etc" "$T/run"
chown "$RUSER" "$T/run"
write_cred_json "$T/etc/web.json"
setup_fake "schedule=4@0" spew=100 lifetime=12000
chown "$RUSER" "$REC"
printf 'tunnel: %s\ncredentials-file: %s\ningress: [{service: "http_status:404"}]\nuser: %s\ncloudflared: %s\nmetrics: 127.0.0.1:20262\nhealth: {interval: 1s, unhealthy-after: 3s}\n' \
	"$TUNNEL_UUID" "$T/etc/web.json" "$RUSER" "$FAKE_BIN" >"$T/etc/web.yaml"
LOG=$T/notify.log
"$RECORDER" "$T/notify.sock" "$LOG" 16 &
RECPID=$!
sleep 0.2
# argoweb run with its stderr one end of a stream socket pair; the other
# end is read only after 6 s, then to its end.
python3 - "$ARGOWEB" "$T/etc/web.yaml" "$T/journal" "$T/run" "$T/notify.sock" <<'EOF' &
import os, socket, subprocess, sys, time
argoweb, cfg, out, rundir, sock = sys.argv[1:6]
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
env = {"RUNTIME_DIRECTORY": rundir, "NOTIFY_SOCKET": sock, "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1",
       "PATH": "/usr/bin:/bin"}
p = subprocess.Popen([argoweb, "run", cfg], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=a.fileno(), env=env)
a.close()
time.sleep(6)
got = bytearray()
b.settimeout(0.5)
end = time.time() + 12
while time.time() < end:
    try:
        d = b.recv(65536)
    except socket.timeout:
        if p.poll() is not None:
            break
        continue
    if not d:
        break
    got += d
open(out, "wb").write(bytes(got))
p.wait()
EOF
PY=$!
wait "$PY"
kill "$RECPID" 2>/dev/null
wait "$RECPID" 2>/dev/null

gap=$(awk '/WATCHDOG=1/ { if (p != "" && $1 - p > g) g = $1 - p; p = $1 } END { print g + 0 }' "$LOG")
pings=$(grep -c 'WATCHDOG=1' "$LOG")
check "the journal read nothing for 6 s: the watchdog still fed every 250 ms ($pings pings, longest gap $gap ms)" \
	sh -c '[ "$0" -ge 30 ] && [ "$1" -le 600 ]' "$pings" "$gap"
check "... never asked for a restart" sh -c '! grep -q "WATCHDOG=trigger" "$0"' "$LOG"
grep "STATUS=" "$LOG" | sed -n '/STATUS=Connected: 4 edge connections/,$p' >"$T/after"
check "... once connected, connected throughout (the monitor's polls on time: $(wc -l <"$T/after") status)" \
	sh -c '[ -s "$0" ] && ! grep -v "STATUS=Connected: 4 edge connections" "$0" | grep -q .' "$T/after"
grep "STATUS=" "$LOG" | head -n 5 | sed 's/^/#   /'
lines=$(grep -c "DBG fake cloudflared: a noisy line" "$T/journal")
dropped=$(sed -n "s/^argoweb: web: \([0-9]*\) lines of the log dropped: the journal did not keep up$/\1/p" "$T/journal" | awk '{ s += $1 } END { print s + 0 }')
check "the journal got $lines of cloudflared's lines, whole, and was told of the $dropped it could not take" \
	sh -c '[ "$0" -gt 0 ] && [ "$1" -gt 0 ] && ! grep -v -e "^2026-12-07T00:00:00Z DBG fake cloudflared: a noisy line, number [0-9]*, of the kind a debug log writes all the time$" -e "^argoweb: web: [0-9]* lines of the log dropped: the journal did not keep up$" -e "^fake cloudflared: " "$2" | grep -q .' \
	"$lines" "$dropped" "$T/journal"
grep -v "DBG fake cloudflared: a noisy line" "$T/journal" | head -n 5 | sed 's/^/#   /'
done_testing
