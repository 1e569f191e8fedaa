#!/bin/sh
# tags: installed testbed
# argoweb@.service under a real systemd booted as PID 1 in systemd-nspawn
# (tests/testbed; run on Debian 12's 252 and Debian 13's 257): install, sysusers/tmpfiles, verify and
# security score, the sandbox cloudflared really gets, the watchdog, failures
# that must not loop, secrets kept out of the journal, ps and unit files,
# LoadCredentialEncrypted=, and the SetCredential= fallback the unit uses.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/testbed/testbed.sh"
trap 'tb_shutdown; t_cleanup' EXIT
trap 'exit 130' INT TERM HUP

T_WHAT="argoweb@.service under ${TB_SUITE:-bookworm}'s systemd in systemd-nspawn"
is_root || bail_skip "needs root (boots a container); CI runs as root"
# The unit execs /usr/bin/argoweb itself: no wrapper reaches it. An ASan
# build's LeakSanitizer needs ptrace, which the unit's seccomp filter
# refuses: every exit becomes 1/FAILURE instead of the codes tested here.
[ -z "${VALGRIND:-}${ARGOWEB_WRAP:-}" ] ||
	bail_skip "under valgrind: the unit runs /usr/bin/argoweb itself (the normal build's run covers the unit)"
grep -q __asan_init "$ARGOWEB" 2>/dev/null &&
	bail_skip "ASan build: LeakSanitizer needs ptrace, which the unit's seccomp filter refuses (exit 1 instead of 78, 77...); the normal build's run covers the unit"
tb_available || bail_skip "$TB_WHY"
t0=$(date +%s)
tb_rootfs || bail_skip "$TB_WHY"
t1=$(date +%s)
tb_boot || bail_skip "$TB_WHY"
t2=$(date +%s)
SD_VERSION=$(tb_systemd_version)
echo "# rootfs ready in $((t1 - t0)) s ($TB_ROOT), booted in $((t2 - t1)) s: $TB_SUITE, systemd $SD_VERSION"

# Helpers that run inside the container, in /testbed/h.sh.
cat >"$TB_SHARE/h.sh" <<'EOF'
# procs UNIT: "PID COMM" of each process in the unit's cgroup
procs() {
	for f in /proc/[0-9]*/cgroup; do
		grep -q "/$1\$" "$f" 2>/dev/null || continue
		p=${f#/proc/}; p=${p%/cgroup}
		echo "$p $(cat "/proc/$p/comm" 2>/dev/null)"
	done
}
# mnt PID PATH: "OPTIONS ROOT" of the mount holding PATH in PID's mount namespace
mnt() {
	awk -v p="$2" '{ m = $5
		if (m == "/" || p == m || index(p, m "/") == 1)
			if (length(m) >= best) { best = length(m); o = $6; r = $4 } }
		END { print o, r }' "/proc/$1/mountinfo"
}
# field PID NAME: a /proc/PID/status field, blanks squeezed
field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s ' \t' ' ' | sed 's/ $//'; }
# record NAME: the fake's latest record, secrets' values redacted
record() { sed 's/^\(env:TUNNEL_[A-Z_]*=\).*/\1<redacted>/' "/var/lib/argoweb/rec-$1/record.latest"; }
. /testbed/inside.sh
EOF
cp "$TOP/tests/testbed/inside.sh" "$TOP/tests/waitfor.sh" "$TB_SHARE/"
# start NAME: systemctl start argoweb@NAME; on failure, say why as diagnostics.
start() {
	st=$(date +%s)
	tb_exec timeout 30 systemctl start "argoweb@$1" >"$T/start.err" 2>&1
	rc=$?
	[ $(($(date +%s) - st)) -lt 10 ] || echo "# slow: systemctl start argoweb@$1 took $(($(date +%s) - st)) s"
	[ "$rc" = 0 ] || tb_why "argoweb@$1.service"
	return "$rc"
}
# startq NAME: the same, expecting nothing (failures are what is tested).
startq() {
	st=$(date +%s)
	tb_exec timeout 30 systemctl start "argoweb@$1" >/dev/null 2>&1
	rc=$?
	[ $(($(date +%s) - st)) -lt 10 ] || echo "# slow: systemctl start argoweb@$1 took $(($(date +%s) - st)) s"
	return "$rc"
}
# stop NAME: systemctl stop argoweb@NAME, at most 35 s; sets STOP_MS. If
# it hangs, show where each process of the unit is stuck, then SIGKILL.
stop() {
	s0=$(date +%s%N)
	tb_exec timeout 35 systemctl stop "argoweb@$1"
	STOP_MS=$((($(date +%s%N) - s0) / 1000000))
	[ "$(tb_h prop "$1" ActiveState)" = inactive ] || [ "$(tb_h prop "$1" ActiveState)" = failed ] && return 0
	echo "#   argoweb@$1 is $(tb_h prop "$1" ActiveState)/$(tb_h prop "$1" SubState) after $STOP_MS ms:"
	tb_exec sh -c '. /testbed/h.sh; procs "argoweb@$1.service" | while read -r p c; do
		echo "$p $c: $(grep -E "^(State|SigBlk|SigIgn|SigCgt|SigPnd|ShdPnd)" /proc/$p/status | tr "\t\n" "  ")wchan $(cat /proc/$p/wchan)"
		ls -l /proc/$p/fd | sed -n "s/.* \([0-9]*\) -> /  fd \1 -> /p"
		head -n 8 /proc/$p/stack 2>/dev/null | sed "s/^/  /"
	done; head -n 12 /proc/net/tcp; journalctl -b -u "argoweb@$1" --no-pager -n 12 -o short-monotonic' _ "$1" 2>&1 |
		sed 's/^/#     /'
	tb_exec systemctl kill --signal=SIGKILL "argoweb@$1"
	return 1
}

# 1. Install; sysusers and tmpfiles; verify; security. ---------------------
stamp "1. Install; sysusers and tmpfiles; verify; security."
check "the fresh rootfs has no argoweb user" tb_no_user
if ! tb_install_argoweb "$ARGOWEB"; then
	not_ok "make install into the container ($TB_WHY)"
	done_testing
	exit 1
fi
ok "make install DESTDIR=... PREFIX=/usr, copied into the container"
tb_exec systemd-sysusers /usr/lib/sysusers.d/argoweb.conf >"$T/sysusers" 2>&1
has_user() { tb_exec id argoweb >/dev/null 2>&1; }
check "systemd-sysusers creates the argoweb system user" has_user
sed 's/^/#   /' "$T/sysusers"
AW_UID=$(tb_exec id -u argoweb)
AW_GID=$(tb_exec id -g argoweb)
check "argoweb is a system user (uid $AW_UID), home /var/lib/argoweb, no login shell" \
	sh -c '[ "$0" -lt 1000 ] && [ "$1" = "/var/lib/argoweb:/usr/sbin/nologin" ]' "$AW_UID" \
	"$(tb_exec getent passwd argoweb | cut -d: -f6,7)"
tb_exec systemd-tmpfiles --create /usr/lib/tmpfiles.d/argoweb.conf
check "systemd-tmpfiles --create makes /etc/argoweb 0750 root:argoweb" \
	[ "$(tb_exec stat -c '%a %U:%G' /etc/argoweb)" = "750 root:argoweb" ]
check "... and /var/lib/argoweb 0700 argoweb:argoweb" \
	[ "$(tb_exec stat -c '%a %U:%G' /var/lib/argoweb)" = "700 argoweb:argoweb" ]
tb_exec systemd-analyze verify --man=no argoweb@demo.service >"$T/verify" 2>&1
rc=$?
verify_clean() { [ "$rc" = 0 ] && [ ! -s "$T/verify" ]; }
check "systemd-analyze verify --man=no argoweb@demo.service: clean (exit $rc, $(wc -l <"$T/verify") lines)" verify_clean
sed 's/^/#   /' "$T/verify"
exposure() { sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'; }
e_in=$(tb_exec systemd-analyze security --offline=yes /lib/systemd/system/argoweb@.service 2>&1 | exposure)
check "systemd-analyze security --offline=yes in the container: exposure ${e_in:-?} <= 1.3" \
	awk -v e="$e_in" 'BEGIN { exit !(e != "" && e + 0 <= 1.3) }'
# verified NAME UNIT...: systemd-analyze verify has nothing to say of them.
verified() {
	n=$1
	shift
	tb_exec systemd-analyze verify --man=no "$@" >"$T/verify-$n" 2>&1
	rc=$?
	check "systemd-analyze verify --man=no $*: clean (exit $rc, $(wc -l <"$T/verify-$n") lines)" \
		sh -c '[ "$0" = 0 ] && [ ! -s "$1" ]' "$rc" "$T/verify-$n"
	sed 's/^/#   /' "$T/verify-$n"
}
# Active/standby: the generated argoweb-active@.service and its target.
verified active argoweb-active@demo.service argoweb-active.target
# (It names the unit as an instance: @i.service on 252, @test_instance.service on 257.)
sec() { tb_exec systemd-analyze security --offline=yes "/lib/systemd/system/$1" 2>&1 | sed "s/$1/UNIT/g; s/${1%%@*}@[a-z_]*\.service/UNIT/g"; }
e_act=$(sec argoweb-active@.service | exposure)
check "systemd-analyze security --offline=yes argoweb-active@.service: exposure ${e_act:-?}, as argoweb@.service's (${e_in:-?})" \
	sh -c '[ -n "$0" ] && [ "$0" = "$1" ]' "$e_act" "$e_in"
sec argoweb@.service >"$T/sec.plain"
sec argoweb-active@.service >"$T/sec.active"
check "... setting for setting the same sandbox ($(wc -l <"$T/sec.plain") lines of systemd-analyze security alike)" \
	cmp -s "$T/sec.plain" "$T/sec.active"
diff "$T/sec.plain" "$T/sec.active" | head -n 10 | sed 's/^/#   /'
tb_exec systemctl show -p Description,PartOf,Conflicts,After argoweb-active@demo.service >"$T/show-active" 2>&1
check "argoweb-active@demo: PartOf=argoweb-active.target, Conflicts= and After=argoweb@demo.service, its own Description=" \
	sh -c 'grep -qx "PartOf=argoweb-active.target" "$0" && grep -q "^Conflicts=\(.* \)\?argoweb@demo.service\( \|$\)" "$0" &&
		grep -q "^After=.*argoweb@demo.service" "$0" && grep -qx "Description=Cloudflare Tunnel demo, on the active node only (argoweb)" "$0"' "$T/show-active"
grep -v '^After=' "$T/show-active" | sed 's/^/#   /'
# The hand-over connector of argoweb restart: the same sandbox again.
verified ho argoweb-handover@demo.service
sec argoweb-handover@.service >"$T/sec.ho"
check "argoweb-handover@.service: setting for setting argoweb@.service's sandbox (exposure $(exposure <"$T/sec.ho"))" \
	cmp -s "$T/sec.plain" "$T/sec.ho"
diff "$T/sec.plain" "$T/sec.ho" | head -n 10 | sed 's/^/#   /'
tb_exec systemctl show -p ExecStart,RuntimeDirectory,Restart,UnitFileState argoweb-handover@demo.service >"$T/show-ho" 2>&1
check "argoweb-handover@demo: argoweb run --handover demo, its own runtime directory, never restarted, never enabled" \
	sh -c 'grep -q "argv\[\]=/usr/bin/argoweb run --handover demo" "$0" && grep -qx "RuntimeDirectory=argoweb/demo.handover" "$0" &&
		grep -qx "Restart=no" "$0" && grep -qx "UnitFileState=static" "$0"' "$T/show-ho"
sed 's/^/#   /' "$T/show-ho"
# One place for every connector: argoweb.slice holds all three units, and
# the egress example, as its drop-in, holds for them all.
verified slice argoweb.slice
tb_exec systemctl show -p Id,Slice argoweb@demo.service argoweb-handover@demo.service \
	argoweb-active@demo.service >"$T/slices" 2>&1
check "argoweb@demo, argoweb-handover@demo and argoweb-active@demo are all in argoweb.slice" \
	[ "$(grep -cx 'Slice=argoweb.slice' "$T/slices")" = 3 ]
grep '^Slice=' "$T/slices" | sed 's/^/#   /'
tb_exec sh -c 'install -D -m 0644 /usr/share/doc/argoweb/examples/egress.conf.example \
	/etc/systemd/system/argoweb.slice.d/egress.conf && systemctl daemon-reload'
tb_exec systemctl show -p IPAddressDeny,IPAddressAllow argoweb.slice >"$T/egress" 2>&1
check "examples/egress.conf.example as argoweb.slice.d/egress.conf: the slice denies any, allows loopback and the edge" \
	sh -c 'grep -q "^IPAddressDeny=.*0\.0\.0\.0/0" "$0" && grep -q "^IPAddressDeny=.*::/0" "$0" &&
		for a in 127.0.0.0/8 ::1/128 198.41.192.0/24 198.41.200.0/24 2606:4700:a0::/64 2606:4700:a8::/64; do
			grep -q "^IPAddressAllow=\(.* \)\?$a\( \|$\)" "$0" || exit 1; done' "$T/egress"
sed 's/^/#   /' "$T/egress"
# That the kernel then refuses a connector's packets is systemd's part:
# this test bed cannot show it (its private network has loopback only,
# which the list allows, and its cgroups take no BPF program).
skip "the egress rule, enforced by the kernel" "the test bed has no routable address outside loopback and no cgroup BPF"
tb_exec sh -c 'rm -r /etc/systemd/system/argoweb.slice.d && systemctl daemon-reload'
check "argoweb-active.target has no [Install] section: nothing can enable it" \
	sh -c '! grep -q "^\[Install\]" "$0" && [ "$1" = static ]' "$TOP/systemd/argoweb-active.target" \
	"$(tb_exec systemctl is-enabled argoweb-active.target 2>&1)"
if command -v systemd-analyze >/dev/null; then
	e_host=$(systemd-analyze security --offline=yes "$TOP/systemd/argoweb@.service" 2>&1 | exposure)
	check "systemd-analyze security --offline=yes on the host's systemd/argoweb@.service: ${e_host:-?} <= 1.3" \
		awk -v e="$e_host" 'BEGIN { exit !(e != "" && e + 0 <= 1.3) }'
else
	skip "systemd-analyze security on the host" "no systemd-analyze on the host"
fi

# The files the scenarios need. -------------------------------------
b64() { printf '%s' "$1" | base64 -w0; }
# Distinctive secrets (32 bytes each), to grep for everywhere afterwards.
S_DEMO=$(b64 "demo-NEVER-in-the-journal-7c1f29")
S_WD=$(b64 "wdog-NEVER-in-the-journal-22d0e1")
S_PERM=$(b64 "perm-NEVER-in-the-journal-0644ab")
S_LOOSE=$(b64 "loos-NEVER-in-the-journal-0644cd")
S_ENC=$(b64 "encr-NEVER-in-clear-on-disk-9b8a")
S_TOK=$(b64 "tokn-NEVER-in-ps-or-journal-5e3d")
S_TOKF=$(b64 "tokf-NEVER-in-ps-or-journal-6f4e")
json() { printf '{"AccountTag":"0123456789abcdef0123456789abcdef","TunnelSecret":"%s","TunnelID":"%s"}\n' "$1" "$TUNNEL_UUID"; }
token() { printf '{"a":"0123456789abcdef0123456789abcdef","t":"%s","s":"%s"}' "$TUNNEL_UUID" "$1" | base64 -w0; }
TOK=$(token "$S_TOK")
TOKF=$(token "$S_TOKF")
mkdir -p "$TB_SHARE/in"
json "$S_DEMO" >"$TB_SHARE/in/demo.json"
json "$S_WD" >"$TB_SHARE/in/wd.json"
json "$S_PERM" >"$TB_SHARE/in/perm.json"
json "$S_LOOSE" >"$TB_SHARE/in/loose.json"
json "$S_ENC" >"$TB_SHARE/in/enc.json"
echo "$TOK" >"$TB_SHARE/in/tok.token"
echo "$TOKF" >"$TB_SHARE/in/tokf.token"
cp "$FAKE" "$TB_SHARE/in/fake-cloudflared"
chmod -R go= "$TB_SHARE/in"
tb_sh >"$T/setup" 2>&1 <<'EOF'
set -eu
cd /etc/argoweb
# The fake cloudflared: /usr/bin/cloudflared for most, a second copy with
# its own control file for the watchdog scenario (the control file sits
# beside the binary). Records go to the StateDirectory, the one place
# besides the RuntimeDirectory the sandbox lets the service user write.
install -m 0755 /testbed/in/fake-cloudflared /usr/bin/cloudflared
install -d -m 0755 /usr/local/lib/argoweb-wd
install -m 0755 /testbed/in/fake-cloudflared /usr/local/lib/argoweb-wd/cloudflared
# One record directory per control file; record.PID tells instances apart.
printf 'record=/var/lib/argoweb/rec-main\nschedule=0@0 4@300\nprobe=1\n' >/usr/bin/fake-cloudflared.conf
printf 'record=/var/lib/argoweb/rec-wd\nschedule=0@0 4@1000 0@6000\n' >/usr/local/lib/argoweb-wd/fake-cloudflared.conf
for d in rec-main rec-wd; do install -d -o argoweb -g argoweb -m 0700 /var/lib/argoweb/$d; done
# Configs: readable by the service user (the unit runs argoweb as argoweb).
ex=/usr/share/doc/argoweb/examples/web.yaml
cfg() { # NAME METRICS-PORT CREDENTIALS-FILE(or empty) [EXTRA]
	if [ -n "$3" ]; then c="s#^credentials-file: .*#credentials-file: $3#"; else c='/^credentials-file:/d'; fi
	sed -e "$c" -e "s#^metrics: .*#metrics: 127.0.0.1:$2#" -e '/^health:/,$d' "$ex" >"$1.yaml"
	printf 'health: {interval: 1s, unhealthy-after: 4s}\n%s' "${4:-}" >>"$1.yaml"
	chown root:argoweb "$1.yaml"; chmod 0640 "$1.yaml"
}
cfg demo 20241 "/etc/argoweb/demo.json"
cfg wd 20244 "/etc/argoweb/wd.json" "cloudflared: /usr/local/lib/argoweb-wd/cloudflared
"
# 3: a service URL with a scheme cloudflared does not know
cfg bad 20245 "/etc/argoweb/demo.json"
sed -i 's#service: http://localhost:9000#service: htps://localhost:9000#' bad.yaml
# 4: a 0644 secret at a path of the admin's choosing, owned by the service user
cfg perm 20246 "/etc/argoweb/perm-tunnel.json"
#    and a 0644 secret at the conventional path (systemd copies it)
cfg loose 20247 "/etc/argoweb/loose.json"
# 5: a token tunnel with no credentials-file (the unit's LoadCredential=),
#    and one naming its token-file
printf 'metrics: 127.0.0.1:20248\nhealth: {interval: 1s, unhealthy-after: 4s}\n' >tok.yaml
printf 'token-file: /etc/argoweb/tokf.token\nmetrics: 127.0.0.1:20249\nhealth: {interval: 1s, unhealthy-after: 4s}\n' >tokf.yaml
#    neither .json nor .token: both SetCredential= fallbacks at once
printf 'metrics: 127.0.0.1:20250\n' >none.yaml
# 6: an encrypted credential, no credentials-file
cfg enc 20251 ""
chown root:argoweb tok.yaml tokf.yaml none.yaml; chmod 0640 tok.yaml tokf.yaml none.yaml
# Secrets: root's, 0600, except the two 0644 cases.
for f in demo.json wd.json loose.json tok.token tokf.token enc.json; do
	install -m 0600 /testbed/in/$f /etc/argoweb/$f
done
install -m 0644 -o argoweb -g argoweb /testbed/in/perm.json /etc/argoweb/perm-tunnel.json
chmod 0644 /etc/argoweb/loose.json
# Something private in /home, to look for from inside the sandbox.
install -d -m 0755 /home/alice && echo private >/home/alice/notes
EOF
rc=$?
check "scenario files written in the container" [ "$rc" = 0 ]
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/setup"

# 8 (started first: it takes longest): 4 connections from 1 s, 0 from 6 s.
start wd
check "argoweb@wd (watchdog scenario) started" tb_h is_active wd
WD_PID0=$(tb_h prop wd MainPID)

# 2. The tunnel runs: active, StatusText, processes, identity, sandbox. -----
stamp "2. The tunnel runs"
start demo
rc=$?
check "systemctl start argoweb@demo succeeds (exit $rc)" [ "$rc" = 0 ]
check "argoweb@demo is active (running)" tb_h is_active demo
tb_h waitfor 5 is_connected demo 4
check "StatusText is \"Connected: 4 edge connections\" (is \"$(tb_h prop demo StatusText)\")" tb_h is_connected demo 4
# The unit loads argoweb.json from demo.json and argoweb.token from the
# missing demo.token: SetCredential=argoweb.token:absent must cover that.
no_cred_error() {
	! tb_exec journalctl -b -u "argoweb@$1" --no-pager -o cat | grep -Eq "243/CREDENTIALS|[Cc]redential.*(No such file|failed)"
}
check "systemd $SD_VERSION tolerates the missing demo.token (SetCredential= fallback: no 243/CREDENTIALS)" no_cred_error demo
# The checks below need the tunnel running: without it, one failure says so.
MAIN=0 MON=
sandbox_checks() {
	MAIN=$(tb_h prop demo MainPID)
	tb_h procs argoweb@demo.service >"$T/procs"
	sed 's/^/#   process: /' "$T/procs"
	MON=$(awk '$2 == "argoweb-monitor" { print $1 }' "$T/procs")
	check "the unit's processes: cloudflared as MainPID ($MAIN) and argoweb-monitor ($MON), nothing else" \
		sh -c '[ "$(wc -l <"$0")" = 2 ] && grep -qx "$1 cloudflared" "$0" && [ -n "$2" ]' "$T/procs" "$MAIN" "$MON"
	tb_exec argoweb status demo >"$T/st" 2>&1
	check "argoweb status demo inside: connected" grep -qx "demo: connected, 4 edge connections" "$T/st"
	tb_h record main >"$T/rec" 2>/dev/null
	recf() { sed -n '/^--- status/,/^--- fds/p' "$T/rec" | sed -n "s/^$1:[[:space:]]*//p" | tr -s ' \t' ' ' | sed 's/ $//'; }
	check "the fake recorded the MainPID's run" grep -qx "pid=$MAIN" "$T/rec"
	check "cloudflared runs as argoweb (record Uid: $(recf Uid))" [ "$(recf Uid)" = "$AW_UID $AW_UID $AW_UID $AW_UID" ]
	check "... with group argoweb and no other (Gid: $(recf Gid), Groups: $(recf Groups))" \
		[ "$(recf Gid)/$(recf Groups)" = "$AW_GID $AW_GID $AW_GID $AW_GID/$AW_GID" ]
	for c in CapInh CapPrm CapEff CapBnd CapAmb; do
		check "cloudflared's $c is empty (record)" [ "$(recf $c)" = 0000000000000000 ]
	done
	check "cloudflared has NoNewPrivs: 1 (record)" [ "$(recf NoNewPrivs)" = 1 ]
	check "cloudflared runs under a seccomp filter, Seccomp: 2 (record; $(recf Seccomp_filters) filters)" [ "$(recf Seccomp)" = 2 ]
	check "cloudflared cannot write under /usr: EROFS (record: $(sed -n 's/^probe_usr_write=//p' "$T/rec"))" \
		grep -qx "probe_usr_write=EROFS" "$T/rec"
	check "cloudflared sees no /home (record: $(sed -n 's/^probe_home_entries=//p' "$T/rec"))" \
		grep -qx "probe_home_entries=\(ENOENT\|EACCES\|0\)" "$T/rec"
	check "cloudflared's argv is the rendered config only" \
		sh -c '[ "$(grep "^argv\[" "$0" | cut -d= -f2- | tr "\n" " ")" = "/usr/bin/cloudflared --no-autoupdate tunnel --config /run/argoweb/demo/config.yml run " ]' "$T/rec"
	envnames=$(sed -n 's/^env:\([^=]*\)=.*/\1/p' "$T/rec" | sort | tr '\n' ' ')
	check "cloudflared's environment is the allow-list ($envnames)" \
		sh -c 'for n in $0; do case $n in PATH|HOME|NOTIFY_SOCKET|LANG|TZ|JOURNAL_STREAM|TUNNEL_CRED_CONTENTS|TUNNEL_MANAGEMENT_DIAGNOSTICS) ;; *) exit 1;; esac; done
			echo " $0 " | grep -q " TUNNEL_CRED_CONTENTS "' "$envnames"
	check "TUNNEL_CRED_CONTENTS is demo.json's content (what systemd handed over)" \
		tb_exec grep -q "^env:TUNNEL_CRED_CONTENTS=.*$S_DEMO" /var/lib/argoweb/rec-main/record.$MAIN
	check "cloudflared holds descriptors 0-2 only" \
		sh -c '[ "$(sed -n "/^--- fds/,/^--- config/p" "$0" | grep -c "^fd ")" = 3 ]' "$T/rec"
	check "the rendered config holds no secret and no credential path" \
		sh -c '! sed -n "/^--- config/,\$p" "$0" | grep -q -e "$1" -e credentials -e "demo.json"' "$T/rec" "$S_DEMO"
	check "the rendered config is argoweb's, 0600" \
		[ "$(tb_exec stat -c '%a %U' /run/argoweb/demo/config.yml)" = "600 argoweb" ]
	# From outside, through /proc, for cloudflared and the monitor.
	for p in "$MAIN cloudflared" "$MON argoweb-monitor"; do
		set -- $p
		check "$2: Uid argoweb in /proc" [ "$(tb_h field "$1" Uid)" = "$AW_UID $AW_UID $AW_UID $AW_UID" ]
		caps=$(for c in CapInh CapPrm CapEff CapBnd CapAmb; do tb_h field "$1" $c; done | sort -u | tr '\n' ' ')
		check "$2: every capability set empty in /proc ($caps)" [ "$caps" = "0000000000000000 " ]
		check "$2: NoNewPrivs 1, Seccomp 2 in /proc" [ "$(tb_h field "$1" NoNewPrivs)/$(tb_h field "$1" Seccomp)" = 1/2 ]
	done
	check "the monitor holds no secret in its environment" \
		tb_exec sh -c '! tr "\0" "\n" </proc/$1/environ | grep -q "^TUNNEL_"' _ "$MON"
	check "the monitor's parent is not cloudflared (double fork)" [ "$(tb_h field "$MON" PPid)" != "$MAIN" ]
	# PrivateUsers=: a user namespace mapping root and argoweb only.
	check "PrivateUsers: cloudflared's user namespace maps root and argoweb only" \
		[ "$(tb_exec cat /proc/$MAIN/uid_map | awk '{ print $1 "-" $3 }' | sort | tr '\n' ' ')" = "0-1 $AW_UID-1 " ]
	mnt_is() { # path want-regex: the options/root of that mount in cloudflared's namespace
		m=$(tb_h mnt "$MAIN" "$1")
		echo "$m" | grep -Eq "$2" || { echo "#   $1: $m"; return 1; }
	}
	check "ProtectSystem=strict: /usr is read-only for cloudflared" mnt_is /usr/bin/cloudflared '^ro,'
	check "ProtectSystem=strict: /etc is read-only" mnt_is /etc/passwd '^ro,'
	check "ProtectSystem=strict: /var is read-only" mnt_is /var/cache '^ro,'
	check "StateDirectory= /var/lib/argoweb is writable" mnt_is /var/lib/argoweb/rec-main '^rw,'
	check "RuntimeDirectory= /run/argoweb/demo is writable" mnt_is /run/argoweb/demo/config.yml '^rw,'
	home_hidden() { mnt_is /home/alice 'inaccessible' && mnt_is /root 'inaccessible'; }
	check "ProtectHome=yes: /home and /root are the inaccessible node" home_hidden
	check "PrivateTmp=yes: /tmp is the unit's own" mnt_is /tmp/x 'systemd-private-.*argoweb@demo.service'
	check "ProtectProc=invisible, ProcSubset=pid: /proc is hidepid=invisible,subset=pid" \
		tb_exec grep -Eq ' /proc .*hidepid=invisible,subset=pid' /proc/$MAIN/mountinfo
	check "in cloudflared's mount namespace /usr cannot be written, even by root" \
		tb_exec sh -c '! nsenter -t "$1" -m touch /usr/.argoweb-probe 2>/dev/null && [ ! -e /usr/.argoweb-probe ]' _ "$MAIN"
	check "in cloudflared's mount namespace /home/alice is not there" \
		tb_exec sh -c '! nsenter -t "$1" -m ls /home/alice >/dev/null 2>&1' _ "$MAIN"
	m=$(tb_h mnt "$MAIN" /etc/argoweb/demo.yaml)
	case $m in rw,*) echo "# note: /etc/argoweb is mounted read-write in the service's namespace ($m): ConfigurationDirectory= adds it to the writable paths; the 0750 root:argoweb mode is what keeps argoweb out";; esac
}
if tb_h is_active demo; then
	sandbox_checks
else
	not_ok "argoweb@demo is not running: the process, identity and sandbox checks cannot run"
fi

# 3. A config error: 78/CONFIG once, FILE:LINE in the journal. ------------
stamp "3. A config error"
BADLINE=$(tb_exec grep -n 'htps://' /etc/argoweb/bad.yaml | cut -d: -f1)
startq bad
check "systemctl start argoweb@bad fails" [ "$?" != 0 ]
tb_exec systemctl status --no-pager argoweb@bad >"$T/bad.status" 2>&1
check "systemctl status shows status=78/CONFIG" grep -q "status=78/CONFIG" "$T/bad.status"
grep -E "Active:|status=" "$T/bad.status" | sed 's/^/#   /'
tb_exec journalctl -b -u argoweb@bad --no-pager -o cat >"$T/bad.journal" 2>&1
check "the journal has the error at /etc/argoweb/bad.yaml:$BADLINE:COL" \
	grep -Eq "argoweb: /etc/argoweb/bad.yaml:$BADLINE:[0-9]+: .*htps" "$T/bad.journal"
grep "bad.yaml" "$T/bad.journal" | sed 's/^/#   /'
BAD_AT=$(date +%s)

# 3b. A grace period the unit's stop timeout cannot hold: a stop would be
# killed mid-drain and fail; argoweb check says so, with the fix.
stamp "3b. A grace period the stop timeout cannot hold"
tb_sh >"$T/slow" 2>&1 <<'EOF'
cd /etc/argoweb
sed -e 's/20241/20253/' -e 's/^grace-period: .*/grace-period: 3m/' demo.yaml >slow.yaml
chown root:argoweb slow.yaml && chmod 0640 slow.yaml
mkdir -p /etc/systemd/system/argoweb@slow.service.d
printf '[Service]\nTimeoutStopSec=1min 30s\n' >/etc/systemd/system/argoweb@slow.service.d/stop.conf
systemctl daemon-reload
argoweb check slow; echo "exit $?"
rm -r /etc/systemd/system/argoweb@slow.service.d && systemctl daemon-reload
argoweb check slow; echo "exit $?"
EOF
check "argoweb check: grace-period 3m against TimeoutStopSec=1min 30s: refused (78), with the drop-in that fixes it" \
	grep -q "slow.yaml:[0-9]*:[0-9]*: grace-period: 180s of draining do not fit argoweb@slow.service's TimeoutStopSec= (90s): .*TimeoutStopSec=190s" "$T/slow"
check "... exit 78 then; with the shipped unit's 200s: ok (exit 0)" \
	sh -c '[ "$(grep "^exit" "$0" | tr "\n" " ")" = "exit 78 exit 0 " ]' "$T/slow"
sed 's/^/#   /' "$T/slow"

# 4. A 0644 credential: 77/NOPERM once, the secret nowhere. ---------------
stamp "4. A 0644 credential"
startq perm
check "systemctl start argoweb@perm (0644 credentials-file) fails" [ "$?" != 0 ]
tb_exec systemctl status --no-pager argoweb@perm >"$T/perm.status" 2>&1
check "systemctl status shows status=77/NOPERM" grep -q "status=77/NOPERM" "$T/perm.status"
tb_exec journalctl -b -u argoweb@perm --no-pager -o cat >"$T/perm.journal" 2>&1
check "the journal says the mode is too open" grep -q "perm-tunnel.json: mode 0644 is too open" "$T/perm.journal"
grep "perm-tunnel" "$T/perm.journal" | sed 's/^/#   /'
# The conventional path goes through LoadCredential=: systemd hands over a
# 0400 copy, so argoweb looks at the source's mode itself.
startq loose
check "a 0644 /etc/argoweb/loose.json (via LoadCredential=) fails too" [ "$?" != 0 ]
tb_exec systemctl status --no-pager argoweb@loose >"$T/loose.status" 2>&1
check "... with status=77/NOPERM" grep -q "status=77/NOPERM" "$T/loose.status"
tb_exec journalctl -b -u argoweb@loose --no-pager -o cat >"$T/loose.journal" 2>&1
check "... and the journal names the file and the fix" \
	grep -q "/etc/argoweb/loose.json: mode 0644, owner uid 0: .*chmod 600 /etc/argoweb/loose.json" "$T/loose.journal"
stop loose
# The config itself is read by argoweb as the service user: one readable by
# root only (as systemd/argoweb.tmpfiles' comment suggests) cannot work.
tb_exec sh -c 'cp -p /etc/argoweb/demo.yaml /etc/argoweb/private.yaml && sed -i s/20241/20252/ /etc/argoweb/private.yaml &&
	chown root:root /etc/argoweb/private.yaml && chmod 0600 /etc/argoweb/private.yaml'
startq private
echo "# note: a 0600 root:root /etc/argoweb/private.yaml leaves argoweb@private $(tb_h prop private ActiveState), exit status $(tb_h prop private ExecMainStatus): $(tb_exec journalctl -b -u argoweb@private --no-pager -o cat | grep '^argoweb:' | head -n 1)"

# 5. A token tunnel: the token in no show, ps or unit file. --------------
stamp "5. A token tunnel"
start tok
check "argoweb@tok (token via LoadCredential=, no tok.json: SetCredential= fallback) is active" tb_h is_active tok
check "argoweb@tok is connected" tb_h waitfor 5 is_connected tok 4
check "systemd $SD_VERSION tolerates the missing tok.json (no 243/CREDENTIALS)" no_cred_error tok
start tokf
check "argoweb@tokf (token-file: /etc/argoweb/tokf.token) is active" tb_h is_active tokf
# The copy's shape is systemd's: 252 makes it 0400 and the service user's;
# 254 and later 0440 root:root with an ACL naming the service user
# (systemd #29096, #29435), which argoweb accepts there alone (sdcred.c).
if [ "$SD_VERSION" -ge 254 ]; then copy="440 root root"; else copy="400 argoweb root"; fi
check "argoweb@tok's credentials: argoweb.json is the fallback \"absent\", argoweb.token systemd $SD_VERSION's copy ($copy)" \
	tb_exec sh -c 'd=/run/credentials/argoweb@tok.service; [ "$(cat $d/argoweb.json)" = absent ] &&
		[ "$(stat -c "%a %U %G" $d/argoweb.token)" = "$1" ]' _ "$copy"
tb_exec systemctl show argoweb@tok argoweb@tokf >"$T/tok.show" 2>&1
tb_exec systemctl status --no-pager argoweb@tok argoweb@tokf >>"$T/tok.show" 2>&1
tb_exec systemctl cat argoweb@tok argoweb@tokf >>"$T/tok.show" 2>&1
tb_exec ps auxww >"$T/tok.ps" 2>&1
tb_exec sh -c 'cat /proc/[0-9]*/cmdline | tr "\0" " "' >>"$T/tok.ps" 2>&1
tb_exec setpriv --reuid=nobody --regid=nogroup --clear-groups ps auxwwe >"$T/tok.ps-nobody" 2>&1
tb_exec sh -c 'grep -rsF -e "$1" -e "$2" /lib/systemd/system /etc/systemd /run/systemd/system /run/systemd/transient /run/systemd/generator* /run/argoweb' _ \
	"$(echo "$TOK" | cut -c1-40)" "$(echo "$TOKF" | cut -c1-40)" >"$T/tok.files" 2>&1
nosecret() { # file: none of the token forms
	! grep -qF -e "$(echo "$TOK" | cut -c1-40)" -e "$(echo "$TOKF" | cut -c1-40)" -e "$S_TOK" -e "$S_TOKF" \
		-e "tokn-NEVER" -e "tokf-NEVER" "$1"
}
check "the token is not in systemctl show / status / cat ($(wc -l <"$T/tok.show") lines)" nosecret "$T/tok.show"
check "the token is not in ps auxww or any /proc/*/cmdline" nosecret "$T/tok.ps"
check "another user's ps auxwwe (environments) does not show it" nosecret "$T/tok.ps-nobody"
check "the token is in no unit file, drop-in or rendered config" [ ! -s "$T/tok.files" ]
check "cloudflared got it as TUNNEL_TOKEN" \
	tb_exec grep -qxF "env:TUNNEL_TOKEN=$TOK" "/var/lib/argoweb/rec-main/record.$(tb_h prop tok MainPID)"
startq none
check "argoweb@none (no .json, no .token: both fallbacks) fails with 78/CONFIG, not 243/CREDENTIALS" \
	[ "$(tb_h prop none ExecMainStatus)" = 78 ]
# Control: the same token tunnel with the fallbacks reset by a drop-in.
tb_sh <<'EOF'
sed s/20248/20253/ /etc/argoweb/tok.yaml >/etc/argoweb/nofb.yaml
chown root:argoweb /etc/argoweb/nofb.yaml; chmod 0640 /etc/argoweb/nofb.yaml
install -m 0600 /etc/argoweb/tok.token /etc/argoweb/nofb.token
mkdir -p /run/systemd/system/argoweb@nofb.service.d
printf '[Service]\nSetCredential=\n' >/run/systemd/system/argoweb@nofb.service.d/no-fallback.conf
systemctl daemon-reload
EOF
startq nofb
check "control: with SetCredential= reset, the missing nofb.json fails the unit with 243/CREDENTIALS" \
	[ "$(tb_h prop nofb ExecMainStatus)" = 243 ]
stop nofb
none_says() { tb_exec journalctl -b -u argoweb@none --no-pager -o cat | grep -q "no credential"; }
check "... saying there is no credential" none_says

# 6. LoadCredentialEncrypted= through the shipped drop-in example. --------
stamp "6. LoadCredentialEncrypted= through the shipped drop-in example."
tb_sh >"$T/enc" 2>&1 <<'EOF'
set -e
systemd-creds setup
systemd-creds encrypt --name=argoweb /etc/argoweb/enc.json /etc/argoweb/enc.cred
shred -u /etc/argoweb/enc.json
mkdir -p /etc/systemd/system/argoweb@enc.service.d
cp /usr/share/doc/argoweb/examples/credential-encrypted.conf.example \
   /etc/systemd/system/argoweb@enc.service.d/credential.conf
systemctl daemon-reload
EOF
rc=$?
check "systemd-creds setup + encrypt --name=argoweb, drop-in from the shipped example" [ "$rc" = 0 ]
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/enc"
check "enc.cred does not hold the secret in clear" \
	tb_exec sh -c '! grep -qF -e "$1" -e "encr-NEVER" /etc/argoweb/enc.cred' _ "$S_ENC"
start enc
enc_up() { tb_h is_active enc && tb_h waitfor 5 is_connected enc 4; }
check "argoweb@enc (LoadCredentialEncrypted=argoweb:...) is active and connected" enc_up
check "cloudflared got the decrypted credential" \
	tb_exec grep -q "^env:TUNNEL_CRED_CONTENTS=.*$S_ENC" "/var/lib/argoweb/rec-main/record.$(tb_h prop enc MainPID)"

# 7. Stop: within the grace period, nothing left. ------------------------
stamp "7. Stop"
stop demo
check "systemctl stop argoweb@demo returns within the grace period (${STOP_MS} ms < 30 s)" [ "$STOP_MS" -lt 30000 ]
check "argoweb@demo stopped cleanly (inactive, Result=success)" \
	[ "$(tb_h prop demo ActiveState)/$(tb_h prop demo Result)" = inactive/success ]
tb_h procs argoweb@demo.service >"$T/left-demo"
check "nothing left in argoweb@demo's cgroup" [ ! -s "$T/left-demo" ]
sed 's/^/#   left: /' "$T/left-demo"
[ "$MAIN" = 0 ] || check "cloudflared ($MAIN) and the monitor ($MON) are gone" \
	tb_exec sh -c '! kill -0 "$1" 2>/dev/null && ! kill -0 "$2" 2>/dev/null' _ "$MAIN" "${MON:-$MAIN}"

# 8. The watchdog. -------------------------------------------------------
stamp "8. The watchdog."
tb_h waitfor 40 sh -c '[ "$(systemctl show -p NRestarts --value argoweb@wd)" -ge 1 ]'
NR=$(tb_h prop wd NRestarts)
tb_exec journalctl -b -u argoweb@wd --no-pager -o short-monotonic >"$T/wd.journal" 2>&1
wd_restarted() { [ "${NR:-0}" -ge 1 ] && grep -q "Failed with result 'watchdog'" "$T/wd.journal"; }
check "the watchdog restarted argoweb@wd after the connections dropped (NRestarts=$NR)" wd_restarted
check "the journal says why: the monitor's \"No edge connection ...\"" grep -q "No edge connection for" "$T/wd.journal"
check "... and systemd's watchdog result" grep -q "Failed with result 'watchdog'" "$T/wd.journal"
grep -E "atchdog|No edge|Scheduled restart|Started" "$T/wd.journal" | sed 's/^/#   /'
wd_back() { tb_h waitfor 10 is_active wd && [ "$(tb_h prop wd MainPID)" != "$WD_PID0" ]; }
check "argoweb@wd is back up with a new MainPID" wd_back

# 3/4 once more: still failed, never restarted (RestartSec=5s has passed).
while [ $(($(date +%s) - BAD_AT)) -lt 7 ]; do sleep 1; done
check "argoweb@bad failed once: NRestarts=0, still failed after RestartSec" \
	[ "$(tb_h prop bad NRestarts)/$(tb_h prop bad ActiveState)" = 0/failed ]
check "argoweb@perm failed once: NRestarts=0, still failed after RestartSec" \
	[ "$(tb_h prop perm NRestarts)/$(tb_h prop perm ActiveState)" = 0/failed ]

# 9. A group PrivateUsers= hides: inside the unit's user namespace every
# supplementary group but its own reads as the overflow gid (65534), yet
# keeps its access. argoweb cannot check such a group: refused, with the
# fix; once the user is out of it, the same unit starts.
stamp "9. A group PrivateUsers= hides"
tb_sh >"$T/grp" 2>&1 <<'EOF2'
set -eu
cd /etc/argoweb
sed -e 's/127.0.0.1:20241/127.0.0.1:20253/' -e 's#/etc/argoweb/demo.json#/etc/argoweb/grp.json#' demo.yaml >grp.yaml
chown root:argoweb grp.yaml; chmod 0640 grp.yaml
install -m 0600 demo.json grp.json
usermod -a -G disk argoweb
EOF2
check "argoweb added to group disk" [ "$?" = 0 ]
startq grp
check "argoweb@grp, its user in group disk, does not start" [ "$?" != 0 ]
tb_exec journalctl -b -u argoweb@grp --no-pager -o cat >"$T/grp.journal" 2>&1
check "... status=77/NOPERM" [ "$(tb_h prop grp ExecMainStatus)" = 77 ]
check "... the journal names the hidden group and the fix" grep -q \
	"the service user has a group this user namespace does not map (gid 65534; PrivateUsers=): .* gpasswd -d argoweb GROUP" \
	"$T/grp.journal"
grep '^argoweb:' "$T/grp.journal" | head -n 1 | sed 's/^/#   /'
tb_exec gpasswd -d argoweb disk >/dev/null
tb_exec systemctl reset-failed argoweb@grp
start grp
check "once argoweb is out of group disk, argoweb@grp starts" tb_h is_active grp
stop grp

# Everything stopped; no secret anywhere in the journal. -----------------
stamp "Everything stopped; no secret anywhere in the journal."
tb_exec timeout 35 systemctl stop 'argoweb@*.service'
for u in $(tb_exec systemctl list-units --plain --no-legend --state=active,activating,deactivating 'argoweb@*' | awk '{ print $1 }'); do
	u=${u#argoweb@}
	stop "${u%.service}"
done
tb_exec sh -c 'ps -e -o pid=,comm= | grep -E " (cloudflared|argoweb|argoweb-monitor)$"' >"$T/left"
check "after systemctl stop argoweb@*: no cloudflared, argoweb or argoweb-monitor left" [ ! -s "$T/left" ]
sed 's/^/#   left: /' "$T/left"
tb_exec journalctl --sync
# Every form of every secret: base64 as in the files, the decoded text, the
# tokens themselves. Searched in the exported journal and in its raw files
# (short fields are stored uncompressed); "mode 0644 is too open" shows the
# raw search does find what is there.
for s in "$S_DEMO" "$S_WD" "$S_PERM" "$S_LOOSE" "$S_ENC" "$S_TOK" "$S_TOKF" "$TOK" "$TOKF"; do
	echo "$s"
	echo "$s" | cut -c1-24
	printf '%s' "$s" | base64 -d 2>/dev/null | tr -cd 'A-Za-z0-9-' | cut -c1-24
	echo
done | grep . | sort -u >"$TB_SHARE/patterns"
tb_exec sh -c 'journalctl -b --no-pager -o export | grep -aoF -f /testbed/patterns
	grep -rlaF -f /testbed/patterns /var/log/journal /run/log/journal' >"$T/found" 2>&1
check "no secret of any scenario (the 0644 one included) is in the journal, exported or raw" [ ! -s "$T/found" ]
sed 's/^/#   found: /' "$T/found"
check "(the raw journal search finds what is there)" \
	tb_exec grep -rqaF "mode 0644 is too open" /var/log/journal /run/log/journal
echo "# timings: rootfs $((t1 - t0)) s, boot $((t2 - t1)) s, scenarios $(($(date +%s) - t2)) s"
done_testing
