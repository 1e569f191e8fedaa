#!/bin/sh
# tags: real-connector
# cloudflared's remote diagnostics (/metrics and pprof served to Cloudflare's
# management service over the tunnel) are off unless the config turns them
# on: argoweb run with the REAL cloudflared ($REAL_CLOUDFLARED) against
# cf-edge ($CF_EDGE), in a network namespace with nothing but loopback.
# cf-edge carries an eyeball request for the management hostname to the
# connector as Cloudflare's edge would (the access token is a dummy JWT:
# cloudflared leaves checking it to the edge); /ping answers either way,
# /metrics and /debug/pprof/goroutine only with diagnostics on.
#
# cloudflared 2023.7.3 has them off by default; 2024.2 and later on
# (TUN-8242), and a `false` in the config file does not turn them off: the
# file is applied through urfave/cli's altsrc, whose BoolFlag applies true
# values only (vendor/github.com/urfave/cli/v2/altsrc/flag.go, the same in
# 2023.7.3 and 2026.8). Besides the binary as it is, the test therefore
# runs it through a wrapper that defaults TUNNEL_MANAGEMENT_DIAGNOSTICS to
# true when the caller has not set it: a connector that is on unless its
# command line or environment says off, as 2024.2+ is.
if [ -z "${AW_NETNS:-}" ] && [ "$(id -u)" = 0 ] && [ -n "${REAL_CLOUDFLARED:-}" ] &&
	[ -n "${CF_EDGE:-}" ] && command -v unshare >/dev/null 2>&1; then
	AW_NETNS=1 exec unshare --net -- sh "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"
T_WHAT="management diagnostics with the real cloudflared against cf-edge"
[ -n "${REAL_CLOUDFLARED:-}" ] || bail_skip "no REAL_CLOUDFLARED (a real cloudflared; .ci/run sets it from ../shared/bin)"
[ -n "${CF_EDGE:-}" ] || bail_skip "no CF_EDGE (the edge emulator; .ci/run sets it from ../shared/bin)"
is_root || bail_skip "needs root (a network namespace, and the privilege drop to the service user); CI runs as root"
[ -n "${AW_NETNS:-}" ] || bail_skip "no unshare (util-linux) to make a network namespace"
command -v curl >/dev/null || bail_skip "no curl"
ip link set lo up || { not_ok "loopback up in the test's network namespace"; done_testing; exit 1; }

mkdir -p "$T/etc" "$T/bin"
chmod 0755 "$T/etc" "$T/bin"
"$CF_EDGE" -gencerts "$T/certs" >"$T/gencerts.log" 2>&1 || { not_ok "cf-edge -gencerts"; done_testing; exit 1; }
install -m 0644 "$T/certs/ca.pem" "$T/etc/ca.pem"
install -m 0755 "$REAL_CLOUDFLARED" "$T/bin/cloudflared"
cat >"$T/bin/cloudflared-default-on" <<EOF
#!/bin/sh
# cloudflared 2024.2+, as far as management-diagnostics goes.
export TUNNEL_MANAGEMENT_DIAGNOSTICS="\${TUNNEL_MANAGEMENT_DIAGNOSTICS-true}"
exec $T/bin/cloudflared "\$@"
EOF
chmod 0755 "$T/bin/cloudflared-default-on"
echo "# $("$T/bin/cloudflared" --version 2>&1 | head -n1)"

C=http://127.0.0.1:9999
"$CF_EDGE" -cert "$T/certs/edge.pem" -key "$T/certs/edge.key" -listen 127.0.0.1:7844 \
	-listen 127.0.0.2:7844 -control 127.0.0.1:9999 2>"$T/edge.log" &
EDGE=$!
trap 'kill "$EDGE" 2>/dev/null; t_cleanup' EXIT
waitfor 10 curl -sf -o /dev/null "$C/healthz" || { not_ok "cf-edge answers"; sed 's/^/#   /' "$T/edge.log"; done_testing; exit 1; }

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
# mgmt UUID PATH -> the HTTP status of PATH on the management service
mgmt() {
	jwt="$(printf '{"alg":"ES256","typ":"JWT"}' | b64url).$(printf \
		'{"tun":{"id":"%s","account_tag":"0123456789abcdef0123456789abcdef"},"actor":{"id":"argoweb-test"}}' "$1" |
		b64url).$(printf 'not-checked-here' | b64url)"
	curl -s -m 20 -o /dev/null -w '%{http_code}' -G "$C/proxy" --data-urlencode raw=1 \
		--data-urlencode "tunnel=$1" --data-urlencode host=management.argotunnel.com \
		--data-urlencode "path=$2?access_token=$jwt"
}

# case N BINARY SETTING(absent|true|false) WANT(on|off)
i=0
diag_case() {
	i=$((i + 1))
	bin=$1 set=$2 want=$3
	u=6ff42ae2-765d-4adf-8112-31c55c1551$(printf '%02d' "$i")
	D=$T/c$i
	mkdir -p "$D/run"
	chown "$RUSER" "$D/run"
	chmod 0700 "$D/run"
	write_cred_json "$T/etc/c$i.json" "$u"
	{
		printf 'tunnel: %s\ncredentials-file: %s\nprotocol: http2\n' "$u" "$T/etc/c$i.json"
		printf 'edge: [127.0.0.1:7844, 127.0.0.2:7844]\ncacert: %s\nmetrics: 127.0.1.%s:20241\n' "$T/etc/ca.pem" "$i"
		printf 'grace-period: 1s\nuser: %s\ncloudflared: %s\n' "$RUSER" "$T/bin/$bin"
		printf 'ingress:\n  - service: http_status:404\n'
		[ "$set" = absent ] || printf 'management-diagnostics: %s\n' "$set"
	} >"$D/c.yaml"
	name="$bin, management-diagnostics ${set}"
	RUNTIME_DIRECTORY="$D/run" ${ARGOWEB_WRAP:-} "$ARGOWEB" run "$D/c.yaml" >"$D/out" 2>"$D/err" </dev/null &
	pid=$!
	if ! waitfor 20 curl -sf -o /dev/null "http://127.0.1.$i:20241/ready"; then
		not_ok "$name: connected"
		tail -n 5 "$D/err" | sed 's/^/#   /'
		kill "$pid" 2>/dev/null
		wait "$pid"
		return
	fi
	r=$(sed -n 's/^management-diagnostics: //p' "$D/run/config.yml")
	e=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^TUNNEL_MANAGEMENT_DIAGNOSTICS=//p')
	p=$(mgmt "$u" /ping) m=$(mgmt "$u" /metrics) g=$(mgmt "$u" /debug/pprof/goroutine)
	if [ "$want" = on ]; then w=200 v=true; else w=404 v=false; fi
	check "$name: diagnostics $want (rendered ${r:-none}, environment ${e:-unset}; management /ping $p, /metrics $m, /debug/pprof/goroutine $g)" \
		[ "$p/$m/$g $r/$e" = "200/$w/$w $v/$v" ]
	kill -TERM "$pid"
	wait "$pid"
}

# The connector as it is (2023.7.3: off unless told).
diag_case cloudflared absent off
diag_case cloudflared true on
diag_case cloudflared false off
# A connector that is on unless told otherwise, as 2024.2+.
diag_case cloudflared-default-on absent off
diag_case cloudflared-default-on false off
diag_case cloudflared-default-on true on
done_testing
