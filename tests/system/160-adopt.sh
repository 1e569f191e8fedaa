#!/bin/sh
# tags: real-connector installed testbed diagonal
# argoweb adopt, against existing cloudflared installs with the REAL
# cloudflared ($REAL_CLOUDFLARED) and cf-edge ($CF_EDGE) under a booted
# Debian 12 or 13 (tests/testbed, loopback only), the .deb installed,
# cf-edge's load (20 requests/s) running through each move. Three shapes,
# each on its own edge, side by side:
# - cloudflared: what `cloudflared service install TOKEN` itself writes
#   (2023.7.3: the token in ExecStart= of a 0644 unit, and
#   cloudflared-update.timer; 2026.8.2: --token-file /etc/cloudflared/token),
#   a dashboard-managed tunnel (cf-edge -remote-managed, push after 1.5 s);
#   the test's edge, CA, protocol (http2) and grace period in a drop-in's
#   Environment=;
# - cloudflared-web: a hand-made unit, a locally-managed tunnel from a
#   config file and /root/.cloudflared/UUID.json, with flags in ExecStart=
#   (--protocol, --edge-ip-version, --loglevel, --metrics, --edge, ...);
# - cloudflared-env: a hand-made unit whose EnvironmentFile= (0644) gives
#   TUNNEL_TOKEN, QUIC (cloudflared's default), dashboard-managed.
# For each: the dry run changes nothing; --apply loses no request, leaves
# the old unit (and timer) stopped and disabled and no file others can
# read holding the secret; --undo gives the tunnel back, again losing none.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/testbed/testbed.sh"
tb_real_start "argoweb adopt with the real cloudflared against cf-edge" python3

U1=$(cat /proc/sys/kernel/random/uuid) U2=$(cat /proc/sys/kernel/random/uuid)
U3=$(cat /proc/sys/kernel/random/uuid)
TOK1=$(token_for "$U1") TOK3=$(token_for "$U3")
mkdir -m 0700 "$TB_SHARE/in"
printf '%s\n' "$TOK1" >"$TB_SHARE/in/a.token"
write_cred_json "$TB_SHARE/in/web.json" "$U2"
printf '%s\n' "$TOK3" >"$TB_SHARE/in/env.token"
tb_real_copy_in

# Inside: the package; three edges (127.0.N.1-4:7844, control on
# 127.0.N.1:9999), 1 and 3 answering "remotely managed" with the
# dashboard's rules; the origin; then the three old installs, started.
tb_sh "$U2" >"$T/setup" 2>&1 <<'EOF'
set -eu
U2=$1
dpkg -i /testbed/argoweb.deb
install -m 0755 /testbed/origin /usr/local/bin/origin
cf-edge -gencerts /etc/cf-edge
install -D -m 0644 /etc/cf-edge/ca.pem /usr/local/share/cf-edge/ca.pem
. /testbed/inside.sh
simple_unit origin-www "test origin" /usr/local/bin/origin 127.0.0.1 4430 www 36000
printf '{"ingress":[{"hostname":"www.example.com","service":"http://127.0.0.1:4430","originRequest":{"connectTimeout":10}},{"service":"http_status:404"}]}\n' \
	>/etc/cf-edge/remote.json
for n in 1 2 3; do
	managed=
	[ $n = 2 ] || managed="-remote-managed -remote-config /etc/cf-edge/remote.json -push-delay 1500ms"
	simple_unit "cf-edge-$n" "test edge $n" /usr/local/bin/cf-edge -cert /etc/cf-edge/edge.pem \
		-key /etc/cf-edge/edge.key -listen 127.0.$n.1:7844 -listen 127.0.$n.2:7844 \
		-listen 127.0.$n.3:7844 -listen 127.0.$n.4:7844 -control 127.0.$n.1:9999 $managed
done
systemctl daemon-reload
systemctl enable --now origin-www cf-edge-1 cf-edge-2 cf-edge-3

# 1. cloudflared service install TOKEN, as Cloudflare's dashboard says.
mkdir -p /etc/systemd/system/cloudflared.service.d
printf '[Unit]\nAfter=cf-edge-1.service origin-www.service\n[Service]\nEnvironment=TUNNEL_EDGE=127.0.1.1:7844,127.0.1.2:7844,127.0.1.3:7844,127.0.1.4:7844 TUNNEL_CACERT=/usr/local/share/cf-edge/ca.pem TUNNEL_TRANSPORT_PROTOCOL=http2 TUNNEL_GRACE_PERIOD=5s\n' \
	>/etc/systemd/system/cloudflared.service.d/edge.conf
cloudflared service install "$(cat /testbed/in/a.token)"

# 2. A locally-managed tunnel, flags in ExecStart=.
install -d -m 0700 /root/.cloudflared
install -m 0400 /testbed/in/web.json "/root/.cloudflared/$U2.json"
mkdir -p /etc/cloudflared-web
cat >/etc/cloudflared-web/config.yml <<EOC
tunnel: $U2
credentials-file: /root/.cloudflared/$U2.json
originRequest:
  connectTimeout: 10s
ingress:
  - hostname: www.example.com
    service: http://127.0.0.1:4430
  - service: http_status:404
EOC
cat >/etc/systemd/system/cloudflared-web.service <<EOC
[Unit]
Description=cloudflared, by hand
After=network-online.target cf-edge-2.service origin-www.service
[Service]
Type=notify
ExecStart=/usr/bin/cloudflared --no-autoupdate --config /etc/cloudflared-web/config.yml --loglevel info tunnel --protocol http2 --edge-ip-version 4 --edge 127.0.2.1:7844 --edge 127.0.2.2:7844 --edge 127.0.2.3:7844 --edge 127.0.2.4:7844 --cacert /usr/local/share/cf-edge/ca.pem --grace-period 5s --metrics 127.0.0.1:20300 run
Restart=on-failure
[Install]
WantedBy=multi-user.target
EOC

# 3. The token in an EnvironmentFile=, world-readable.
{
	printf 'TUNNEL_TOKEN=%s\n' "$(cat /testbed/in/env.token)"
	printf 'TUNNEL_EDGE=127.0.3.1:7844,127.0.3.2:7844,127.0.3.3:7844,127.0.3.4:7844\n'
	printf 'TUNNEL_CACERT=/usr/local/share/cf-edge/ca.pem\nTUNNEL_GRACE_PERIOD=5s\n'
} >/etc/default/cloudflared-env
chmod 0644 /etc/default/cloudflared-env
cat >/etc/systemd/system/cloudflared-env.service <<EOC
[Unit]
Description=cloudflared, from an environment file
After=network-online.target cf-edge-3.service origin-www.service
[Service]
Type=notify
EnvironmentFile=/etc/default/cloudflared-env
ExecStart=/usr/bin/cloudflared --no-autoupdate tunnel run
Restart=on-failure
[Install]
WantedBy=multi-user.target
EOC
systemctl daemon-reload
systemctl enable --now cloudflared-web cloudflared-env
EOF
rc=$?
check "the .deb, the real cloudflared, three edges, the origin; cloudflared service install TOKEN and two hand-made units started" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { show "$T/setup"; done_testing; exit 1; }
tb_exec cat /etc/systemd/system/cloudflared.service >"$T/installed.service"
show "$T/installed.service"

all4() { [ "$(edge_live "$1")" -ge 4 ]; }
# Files others can read (as nobody) that hold one of the secrets, processes
# whose command line does, and units whose settings show one to anyone.
# (The secrets come from a file: in an argument they would be found there.)
printf '%s\n' "$TOK1" "$TOK3" "$SECRET_B64" >"$TB_SHARE/in/secrets"
exposed() {
	tb_sh <<-'EOF'
	S=/testbed/in/secrets
	grep -rlF -f "$S" /etc /root /var /run /home /tmp /usr/local /srv /opt 2>/dev/null |
		while read -r f; do runuser -u nobody -- test -r "$f" && echo "file $f"; done
	grep -lF -f "$S" /proc/[0-9]*/cmdline 2>/dev/null | sed 's/^/argv /'
	for u in cloudflared cloudflared-env; do
		runuser -u nobody -- systemctl show -p ExecStart -p Environment "$u.service" 2>/dev/null |
			grep -qF -f "$S" && echo "systemctl show $u.service"
	done
	exit 0
	EOF
}
# What the dry run must not change: files, modes, owners, sizes, times,
# and the units' states.
snapshot() {
	tb_sh <<-'EOF'
	find /etc /root /var/lib/argoweb -xdev -printf '%p %m %U %G %s %T@\n' 2>/dev/null | sort
	for u in cloudflared cloudflared-update.timer cloudflared-web cloudflared-env \
		argoweb@cloudflared argoweb@cloudflared-web argoweb@cloudflared-env; do
		echo "$u $(systemctl is-active "$u") $(systemctl is-enabled "$u" 2>/dev/null)"
	done
	EOF
}
enablement() { # UNIT: "ActiveState UnitFileState" (or LoadState when not found)
	if [ "$(tb_prop "$1" LoadState)" = not-found ]; then echo not-found; else
		echo "$(tb_prop "$1" ActiveState) $(tb_prop "$1" UnitFileState)"; fi
}

stamp "waiting for the three old installs to serve"
for n in 1 2 3; do
	waitfor 60 all4 "$n"
	check "edge $n: the old connector holds 4 connections" all4 "$n"
done
exposed >"$T/exposed.before"
echo "# before adopt, others can read the secret in:"
show "$T/exposed.before"
if release_ge 2024.1.0; then
	# (2026.8.2 writes the token to /etc/cloudflared/token, 0600.)
	check "cloudflared service install: the token in a file only root reads (--token-file)" \
		sh -c '! grep -q "cloudflared.service" "$0" && grep -q -- "--token-file /etc/cloudflared/token" "$1"' \
		"$T/exposed.before" "$T/installed.service"
else
	check "cloudflared service install: the token in ExecStart= of a unit everyone reads" \
		grep -q "^file /etc/systemd/system/cloudflared.service$" "$T/exposed.before"
fi
check "the EnvironmentFile= (0644) shows its token to everyone" \
	grep -q "^file /etc/default/cloudflared-env$" "$T/exposed.before"

# 1. The dry runs: a plan each, nothing changed.
snapshot >"$T/snap.before"
for u in cloudflared cloudflared-web cloudflared-env; do
	tb_exec argoweb adopt "$u.service" >"$T/$u.plan" 2>&1
	rc=$?
	show "$T/$u.plan"
	check "dry run of $u.service: exit $rc, a plan (writes /etc/argoweb/$u.yaml), no secret in it" \
		sh -c '[ "$0" = 0 ] && grep -q "^writes: /etc/argoweb/$1.yaml" "$2" &&
			grep -q "^dry run: nothing changed" "$2" && ! grep -qF -e "$3" -e "$4" -e "$5" "$2"' \
		"$rc" "$u" "$T/$u.plan" "$TOK1" "$TOK3" "$SECRET_B64"
done
snapshot >"$T/snap.after"
check "the dry runs changed nothing (files, modes, owners, times; units' states)" cmp -s "$T/snap.before" "$T/snap.after"
diff "$T/snap.before" "$T/snap.after" | head -n 10 | show
check "... the plan carries the flags over (protocol, edge-ip-version, loglevel, edge, cacert, grace-period), drops metrics, with the reason" \
	sh -c 'for k in protocol edge-ip-version loglevel edge cacert grace-period; do
			grep -q "^carried over: $k (--$k" "$0" || exit 1; done
		grep -q "^left to argoweb: metrics (--metrics): argoweb gives the tunnel a loopback address of its own" "$0"' \
	"$T/cloudflared-web.plan"

# A phase of one shape, in the background: PHASE UNIT N PROTO (PROTO
# local: a locally-managed tunnel over http2), its TAP lines apart (part_begin).
shape() {
	phase=$1 u=$2 n=$3 proto=$4
	part_begin "$u.$phase" "$u"
	"$phase"
}
# None lost, or (QUIC before 2024.10.0, e251a218: a stopped connector
# closes its QUIC connections at once) none without a connector, and only
# requests in flight on the stopped connector cut, counted apart.
lost_none() { # WHAT FILE
	if [ "$proto" = quic ] && ! release_ge 2024.10.0; then
		check "$1 under load: no request without a connector; $(load_summary "$2") (cloudflared $CF_RELEASE closes QUIC at once on a stop: what was in flight on the stopped connector is cut, counted apart)" \
			sh -c '[ "$0" = 0 ] && [ "$1" -gt 0 ]' "$(load_field "$2" no_connector)" "$(load_field "$2" sent)"
	else
		check "$1 under load: none lost ($(load_summary "$2"))" \
			sh -c '[ "$0" = 0 ] && [ "$1" -gt 0 ]' "$(load_field "$2" failed)" "$(load_field "$2" sent)"
	fi
	[ "$(load_field "$2" failed)" = 0 ] || python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("failures from %s to %s ms (the move began at 2000 ms): %s %s" % (d.get("first_failure_ms"),
	d.get("last_failure_ms"), d.get("errors"), d.get("error_samples")))' "$2" 2>&1 | show
}

# 2. --apply under load.
apply() {
	file=$(tb_prop "$u.service" FragmentPath)
	echo "$file" >"$T/$u.file"
	tb_exec stat -c '%a %U %s' "$file" >"$T/$u.stat"
	tb_exec sha256sum "$file" >"$T/$u.sum"
	enablement "$u.service" >"$T/$u.state"
	enablement cloudflared-update.timer >"$T/$u.timer"
	edge_load "$n" 40 "$T/$u.load1"
	sleep 2
	s0=$(date +%s)
	tb_exec argoweb adopt --apply "$u.service" >"$T/$u.apply" 2>&1
	rc=$?
	took=$(($(date +%s) - s0))
	wait "$LOADPID"
	show "$T/$u.apply"
	check "argoweb adopt --apply $u.service: exit $rc in $took s, within the load's 40 s" \
		sh -c '[ "$0" = 0 ] && [ "$1" -lt 37 ] && grep -q "^adopted: argoweb@$2 serves the tunnel" "$3"' \
		"$rc" "$took" "$u" "$T/$u.apply"
	lost_none "--apply" "$T/$u.load1"
	check "... argoweb@$u active and enabled ($(enablement "argoweb@$u.service"))" \
		[ "$(enablement "argoweb@$u.service")" = "active enabled" ]
	check "... $u.service stopped and disabled, or its file moved away ($(enablement "$u.service"))" \
		sh -c 'case $0 in "inactive disabled"|not-found) ;; *) exit 1;; esac' "$(enablement "$u.service")"
	if [ "$u" = cloudflared ]; then
		check "... cloudflared-update.timer stopped and disabled ($(enablement cloudflared-update.timer))" \
			sh -c 'case $0 in "inactive disabled"|not-found) ;; *) exit 1;; esac' "$(enablement cloudflared-update.timer)"
	fi
	tb_exec argoweb status "$u" >"$T/$u.status" 2>&1
	check "... argoweb status: connected ($(head -n 1 "$T/$u.status"))" grep -q "^$u: connected, 4 edge connections" "$T/$u.status"
	bk=$(tb_exec stat -c '%a %U' "/etc/argoweb/adopted/$u" "/etc/argoweb/adopted/$u/manifest" | tr '\n' ' ')
	check "... the backup, root's alone: /etc/argoweb/adopted/$u ($bk)" [ "$bk" = "700 root 600 root " ]
	if [ "$proto" != local ]; then
		check "... a dashboard-managed tunnel: the old connector's rules kept for the new one's first registration" \
			grep -q "^kept the rules $u.service serves (version [0-9]*)" "$T/$u.apply"
	fi
}

# 3. --undo under load.
undo() {
	file=$(cat "$T/$u.file")
	edge_load "$n" 40 "$T/$u.load2"
	sleep 2
	s0=$(date +%s)
	tb_exec argoweb adopt --undo "$u" >"$T/$u.undo" 2>&1
	rc=$?
	took=$(($(date +%s) - s0))
	wait "$LOADPID"
	show "$T/$u.undo"
	check "argoweb adopt --undo $u: exit $rc in $took s, within the load's 40 s" \
		sh -c '[ "$0" = 0 ] && [ "$1" -lt 37 ] && grep -q "^given back: $2.service serves the tunnel" "$3"' \
		"$rc" "$took" "$u" "$T/$u.undo"
	lost_none "--undo" "$T/$u.load2"
	check "... $u.service as it was ($(cat "$T/$u.state")), its file too ($(tb_exec stat -c '%a %U %s' "$file"))" \
		sh -c '[ "$0" = "$1" ] && [ "$2" = "$3" ] && [ "$4" = "$5" ]' "$(enablement "$u.service")" "$(cat "$T/$u.state")" \
		"$(tb_exec stat -c '%a %U %s' "$file")" "$(cat "$T/$u.stat")" "$(tb_exec sha256sum "$file")" "$(cat "$T/$u.sum")"
	if [ "$u" = cloudflared ]; then
		check "... cloudflared-update.timer as it was ($(cat "$T/$u.timer"))" \
			[ "$(enablement cloudflared-update.timer)" = "$(cat "$T/$u.timer")" ]
	fi
	check "... argoweb@$u stopped and disabled, its files and the backup gone" \
		sh -c '[ "$0" = "inactive disabled" ] && [ -z "$1" ]' "$(enablement "argoweb@$u.service")" \
		"$(tb_exec ls -d "/etc/argoweb/$u.yaml" "/etc/argoweb/$u.token" "/etc/argoweb/$u.json" \
			"/etc/argoweb/adopted/$u" "/var/lib/argoweb/$u.remote.yaml" 2>/dev/null)"
	if [ "$proto" != local ]; then
		check "... the old unit reads no config: argoweb's rules lent for its start, then taken back" \
			sh -c 'grep -q "^lent argoweb@$1.s rules (version [0-9]*) to the old unit.s start: /etc/cloudflared/config.yml" "$0" &&
				grep -q "^took back /etc/cloudflared/config.yml" "$0" && [ -z "$2" ]' "$T/$u.undo" "$u" \
			"$(tb_exec ls /etc/cloudflared/config.yml 2>/dev/null)"
	fi
}

# PHASE: the three shapes side by side, then their TAP in order.
phase() {
	shape "$1" cloudflared 1 http2 &
	P1=$!
	shape "$1" cloudflared-web 2 local &
	P2=$!
	shape "$1" cloudflared-env 3 quic &
	P3=$!
	wait "$P1" "$P2" "$P3"
	part_merge "cloudflared.$1" "cloudflared-web.$1" "cloudflared-env.$1"
}

# 1b. A failure half-way (here SIGTERM while argoweb@NAME starts): all
# undone, the old unit serves on, no request lost.
edge_load 2 15 "$T/int.load"
sleep 1
tb_exec sh -c 'argoweb adopt --apply cloudflared-web.service >/tmp/int.out 2>&1 & echo $! >/tmp/int.pid
	wait $!; echo $? >/tmp/int.rc' &
INT=$!
waitfor 20 tb_exec grep -q "^starting argoweb@cloudflared-web" /tmp/int.out
tb_exec sh -c 'kill -TERM "$(cat /tmp/int.pid)"'
wait "$INT"
wait "$LOADPID"
tb_exec cat /tmp/int.out >"$T/int.out"
show "$T/int.out"
check "interrupted while argoweb@cloudflared-web starts: exit $(tb_exec cat /tmp/int.rc) (143), undone, said" \
	sh -c '[ "$0" = 143 ] && grep -q "interrupted (signal 15): what adopt did is undone; cloudflared-web.service serves on" "$1"' \
	"$(tb_exec cat /tmp/int.rc)" "$T/int.out"
check "... cloudflared-web.service serves on ($(enablement cloudflared-web.service)); argoweb@cloudflared-web stopped ($(enablement argoweb@cloudflared-web.service)), nothing of it left" \
	sh -c '[ "$0" = "active enabled" ] && [ "$1" = "inactive disabled" ] && [ -z "$2" ]' \
	"$(enablement cloudflared-web.service)" "$(enablement argoweb@cloudflared-web.service)" \
	"$(tb_exec ls -d /etc/argoweb/cloudflared-web.yaml /etc/argoweb/cloudflared-web.json /etc/argoweb/adopted/cloudflared-web 2>/dev/null)"
check "... no request lost ($(load_summary "$T/int.load"))" \
	sh -c '[ "$0" = 0 ] && [ "$1" -gt 0 ]' "$(load_field "$T/int.load" failed)" "$(load_field "$T/int.load" sent)"

stamp "adopt --apply under load: three shapes side by side"
phase apply
exposed >"$T/exposed.after"
check "adopted: no file others can read, no command line and no systemctl show holds a secret" [ ! -s "$T/exposed.after" ]
show "$T/exposed.after"
check "... the tokens are root's alone: /etc/argoweb/cloudflared.token, cloudflared-env.token ($(tb_exec stat -c '%a %U' /etc/argoweb/cloudflared.token /etc/argoweb/cloudflared-env.token | tr '\n' ' '))" \
	[ "$(tb_exec stat -c '%a %U' /etc/argoweb/cloudflared.token /etc/argoweb/cloudflared-env.token | tr '\n' ' ')" = "600 root 600 root " ]
for n in 1 2 3; do waitfor 30 all4 "$n"; done
stamp "adopt --undo under load"
phase undo
stamp "given back"
done_testing
