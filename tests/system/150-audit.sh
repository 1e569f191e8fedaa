#!/bin/sh
# argoweb audit: real listeners on loopback, and on an address of a network
# namespace this test creates (no traffic is sent anywhere: the audit reads
# the kernel's socket table).
. "$(dirname "$0")/../lib.sh"
: "${LISTENER:?set LISTENER to the test listener}"
mkdir -p "$T/etc"
# Ports from this process's id, so parallel tests do not collide.
P1=$((30000 + $$ % 10000)) P2=$((P1 + 1)) P3=$((P1 + 2)) P4=$((P1 + 3))
cfg() { # name services... -> $T/etc/NAME.yaml (metrics on P4)
	n=$1; shift
	{ printf 'tunnel: %s\ncredentials-file: /etc/argoweb/x.json\nmetrics: 127.0.0.1:%s\ningress:\n' "$TUNNEL_UUID" "$P4"
	  i=0; for s in "$@"; do printf '  - hostname: h%s.example.com\n    service: %s\n' $i "$s"; i=$((i + 1)); done
	  printf '  - service: http_status:404\n'; } >"$T/etc/$n.yaml"
}
listen() { "$LISTENER" "$@" 30 & PIDS="${PIDS:-} $!"; }
stop_listeners() { for p in ${PIDS:-}; do kill "$p" 2>/dev/null; done; PIDS=; }
trap 'stop_listeners; t_cleanup' EXIT

listen 127.0.0.1 "$P1"
listen ::1 "$P2"
sleep 0.3
cfg clean "http://localhost:$P1" "https://[::1]:$P2" http_status:418 hello_world "http://origin.example.net:80"
aw audit "$T/etc/clean.yaml"
check "loopback-only origins: exit 0, no findings" sh -c '[ "$0" = 0 ] && [ "$1" = "$2: no findings" ]' "$RC" "$OUT" "$T/etc/clean.yaml"
cfg down "http://127.0.0.1:$P3"
aw audit "$T/etc/down.yaml"
check "an origin that is not listening is a finding (exit 1)" \
	sh -c '[ "$0" = 1 ] && echo "$1" | grep -q "ingress\[0\] http://127.0.0.1:$2: nothing listens on port $2: start the origin or fix the port"' "$RC" "$OUT" "$P3"
cfg sock "unix:$T/none.sock"
aw audit "$T/etc/sock.yaml"
check "a missing unix socket origin is a finding" sh -c '[ "$0" = 1 ] && echo "$1" | grep -q "no socket at"' "$RC" "$OUT"
# A socket path with a terminal's escape sequence and a bidirectional
# override in it (YAML's own escapes: a raw one is no YAML): shown
# escaped, never acted on.
cfg esc "\"unix:$T/s\\e]0;owned\\ax\\u202ey.sock\""
aw audit "$T/etc/esc.yaml"
check "audit shows config values escaped: no ESC, BEL or U+202E reaches the terminal" \
	sh -c '[ "$0" = 1 ] && ! printf "%s" "$1" | grep -q "$(printf "[\033\007]\|\342\200\256")" &&
		printf "%s" "$1" | grep -qF "s\\x1b]0;owned\\x07x\\u202ey.sock"' "$RC" "$OUT"
echo "$OUT" | sed 's/^/#   /'
printf 'x: [\n' >"$T/etc/bad.yaml"
aw audit "$T/etc/bad.yaml"
expect 78 "a bad config exits 78"
stop_listeners

if ! is_root || ! command -v ip >/dev/null; then
	skip "exposure on non-loopback addresses" "needs root and iproute2 to make a network namespace"
	done_testing; exit 0
fi
NS=argoweb-audit-$$
ip netns add "$NS" || { skip "exposure on non-loopback addresses" "cannot create a network namespace"; done_testing; exit 0; }
trap 'stop_listeners; ip netns del "$NS" 2>/dev/null; t_cleanup' EXIT
in_ns() { ip netns exec "$NS" "$@"; }
# A veth pair with both ends inside the namespace, one holding a
# documentation address (TEST-NET-1): bound to, never routed anywhere.
ip -n "$NS" link set lo up
ip -n "$NS" link add v0 type veth peer name v1
ip -n "$NS" addr add 192.0.2.1/24 dev v0
ip -n "$NS" link set v1 up
ip -n "$NS" link set v0 up
nsl() { in_ns "$LISTENER" "$@" 30 & PIDS="${PIDS:-} $!"; }
nsl 127.0.0.1 "$P1"
nsl 0.0.0.0 "$P2"
nsl 192.0.2.1 "$P3"
nsl 0.0.0.0 "$P4"
sleep 0.3
cfg exposed "http://localhost:$P1" "http://localhost:$P2" "http://192.0.2.1:$P3"
in_ns "$ARGOWEB" audit "$T/etc/exposed.yaml" >"$T/out" 2>"$T/err"; RC=$?; OUT=$(cat "$T/out")
echo "$OUT" | sed 's/^/#   /'
check "exposure found: exit 1" [ "$RC" = 1 ]
check "a loopback-only origin is not reported" sh -c '! echo "$0" | grep -q "ingress\[0\]"' "$OUT"
check "an origin on 0.0.0.0 is reported with the fix" \
	sh -c 'echo "$0" | grep -q "ingress\[1\] http://localhost:$1: origin also listens on 0.0.0.0:$1, reachable without the tunnel: bind it to 127.0.0.1 or firewall port $1"' "$OUT" "$P2"
check "an origin on the namespace's own address is reported" \
	sh -c 'echo "$0" | grep -q "ingress\[2\] http://192.0.2.1:$1: origin also listens on 192.0.2.1:$1"' "$OUT" "$P3"
check "a metrics port open to the network is reported" \
	sh -c 'echo "$0" | grep -q "metrics: a listener on 0.0.0.0:$1 serves cloudflared.s metrics port to the network"' "$OUT" "$P4"
check "one line per finding" [ "$(echo "$OUT" | wc -l)" = 3 ]
nsl :: "$((P1 + 5))"
sleep 0.3
cfg v6 "http://[::1]:$((P1 + 5))"
in_ns "$ARGOWEB" audit "$T/etc/v6.yaml" >"$T/out" 2>&1; RC=$?
check "an origin on [::] is reported" sh -c '[ "$0" = 1 ] && grep -q "origin also listens on \[::\]:" "$1"' "$RC" "$T/out"
# check shows the same findings as warnings and still succeeds.
setup_fake exit=1
write_cred_json "$T/etc/x.json"
sed -e "s#/etc/argoweb/x.json#$T/etc/x.json#" "$T/etc/exposed.yaml" >"$T/etc/w.yaml"
printf 'user: %s\ncloudflared: %s\n' "$RUSER" "$FAKE_BIN" >>"$T/etc/w.yaml"
in_ns "$ARGOWEB" check "$T/etc/w.yaml" >"$T/out" 2>"$T/err"; RC=$?
check "check passes with exposure findings" [ "$RC" = 0 ]
check "check prints them as warnings" sh -c '[ "$(grep -c "^argoweb: warning: .*origin also listens on\|^argoweb: warning: .*metrics" "$0")" = 3 ]' "$T/err"
done_testing
