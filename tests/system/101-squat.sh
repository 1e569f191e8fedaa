#!/bin/sh
# The metrics address squatted: another user's process binds it first and
# answers /ready with "4 connections". status and the health monitor must
# not believe it; the service user's own answer is believed as before.
. "$(dirname "$0")/../lib.sh"
: "${RECORDER:?set RECORDER to the notify recorder}"
if ! is_root; then
	skip "a squatted metrics address" "needs root to run a listener as another user; CI runs as root"
	done_testing; exit 0
fi
mkdir -p "$T/etc" "$T/run" "$T/squat"
chown "$RUSER" "$T/run"
write_cred_json "$T/etc/web.json"
# An address of this test's own, so parallel runs do not meet.
ADDR=127.101.$(($$ / 250 % 250 + 1)).$(($$ % 250 + 1)):20241
cfg() { # name user -> $T/etc/NAME.yaml
	printf 'tunnel: %s\ncredentials-file: %s\ningress: [{service: "http_status:404"}]\nuser: %s\ncloudflared: %s\nmetrics: %s\nhealth: {interval: 1s, unhealthy-after: 2s}\n' \
		"$TUNNEL_UUID" "$T/etc/web.json" "$2" "$T/bin/cloudflared" "$ADDR" >"$T/etc/$1.yaml"
}
# The squatter: a copy of the fake cloudflared, connected for good, on
# the metrics address, run as USER.
cp "$FAKE" "$T/squat/cloudflared"
chmod 0755 "$T/squat" "$T/squat/cloudflared"
printf 'schedule=4@0\nlifetime=30000\n' >"$T/squat/fake-cloudflared.conf"
printf 'metrics: %s\n' "$ADDR" >"$T/squat/config.yml"
SQUAT=
squat() { # USER
	: >"$T/squat.err"
	setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups --inh-caps=-all \
		"$T/squat/cloudflared" --no-autoupdate tunnel --config "$T/squat/config.yml" run \
		2>"$T/squat.err" &
	SQUAT=$!
	i=0
	while ! grep -q "serving /ready" "$T/squat.err" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
unsquat() { [ -z "$SQUAT" ] || { kill "$SQUAT" 2>/dev/null; wait "$SQUAT" 2>/dev/null; SQUAT=; }; }
trap 'unsquat; t_cleanup' EXIT
setup_fake "schedule=0@0" lifetime=3500 busy=stay
chown "$RUSER" "$REC"
cfg sq "$RUSER"
SQ_UID=$(id -u "$OTHER_USER")
SAYS="sq: something else answers on $ADDR: a socket of uid $SQ_UID, not $RUSER's; not trusting it"

# 1. status, squatted by another user.
squat "$OTHER_USER"
check "the squatter listens on $ADDR as $OTHER_USER" grep -q "serving /ready" "$T/squat.err"
aw status "$T/etc/sq.yaml"
echo "#   $OUT${ERR:+ / $ERR}"
check "status: another user's socket answers: not trusted, exit 69" [ "$RC" = 69 ]
check "status names the address, the uid and the service user, in one line" [ "$OUT" = "$SAYS" ]
as_user "$ARGOWEB" status "$T/etc/sq.yaml" >"$T/st" 2>&1
check "status run as the service user, not root: the same verdict" sh -c '[ "$0" = 69 ] && [ "$(cat "$1")" = "$2" ]' "$?" "$T/st" "$SAYS"
cfg nouser argoweb-no-such-user
aw status "$T/etc/nouser.yaml"
check "status when the service user does not exist: says it cannot tell, exit 77" \
	sh -c '[ "$0" = 77 ] && [ -z "$1" ] && echo "$2" | grep -q "cannot tell whether what answers on .* is the tunnel.s: user argoweb-no-such-user: no such user"' "$RC" "$OUT" "$ERR"

# 2. The health monitor, the port squatted while the tunnel runs:
# cloudflared cannot serve /ready (the fake stays up regardless).
"$RECORDER" "$T/n.sock" "$T/n.log" 6 &
RECPID=$!
sleep 0.2
env RUNTIME_DIRECTORY="$T/run" NOTIFY_SOCKET="$T/n.sock" WATCHDOG_USEC=2000000 \
	"$ARGOWEB" run "$T/etc/sq.yaml" >"$T/run.out" 2>"$T/run.err" </dev/null &
MAIN=$!
wait "$MAIN"
sleep 0.3
kill "$RECPID" 2>/dev/null
sed 's/^/#   /' "$T/n.log" | head -12
check "the monitor reported (its STATUS lines are there)" grep -q "STATUS=" "$T/n.log"
check "no READY=1 from a squatter's answer" sh -c '! grep -q "READY=1" "$0"' "$T/n.log"
check "STATUS says something else answers, whose it is, and that it is not believed" \
	grep -qF "STATUS=Connecting to Cloudflare… (something else answers on $ADDR: a socket of uid $SQ_UID, not $RUSER's; not trusting it)" "$T/n.log"
check "the watchdog is not kept fed: WATCHDOG=trigger after unhealthy-after" grep -q "WATCHDOG=trigger" "$T/n.log"
unsquat

# 3. The service user's own socket is believed as before.
squat "$RUSER"
aw status "$T/etc/sq.yaml"
check "status: the service user's socket answers: connected, exit 0" \
	sh -c '[ "$0" = 0 ] && [ "$1" = "sq: connected, 4 edge connections" ]' "$RC" "$OUT"
unsquat
aw status "$T/etc/sq.yaml"
check "status with nothing listening: still not running, exit 69" \
	sh -c '[ "$0" = 69 ] && [ "$1" = "sq: not running (nothing answers on $2)" ]' "$RC" "$OUT" "$ADDR"

# 4. The race: another user answers, then leaves the address to the
# service user before its answer comes. Checking who listens after the
# answer would see only the service user's socket; the connection that
# answered was the other's. The squatter (OTHER_USER) takes the question,
# closes its listener, waits until the service user listens there, then
# answers "4 connections".
# (Debian's python3: a user's own, say pyenv's under /root, is not theirs.)
if [ -x /usr/bin/python3 ]; then
	unsquat
	HOST=${ADDR%:*} PORT=${ADDR##*:}
	rm -f "$T/squat/closed" "$T/squat/bound"
	chmod 0777 "$T/squat"
	setpriv --reuid="$OTHER_USER" --regid="$(id -g "$OTHER_USER")" --clear-groups --inh-caps=-all \
		/usr/bin/python3 -c '
import os, socket, sys, time
host, port, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((host, port)); l.listen(4)
open(d + "/listening", "w").close()
c, _ = l.accept(); l.close()
open(d + "/closed", "w").close()
for _ in range(100):
    if os.path.exists(d + "/bound"): break
    time.sleep(0.05)
c.recv(4096)
body = b"{\"status\":200,\"readyConnections\":4,\"connectorId\":\"x\"}"
c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body); c.close()
' "$HOST" "$PORT" "$T/squat" &
	RACER=$!
	setpriv --reuid="$RUSER" --regid="$RGROUP" --clear-groups --inh-caps=-all /usr/bin/python3 -c '
import os, socket, sys, time
host, port, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for _ in range(200):
    if os.path.exists(d + "/closed"): break
    time.sleep(0.02)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((host, port)); l.listen(4)
open(d + "/bound", "w").close()
time.sleep(5)
' "$HOST" "$PORT" "$T/squat" &
	OWNER=$!
	waitfor 5 test -e "$T/squat/listening"
	aw status "$T/etc/sq.yaml"
	wait "$RACER" "$OWNER" 2>/dev/null
	check "the race: another user answers, then leaves the address to the service user: still not believed (exit $RC: $OUT)" \
		sh -c '[ "$0" = 69 ] && [ "$1" = "$2" ]' "$RC" "$OUT" "$SAYS"
else
	skip "the race" "no /usr/bin/python3 to play the squatter (make deps installs it)"
fi
done_testing
