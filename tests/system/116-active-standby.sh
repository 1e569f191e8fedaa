#!/bin/sh
# tags: real-connector installed testbed diagonal
# Active/standby with the packaged units and the REAL cloudflared
# ($REAL_CLOUDFLARED) against cf-edge ($CF_EDGE) under a booted Debian 12 or 13
# (tests/testbed, loopback only). The .deb installed as a user would; one
# tunnel enabled as argoweb-active@sb (runs on the active node only), one
# as argoweb@on (always), then a reboot:
# - after boot argoweb@on is connected and argoweb-active@sb runs nothing:
#   unit inactive, no cloudflared for it, no connection at the edge;
# - promotion (the package's keepalived notify script, MASTER: systemctl
#   start argoweb-active.target): argoweb-active@sb active, StatusText
#   Connected, 4 connections at the edge, the origin reachable through it;
#   the time to each is printed;
# - demotion (the same, BACKUP: systemctl stop argoweb-active.target):
#   every connection of it unregistered (graceful, not cut), within its
#   grace period (5s), Result=success, the edge answers 530 for it;
# - argoweb@on untouched throughout: same MainPID, connected;
# - argoweb@sb and argoweb-active@sb never run together (Conflicts=): each
#   start stops the other first, and the newcomer connects;
# - the target cannot be enabled, and the package's installation starts
#   nothing of it.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/testbed/testbed.sh"
tb_real_start "active/standby units with the real cloudflared against cf-edge" curl persist

U_SB=6ff42ae2-765d-4adf-8112-31c55c155111 U_ON=6ff42ae2-765d-4adf-8112-31c55c155112
A=0123456789abcdef0123456789abcdef
mkdir -m 0700 "$TB_SHARE/in"
printf '{"AccountTag":"%s","TunnelSecret":"%s","TunnelID":"%s"}\n' $A \
	"$(printf 'standby-tunnel-secret-0123456789' | base64 -w0)" $U_SB >"$TB_SHARE/in/sb.json"
printf '{"AccountTag":"%s","TunnelSecret":"%s","TunnelID":"%s"}\n' $A \
	"$(printf 'always-on-tunnel-secret-01234567' | base64 -w0)" $U_ON >"$TB_SHARE/in/on.json"
tb_real_copy_in
# The promotion and the demotion below go through the package's keepalived
# notify script, /usr/libexec/argoweb/vrrp-notify, run as keepalived runs
# it but from no service (170 runs it from the real keepalived).
notify() { # STATE
	tb_exec timeout 60 /usr/libexec/argoweb/vrrp-notify INSTANCE VI_1 "$1" 100
}

# 1. Set up, as an admin would, then power off. ----------------------------
# The edge (127.0.0.1-4:7844, control 127.0.0.1:9999) and the example's
# origin are services of this system that start at boot, before the
# tunnels. Both tunnels: the shipped example with their own credential,
# metrics address and protocol, the test edge, a 5 s grace period.
stamp "1. install, configure, enable; power off"
tb_sh >"$T/setup" 2>&1 <<'EOF'
set -eu
dpkg -i /testbed/argoweb.deb
install -m 0755 /testbed/origin /usr/local/bin/origin
cf-edge -gencerts /etc/cf-edge
install -m 0644 /etc/cf-edge/ca.pem /etc/argoweb/ca.pem
cat >/etc/systemd/system/cf-edge.service <<'UNIT'
[Unit]
Description=cf-edge, a stand-in for Cloudflare's edge (test)
Before=argoweb@on.service argoweb-active@sb.service argoweb@sb.service
[Service]
ExecStart=/usr/local/bin/cf-edge -cert /etc/cf-edge/edge.pem -key /etc/cf-edge/edge.key -listen 127.0.0.1:7844 -listen 127.0.0.2:7844 -listen 127.0.0.3:7844 -listen 127.0.0.4:7844 -control 127.0.0.1:9999
[Install]
WantedBy=multi-user.target
UNIT
cat >/etc/systemd/system/origin-www.service <<'UNIT'
[Unit]
Description=the example's origin www.example.com (test)
[Service]
ExecStart=/usr/local/bin/origin 127.0.0.1 4430 www 3600
[Install]
WantedBy=multi-user.target
UNIT
n=0
for t in sb:http2 on:quic; do
	n=$((n + 1)) name=${t%%:*} proto=${t#*:}
	uuid=$(sed 's/.*"TunnelID":"\([^"]*\)".*/\1/' "/testbed/in/$name.json")
	install -m 0600 "/testbed/in/$name.json" "/etc/argoweb/$name.json"
	sed -e "s#^tunnel: .*#tunnel: $uuid#" -e "s#^credentials-file: .*#credentials-file: /etc/argoweb/$name.json#" \
		-e '/^metrics:/d' -e '/^health:/,$d' -e '/^protocol:/d' -e '/^grace-period:/d' \
		/usr/share/doc/argoweb/examples/web.yaml >"/etc/argoweb/$name.yaml"
	printf 'protocol: %s\nedge: [127.0.0.1:7844, 127.0.0.2:7844, 127.0.0.3:7844, 127.0.0.4:7844]\ncacert: /etc/argoweb/ca.pem\nmetrics: 127.0.%s.9:20241\ngrace-period: 5s\nhealth: {interval: 1s, unhealthy-after: 10s}\n' \
		"$proto" "$n" >>"/etc/argoweb/$name.yaml"
	chown root:argoweb "/etc/argoweb/$name.yaml"
	chmod 0640 "/etc/argoweb/$name.yaml"
done
systemctl daemon-reload
systemctl enable cf-edge origin-www argoweb-active@sb argoweb@on
EOF
rc=$?
check "the .deb installed; argoweb-active@sb and argoweb@on configured and enabled" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { show "$T/setup"; done_testing; exit 1; }
grep -i "created symlink" "$T/setup" | sed -e 's/^Created symlink //' -e 's/ → .*//' | show
check "the installation started nothing of argoweb" \
	[ -z "$(tb_exec systemctl list-units --all --no-legend --plain 'argoweb*' | grep -v ' inactive ')" ]
tb_exec systemctl enable argoweb-active.target >"$T/enable-target" 2>&1
# (systemd 252 exits 0 here, saying why it did nothing.)
check "argoweb-active.target cannot be enabled: \"$(head -n 1 "$T/enable-target")\"" \
	sh -c '[ -z "$0" ] && grep -q "no installation config" "$1"' \
	"$(tb_exec find /etc/systemd/system -name argoweb-active.target)" "$T/enable-target"
check "argoweb-active@sb is enabled into argoweb-active.target.wants, not multi-user.target.wants" \
	tb_exec sh -c 'test -L /etc/systemd/system/argoweb-active.target.wants/argoweb-active@sb.service &&
		! test -e /etc/systemd/system/multi-user.target.wants/argoweb-active@sb.service'
tb_shutdown

# 2. The reboot: the standby runs nothing, the always-on tunnel connects. ---
stamp "2. boot"
b0=$(now_ms)
tb_boot || { not_ok "the test bed boots again ($TB_WHY)"; done_testing; exit 1; }
echo "# booted again in $(($(now_ms) - b0)) ms"
# From the host, in the container's network only: cf-edge's control API
# (host.sh; the one edge is edge 0, at 127.0.0.1).
has_live() { [ "$(edge_live 0 "$1")" = "$2" ]; }
# conns TUNNEL: every connection the edge still holds for it.
conns() { edge_ctl 0 "/connections?tunnel=$1" | grep -c '"seq":'; }
# cloudflared processes, by the config they run
cf_for() { tb_exec sh -c 'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = cloudflared ] && tr "\0" " " <$p/cmdline && echo; done' |
	grep -c "/run/argoweb/$1/config.yml"; }
if waitfor 30 tb_is_status argoweb@on.service "Connected: 4 edge connections"; then
	ok "after boot argoweb@on is connected: \"$(tb_prop argoweb@on.service StatusText)\", $(edge_live 0 $U_ON) live connections at the edge ($(($(now_ms) - b0)) ms after the boot began)"
else
	not_ok "after boot argoweb@on is connected (\"$(tb_prop argoweb@on.service StatusText)\")"
	tb_why argoweb@on.service
fi
ON_PID=$(tb_prop argoweb@on.service MainPID)
check "after boot argoweb-active@sb is inactive ($(tb_state argoweb-active@sb.service)), its target too ($(tb_state argoweb-active.target))" \
	[ "$(tb_state argoweb-active@sb.service)/$(tb_state argoweb-active.target)" = inactive/dead/inactive/dead ]
check "after boot no cloudflared runs for sb ($(cf_for sb)), one for on ($(cf_for on))" \
	[ "$(cf_for sb)/$(cf_for on)" = 0/1 ]
check "after boot the edge has no connection for sb's tunnel ($(conns $U_SB))" [ "$(conns $U_SB)" = 0 ]
got=$(edge_eyeball 0 www.example.com /promoted $U_SB)
check "after boot the edge answers 530 for sb's tunnel ($got)" [ "$got" = "530 no connector" ]

# 3. Promotion. ---------------------------------------------------------------
stamp "3. promotion: keepalived's notify MASTER (systemctl start --no-block argoweb-active.target)"
s0=$(now_ms)
notify MASTER >"$T/promote" 2>&1
rc=$? s1=$(now_ms)
ready() { [ "$(tb_state argoweb-active@sb.service)" = active/running ]; }
waitfor 20 ready
sr=$(now_ms)
st=$(tb_prop argoweb-active@sb.service StatusText)
check "vrrp-notify ... MASTER: queues the start and returns (exit $rc, $((s1 - s0)) ms); argoweb-active@sb active (READY) after $((sr - s0)) ms: \"$st\"" \
	sh -c '[ "$0" = 0 ] && [ "$1" -le 2000 ] && [ "$2" = active/running ] && case $3 in "Connected: "*) ;; *) exit 1;; esac' \
	"$rc" "$((s1 - s0))" "$(tb_state argoweb-active@sb.service)" "$st"
check "... said, from no service, that nothing would stop the tunnels if keepalived died" \
	grep -q "not run by a systemd service" "$T/promote"
[ "$rc" = 0 ] || { show "$T/promote"; tb_why argoweb-active@sb.service; }
waitfor 20 tb_is_status argoweb-active@sb.service "Connected: 4 edge connections"
s2=$(now_ms)
waitfor 20 has_live $U_SB 4
s3=$(now_ms)
check "promoted: StatusText \"Connected: 4 edge connections\" after $((s2 - s0)) ms" \
	tb_is_status argoweb-active@sb.service "Connected: 4 edge connections"
check "promoted: 4 live connections at the edge after $((s3 - s0)) ms ($(edge_live 0 $U_SB))" has_live $U_SB 4
echo "# promotion: notify to its return $((s1 - s0)) ms, to READY (active) $((sr - s0)) ms, to StatusText 4 connections $((s2 - s0)) ms, to 4 live connections at the edge $((s3 - s0)) ms"
got=$(edge_eyeball 0 www.example.com /promoted $U_SB)
check "promoted: an eyeball request through sb's tunnel reaches the origin ($got)" [ "$got" = "200 www GET /promoted" ]
SB_CLIENT=$(edge_ctl 0 "/connections?tunnel=$U_SB" | sed -n 's/.*"client_id": "\([^"]*\)".*/\1/p' | sort -u)
check "promoted: one connector for sb's tunnel ($SB_CLIENT)" [ "$(echo "$SB_CLIENT" | wc -w)" = 1 ]
check "argoweb@on untouched by the promotion (MainPID $ON_PID -> $(tb_prop argoweb@on.service MainPID), $(edge_live 0 $U_ON) live)" \
	sh -c '[ "$0" = "$1" ] && [ "$2" = 4 ]' "$ON_PID" "$(tb_prop argoweb@on.service MainPID)" "$(edge_live 0 $U_ON)"

# 4. Demotion. ----------------------------------------------------------------
stamp "4. demotion: keepalived's notify BACKUP (systemctl stop --no-block argoweb-active.target)"
SB_PID=$(tb_prop argoweb-active@sb.service MainPID)
d0=$(now_ms)
notify BACKUP >"$T/demote" 2>&1
rc=$? d1=$(now_ms)
at_return=$(tb_state argoweb-active@sb.service)
stopped() { [ "$(tb_state argoweb-active@sb.service)" = inactive/dead ]; }
waitfor 15 stopped
d2=$(now_ms)
no_conns() { [ "$(conns $U_SB)" = 0 ]; }
waitfor 5 no_conns
d3=$(now_ms)
res=$(tb_prop argoweb-active@sb.service Result)
check "vrrp-notify ... BACKUP: queues the stop (exit $rc, returns in $((d1 - d0)) ms with the instance $at_return): argoweb-active@sb $(tb_state argoweb-active@sb.service) after $((d2 - d0)) ms (grace-period 5s), Result=$res" \
	sh -c '[ "$0" = 0 ] && [ "$1" -le 7000 ] && [ "$2" = inactive/dead ] && [ "$3" = success ] && [ "$4" -le 2000 ]' \
	"$rc" "$((d2 - d0))" "$(tb_state argoweb-active@sb.service)" "$res" "$((d1 - d0))"
[ "$rc" = 0 ] || show "$T/demote"
edge_ctl 0 /events >"$T/events"
n_unreg=$(grep -c "\"type\": \"unregistered\"" "$T/events")
n_sb_unreg=$(grep -A2 '"type": "unregistered"' "$T/events" | grep -c "client=$SB_CLIENT")
check "demoted: the edge got UnregisterConnection for each of sb's 4 connections ($n_sb_unreg of $n_unreg unregistrations)" \
	[ "$n_sb_unreg" = 4 ]
check "demoted: the edge holds no connection of sb's tunnel after $((d3 - d0)) ms" no_conns
check "demoted: no cloudflared for sb (PID $SB_PID gone)" [ "$(cf_for sb)" = 0 ]
got=$(edge_eyeball 0 www.example.com /promoted $U_SB)
check "demoted: the edge answers 530 for sb's tunnel again ($got)" [ "$got" = "530 no connector" ]
tb_exec journalctl -b -u argoweb-active@sb.service --no-pager -o cat >"$T/sb.journal" 2>&1
check "demoted: cloudflared shut down gracefully (its log: \"Initiating graceful shutdown\", 4 \"Unregistered tunnel connection\")" \
	sh -c 'grep -q "Initiating graceful shutdown" "$0" && [ "$(grep -c "Unregistered tunnel connection" "$0")" = 4 ]' "$T/sb.journal"
echo "# demotion: stop command to its return $((d1 - d0)) ms (the target stops first; its instance drains after), to argoweb-active@sb inactive $((d2 - d0)) ms, to no connection of sb at the edge $((d3 - d0)) ms"
check "argoweb@on untouched by the demotion (MainPID $(tb_prop argoweb@on.service MainPID), \"$(tb_prop argoweb@on.service StatusText)\", $(edge_live 0 $U_ON) live)" \
	sh -c '[ "$0" = "$1" ] && [ "$2" = 4 ] && [ "$3" = "Connected: 4 edge connections" ]' \
	"$ON_PID" "$(tb_prop argoweb@on.service MainPID)" "$(edge_live 0 $U_ON)" "$(tb_prop argoweb@on.service StatusText)"

# 5. argoweb@sb and argoweb-active@sb never together. -------------------------
stamp "5. Conflicts="
# switch START UP DOWN: systemctl start START while DOWN runs: DOWN must
# be stopped (gracefully) before UP starts, and UP connect at once, the
# only connector of the tunnel (a second cloudflared would find the
# metrics address taken and fail).
switch() {
	c0=$(now_ms)
	tb_exec timeout 60 systemctl start "$1" >"$T/switch" 2>&1
	rc=$? c1=$(now_ms)
	waitfor 20 tb_is_status "$2" "Connected: 4 edge connections"
	clients=$(edge_ctl 0 "/connections?live=1&tunnel=$U_SB" | sed -n 's/.*"client_id": "\([^"]*\)".*/\1/p' | sort -u | wc -l)
	check "systemctl start $1 (exit $rc, $((c1 - c0)) ms): ${3%.service} $(tb_state "$3") (Result=$(tb_prop "$3" Result)), ${2%.service} \"$(tb_prop "$2" StatusText)\" (NRestarts $(tb_prop "$2" NRestarts)), $clients connector(s) at the edge" \
		sh -c '[ "$0" = 0 ] && [ "$1" = inactive/dead ] && [ "$2" = success ] && [ "$3" = "Connected: 4 edge connections" ] && [ "$4" = 0 ] && [ "$5" = 1 ] && [ "$6" = 1 ]' \
		"$rc" "$(tb_state "$3")" "$(tb_prop "$3" Result)" "$(tb_prop "$2" StatusText)" "$(tb_prop "$2" NRestarts)" "$clients" "$(cf_for sb)"
	[ "$rc" = 0 ] || { show "$T/switch"; tb_why "$2"; }
}
tb_exec timeout 60 systemctl start argoweb@sb >"$T/plain" 2>&1
waitfor 20 tb_is_status argoweb@sb.service "Connected: 4 edge connections"
check "argoweb@sb (the plain unit, same config) runs on its own: \"$(tb_prop argoweb@sb.service StatusText)\"" \
	tb_is_status argoweb@sb.service "Connected: 4 edge connections"
switch argoweb-active.target argoweb-active@sb.service argoweb@sb.service
switch argoweb@sb.service argoweb@sb.service argoweb-active@sb.service
echo "# note: argoweb-active.target stays $(tb_state argoweb-active.target) when argoweb@sb displaces its instance"
tb_exec timeout 60 systemctl stop argoweb@sb argoweb-active.target
check "argoweb@on untouched throughout (MainPID $ON_PID -> $(tb_prop argoweb@on.service MainPID), NRestarts $(tb_prop argoweb@on.service NRestarts))" \
	sh -c '[ "$0" = "$1" ] && [ "$2" = 0 ] && [ "$3" = 4 ]' "$ON_PID" "$(tb_prop argoweb@on.service MainPID)" \
	"$(tb_prop argoweb@on.service NRestarts)" "$(edge_live 0 $U_ON)"
echo "# timings: $(($(date +%s) - t0)) s after the first boot"
done_testing
