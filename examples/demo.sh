#!/bin/sh
# `make demo`: the shipped example (examples/web.yaml) through check, render
# and run --dry-run, then a real `argoweb run` of it for a few seconds.
# Cloudflare's edge cannot be assumed reachable, so unless a real cloudflared
# is on PATH the tunnel is run by the test suite's stand-in
# (tests/fake-cloudflared), which serves /ready like the real one.
# With a real cloudflared on PATH, a quick tunnel to a small local origin is
# started too and its public https://*.trycloudflare.com URL printed.
set -u
AW=${1:?usage: demo.sh path/to/argoweb}
TOP=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_UP=${DEMO_SECONDS:-4}
# The demo's files live where every parent directory is root's (or ours)
# and not writable by others: argoweb refuses a credential or a binary
# anywhere else, /tmp included, and the checkout may be anywhere.
if [ "$(id -u)" = 0 ]; then
	D=/run/argoweb-demo
	# The service user the packages make (systemd/argoweb.sysusers): a
	# group of its own, which argoweb insists on (nobody's is shared).
	USER_NAME=argoweb
	getent passwd argoweb >/dev/null || useradd --system --user-group --home-dir /var/lib/argoweb \
		--no-create-home --shell /usr/sbin/nologin --comment "argoweb (Cloudflare Tunnel)" argoweb ||
		{ echo "demo: cannot add the service user argoweb" >&2; exit 1; }
else
	D=${XDG_CACHE_HOME:-$HOME/.cache}/argoweb-demo
	USER_NAME=$(id -un)
	export RUNTIME_DIRECTORY="$D/run"
fi
rm -rf "$D"
mkdir -p "$D/etc" "$D/bin" "$D/run"
chmod 0755 "$D" "$D/etc" "$D/bin"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
FAILED=
run() { say "$*"; "$@"; rc=$?; echo "(exit $rc)"; [ "$rc" = 0 ] || FAILED="$FAILED $2"; }
[ -x "$TOP/build/tests/fake-cloudflared" ] || { echo "demo: build the stand-in first (make fake)" >&2; exit 1; }

# A well-formed but fake credential for the example's tunnel.
printf '{"AccountTag":"0123456789abcdef0123456789abcdef","TunnelSecret":"%s","TunnelID":"6ff42ae2-765d-4adf-8112-31c55c1551ef"}\n' \
	"$(head -c 32 /dev/urandom | base64 -w0)" >"$D/etc/web.json"
chmod 0600 "$D/etc/web.json"

cp "$TOP/build/tests/fake-cloudflared" "$D/bin/cloudflared"
printf 'schedule=0@0 4@1500\n' >"$D/bin/fake-cloudflared.conf"
sed -e "s#/etc/argoweb/web.json#$D/etc/web.json#" "$TOP/examples/web.yaml" >"$D/etc/web.yaml"
printf 'user: %s\ncloudflared: %s\n' "$USER_NAME" "$D/bin/cloudflared" >>"$D/etc/web.yaml"

echo "argoweb demo: the shipped example examples/web.yaml, with its credential"
echo "and cloudflared pointed at $D (see $D/etc/web.yaml)."
run "$AW" check "$D/etc/web.yaml"
run "$AW" render "$D/etc/web.yaml"
run "$AW" run --dry-run "$D/etc/web.yaml"

say "$AW run $D/etc/web.yaml   # with the stand-in cloudflared, for ${SECONDS_UP}s"
"$AW" run "$D/etc/web.yaml" &
pid=$!
sleep 2
echo "cloudflared is PID $pid (argoweb exec'd it: same PID)."
if command -v curl >/dev/null 2>&1; then
	say "curl http://127.0.0.1:20241/ready"
	curl -s http://127.0.0.1:20241/ready; echo
fi
run "$AW" status "$D/etc/web.yaml"
sleep "$SECONDS_UP"
kill "$pid" 2>/dev/null
wait "$pid"
echo "(stopped)"

if [ -n "$FAILED" ]; then
	echo "demo: FAILED:$FAILED" >&2
	exit 1
fi
REAL=$(command -v cloudflared || true)
if [ -z "$REAL" ]; then
	echo
	echo "No cloudflared on PATH: skipping the real quick tunnel. Install it from"
	echo "Cloudflare's package repository and run 'make demo' again to get a public URL."
	exit 0
fi
say "quick tunnel with the real $REAL"
mkdir -p "$D/www"
echo "hello from argoweb" >"$D/www/index.html"
( cd "$D/www" && exec python3 -m http.server 8089 --bind 127.0.0.1 ) >/dev/null 2>&1 &
origin=$!
printf 'quick: http://127.0.0.1:8089\nmetrics: 127.0.0.1:20299\nuser: %s\ncloudflared: %s\n' \
	"$USER_NAME" "$REAL" >"$D/etc/quick.yaml"
"$AW" run "$D/etc/quick.yaml" 2>"$D/quick.log" &
tun=$!
url=
for _ in $(seq 1 30); do
	sleep 1
	url=$(curl -s http://127.0.0.1:20299/quicktunnel | sed -n 's/.*"hostname":"\([^"]*\)".*/\1/p')
	[ -n "$url" ] && break
done
if [ -n "$url" ]; then
	echo "Public URL: https://$url  (serving $D/www for ${DEMO_QUICK_SECONDS:-60}s)"
	sleep "${DEMO_QUICK_SECONDS:-60}"
else
	echo "The quick tunnel did not come up (no route to Cloudflare?); see $D/quick.log"
fi
kill "$tun" "$origin" 2>/dev/null
wait 2>/dev/null
exit 0
