#!/bin/sh
# bench/real.sh BINARY: section 6, argoweb with the REAL cloudflared
# ($REAL_CLOUDFLARED) against cf-edge ($CF_EDGE), an emulator of Cloudflare's
# tunnel edge, on loopback only. As root. Prints Markdown tables.
#
#  A. (in a network namespace of its own, nothing but loopback) for QUIC
#     and HTTP/2, BENCH_REAL_RUNS (7) runs each of `argoweb run` as root,
#     dropping to nobody, with health {interval: 1s, unhealthy-after: 5s}:
#     start -> the monitor's READY=1, start -> STATUS "Connected: 4 edge
#     connections", edge lost (cf-edge /drop) -> WATCHDOG=trigger; then
#     the RSS and CPU of cloudflared and of the monitor while connected
#     (BENCH_REAL_WINDOW, 30 s, at the default interval of 5s).
#  B. (in a booted Debian 12, tests/testbed) outages of the edge of 5, 30
#     and 60 s (BENCH_OUTAGES), BENCH_OUTAGE_RUNS (3) times each: from
#     the edge's return (/restore) to the tunnel's first live connection
#     again, for cloudflared alone (a plain `cloudflared tunnel run`, its
#     own back-off) and for argoweb@.service (watchdog + Restart=) with the
#     default health (unhealthy-after 60s) and with unhealthy-after 15s.
#     The three run side by side, each with an edge of its own, dropped
#     and restored at the same moments.
#  C. (network namespace) BENCH_DIAG_RUNS (3) runs of each fault of
#     cf-edge's: from the fault to the monitor's first STATUS= naming it.
# Knobs: BENCH_REAL_RUNS, BENCH_REAL_WINDOW, BENCH_OUTAGES,
# BENCH_OUTAGE_RUNS, BENCH_DIAG_RUNS, BENCH_REAL_A=0 / _B=0 / _C=0 skip a part.
set -u
BIN=${1:?usage: bench/real.sh /abs/path/to/argoweb}
TOP=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_REAL_RUNS:-7}
WINDOW=${BENCH_REAL_WINDOW:-30}
OUTAGES=${BENCH_OUTAGES:-5 30 60}
ORUNS=${BENCH_OUTAGE_RUNS:-3}
DRUNS=${BENCH_DIAG_RUNS:-3}
RECORDER=$TOP/build/tests/notify-recorder
ORIGIN=$TOP/build/tests/origin

say() { echo "$*"; }
note() { echo "bench/real: $*" >&2; }
if [ "$(id -u)" != 0 ] || [ -z "${REAL_CLOUDFLARED:-}" ] || [ -z "${CF_EDGE:-}" ]; then
	say "## 6. The real connector: skipped (needs root, REAL_CLOUDFLARED and CF_EDGE)"
	exit 0
fi
[ -x "$RECORDER" ] && [ -x "$ORIGIN" ] || { note "build the helpers first: make -s fake"; exit 1; }

# median of the numbers on stdin ("-" when none), nearest-lower for even n.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }
span() { sort -n | awk 'NR == 1 { a = $1 } { b = $1 } END { if (NR) printf "%s-%s", a, b; else print "-" }'; }
now_ms() { date +%s%3N; }
waitfor() { # SECONDS CMD...: poll every 0.1 s
	n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}

# ---- A: in a network namespace ---------------------------------------------
# The namespace's edge (4 addresses), origin and helpers, for parts A and C.
ns_setup() {
	D=$(mktemp -d /run/argoweb-bench-real.XXXXXX)
	chmod 0755 "$D"
	trap 'pkill -P $$ 2>/dev/null; rm -rf "$D"' EXIT
	ip link set lo up
	"$CF_EDGE" -gencerts "$D/certs" >/dev/null 2>&1
	mkdir -p "$D/etc" "$D/bin" "$D/run"
	chmod 0755 "$D/etc" "$D/bin"
	install -m 0644 "$D/certs/ca.pem" "$D/etc/ca.pem"
	install -m 0755 "$REAL_CLOUDFLARED" "$D/bin/cloudflared"
	printf '{"AccountTag":"0123456789abcdef0123456789abcdef","TunnelSecret":"%s","TunnelID":"6ff42ae2-765d-4adf-8112-31c55c1551ef"}\n' \
		"$(head -c 32 /dev/urandom | base64 -w0)" >"$D/etc/cred.json"
	chmod 0600 "$D/etc/cred.json"
	chown nobody "$D/run"
	"$CF_EDGE" -cert "$D/certs/edge.pem" -key "$D/certs/edge.key" -listen 127.0.0.1:7844 \
		-listen 127.0.0.2:7844 -listen 127.0.0.3:7844 -listen 127.0.0.4:7844 \
		-control 127.0.0.1:9999 2>/dev/null &
	"$ORIGIN" 127.0.0.20 8080 app 3600 >/dev/null 2>&1 &
	waitfor 10 curl -sf -o /dev/null http://127.0.0.1:9999/healthz
	ctl() { curl -s -m 10 -X POST "http://127.0.0.1:9999/$1" >/dev/null; }
	cfg() { # PROTO INTERVAL UNHEALTHY [EDGE] -> $D/etc/bench.yaml; EDGE "none": no edge: key
		printf 'tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef\ncredentials-file: %s\nprotocol: %s\n' "$D/etc/cred.json" "$1"
		e=${4:-127.0.0.1:7844, 127.0.0.2:7844, 127.0.0.3:7844, 127.0.0.4:7844}
		[ "$e" = none ] || printf 'edge: [%s]\n' "$e"
		printf 'cacert: %s\n' "$D/etc/ca.pem"
		printf 'metrics: 127.0.0.9:20241\ngrace-period: 1s\nhealth: {interval: %s, unhealthy-after: %s}\n' "$2" "$3"
		printf 'user: nobody\ncloudflared: %s\ningress:\n  - service: http://127.0.0.20:8080\n' "$D/bin/cloudflared"
	}
	start() { # -> MAIN, LOG, T0
		LOG=$D/notify.log
		: >"$LOG"
		"$RECORDER" -w "$D/notify.sock" "$LOG" 600 &
		REC=$!
		sleep 0.2
		T0=$(now_ms)
		env NOTIFY_SOCKET="$D/notify.sock" RUNTIME_DIRECTORY="$D/run" WATCHDOG_USEC=30000000 \
			"$BIN" run "$D/etc/bench.yaml" >/dev/null 2>"$D/cf.err" </dev/null &
		MAIN=$!
	}
	stop() { kill -TERM "$MAIN" 2>/dev/null; wait "$MAIN" 2>/dev/null; kill "$REC" 2>/dev/null; wait "$REC" 2>/dev/null; }
	first() { awk -v p="$1" 'index($0, p) { print $1; exit }' "$LOG"; }
	has() { grep -q "$1" "$LOG"; }
}

part_a() {
	ns_setup
	say "#### A. Start, readiness and the watchdog (network namespace, loopback)"
	say ""
	say "$RUNS runs per protocol; \`argoweb run\` as root dropping to nobody, 4 edge addresses,"
	say "health \`{interval: 1s, unhealthy-after: 5s}\`; medians (min-max), milliseconds."
	say ""
	say "| protocol | start -> READY=1 | start -> 4 connections | edge lost -> WATCHDOG=trigger | of which beyond unhealthy-after |"
	say "|---|---|---|---|---|"
	for P in quic http2; do
		cfg "$P" 1s 5s >"$D/etc/bench.yaml"
		: >"$D/ready" ; : >"$D/four"; : >"$D/trig"
		i=0
		while [ $i -lt "$RUNS" ]; do
			start
			if waitfor 30 has "STATUS=Connected: 4 edge connections"; then
				r=$(first "READY=1") f=$(first "STATUS=Connected: 4 edge")
				echo $((r - T0)) >>"$D/ready"
				echo $((f - T0)) >>"$D/four"
				# The drop at a different phase of the poll grid in
				# each run: the median is that of a random moment.
				sleep "$(awk -v i=$i -v n="$RUNS" 'BEGIN { printf "%.3f", 1 + (i + 0.5) / n }')"
				td=$(now_ms)
				ctl drop
				if waitfor 20 has "WATCHDOG=trigger"; then
					echo $(($(first "WATCHDOG=trigger") - td)) >>"$D/trig"
				fi
			else
				note "run $i ($P): no 4 connections in 30 s"
			fi
			stop
			ctl restore
			i=$((i + 1))
		done
		say "| $P | $(median <"$D/ready") ($(span <"$D/ready")) | $(median <"$D/four") ($(span <"$D/four")) | $(median <"$D/trig") ($(span <"$D/trig")) | $(awk '{ print $1 - 5000 }' "$D/trig" | median) |"
	done
	say ""
	say "#### A'. Resources while connected (HTTP/2, 4 connections, health interval 5s, ${WINDOW} s window)"
	say ""
	cfg http2 5s 60s >"$D/etc/bench.yaml"
	start
	waitfor 30 has "STATUS=Connected: 4 edge connections"
	sleep 5
	MON=$(grep -v " pid=$MAIN " "$LOG" | head -n1 | sed 's/.* pid=\([0-9]*\) .*/\1/')
	ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
	rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
	hz=$(getconf CLK_TCK)
	c0=$(ticks "$MAIN") m0=$(ticks "$MON")
	sleep "$WINDOW"
	c1=$(ticks "$MAIN") m1=$(ticks "$MON")
	say "| process | RSS | CPU over ${WINDOW} s | CPU per hour |"
	say "|---|---|---|---|"
	for row in "cloudflared 2023.7.3:$MAIN:$c0:$c1" "argoweb monitor:$MON:$m0:$m1"; do
		IFS=: read -r name pid a b <<-EOF
		$row
		EOF
		say "| $name | $(rss "$pid") KiB | $(((b - a) * 1000 / hz)) ms | $(((b - a) * 3600 / WINDOW / hz)) s |"
	done
	stop
}

# ---- B: outages under a booted systemd ---------------------------------------
part_b() {
	. "$TOP/tests/testbed/testbed.sh"
	trap 'tb_shutdown' EXIT
	tb_available && tb_rootfs && tb_boot || { say "#### B. Outages: skipped ($TB_WHY)"; return 0; }
	tb_install_argoweb "$BIN" || { say "#### B. Outages: skipped ($TB_WHY)"; return 0; }
	tb_copy_in "$REAL_CLOUDFLARED" /usr/bin/cloudflared 0755
	tb_copy_in "$CF_EDGE" /usr/local/bin/cf-edge 0755
	tb_copy_in "$ORIGIN" /usr/local/bin/origin 0755
	tb_sh >"$TB_DIR/setup.log" 2>&1 <<'EOF'
set -eu
systemd-sysusers /usr/lib/sysusers.d/argoweb.conf
systemd-tmpfiles --create /usr/lib/tmpfiles.d/argoweb.conf
cf-edge -gencerts /etc/cf-edge
install -m 0644 /etc/cf-edge/ca.pem /etc/argoweb/ca.pem
systemd-run -q --unit=origin /usr/local/bin/origin 127.0.0.20 8080 app 36000
n=0
for arm in alone dflt fast; do
	n=$((n + 1))
	systemd-run -q --unit="edge-$arm" /usr/local/bin/cf-edge -cert /etc/cf-edge/edge.pem \
		-key /etc/cf-edge/edge.key -listen 127.0.$n.1:7844 -listen 127.0.$n.2:7844 \
		-listen 127.0.$n.3:7844 -listen 127.0.$n.4:7844 -control 127.0.$n.1:9999
	u=6ff42ae2-765d-4adf-8112-31c55c15510$n
	printf '{"AccountTag":"0123456789abcdef0123456789abcdef","TunnelSecret":"%s","TunnelID":"%s"}\n' \
		"$(head -c 32 /dev/urandom | base64 -w0)" "$u" >/etc/argoweb/$arm.json
	chmod 0600 /etc/argoweb/$arm.json
	{
		printf 'tunnel: %s\ncredentials-file: /etc/argoweb/%s.json\nprotocol: http2\n' "$u" "$arm"
		printf 'edge: [127.0.%s.1:7844, 127.0.%s.2:7844, 127.0.%s.3:7844, 127.0.%s.4:7844]\n' $n $n $n $n
		printf 'cacert: /etc/argoweb/ca.pem\nmetrics: 127.0.%s.9:20241\ngrace-period: 1s\n' $n
		printf 'ingress:\n  - service: http://127.0.0.20:8080\n'
		[ "$arm" = fast ] && printf 'health: {interval: 1s, unhealthy-after: 15s}\n'
	} >/etc/argoweb/$arm.yaml
	chown root:argoweb /etc/argoweb/$arm.yaml
	chmod 0640 /etc/argoweb/$arm.yaml
done
# cloudflared alone: the same tunnel config, as cloudflared reads it, and
# its credentials file.
{ argoweb render /etc/argoweb/alone.yaml; echo "credentials-file: /etc/argoweb/alone.json"; } \
	>/etc/argoweb/alone.cloudflared.yml
EOF
	if [ $? != 0 ]; then
		say "#### B. Outages: setup failed"
		sed 's/^/    /' "$TB_DIR/setup.log"
		return 0
	fi
	live() { # ARM-NUMBER -> live connections at that edge
		nsenter -t "$TB_PID1" -n curl -s -m 5 "http://127.0.$1.1:9999/connections?live=1" | grep -c '"registered": true'
	}
	ctl() { nsenter -t "$TB_PID1" -n curl -s -m 10 -X POST "http://127.0.$1.1:9999/$2" >/dev/null; }
	all_up() { [ "$(live 1)" -ge 4 ] && [ "$(live 2)" -ge 4 ] && [ "$(live 3)" -ge 4 ]; }
	say ""
	say "#### B. Recovery after an outage of the edge (booted Debian 12, systemd 252, HTTP/2)"
	say ""
	say "From the edge's return to the tunnel's first live connection again, seconds; median (min-max) of $ORUNS runs."
	say "cloudflared alone: \`cloudflared tunnel run\` (default retries 5). argoweb@: the shipped unit"
	say "(WatchdogSec=30s, Restart=on-failure, RestartSec=5s) with the default health (interval 5s,"
	say "unhealthy-after 60s) and with \`health: {interval: 1s, unhealthy-after: 15s}\`."
	say ""
	say "| outage | cloudflared alone | argoweb@ (unhealthy-after 60s) | argoweb@ (unhealthy-after 15s) | restarts, outage and recovery (60s / 15s) |"
	say "|---|---|---|---|---|"
	for out in $OUTAGES; do
		: >"$TB_DIR/r1"; : >"$TB_DIR/r2"; : >"$TB_DIR/r3"; : >"$TB_DIR/n2"; : >"$TB_DIR/n3"
		i=0
		while [ $i -lt "$ORUNS" ]; do
			tb_exec systemd-run -q --unit=cf-alone /usr/bin/cloudflared --no-autoupdate tunnel \
				--config /etc/argoweb/alone.cloudflared.yml run
			tb_exec systemctl start argoweb@dflt argoweb@fast
			waitfor 30 all_up
			sleep 3
			r2a=$(tb_exec systemctl show -p NRestarts --value argoweb@dflt)
			r3a=$(tb_exec systemctl show -p NRestarts --value argoweb@fast)
			for a in 1 2 3; do ctl $a drop; done
			sleep "$out"
			for a in 1 2 3; do ctl $a restore; done
			back=$(now_ms)
			done1= done2= done3=
			w=0
			while [ $w -lt 1800 ]; do
				all=1
				for a in 1 2 3; do
					eval "d=\$done$a"
					[ -n "$d" ] && continue
					if [ "$(live $a)" -ge 1 ]; then eval "done$a=$(($(now_ms) - back))"; else all=0; fi
				done
				[ "$all" = 1 ] && break
				sleep 0.1
				w=$((w + 1))
			done
			for a in 1 2 3; do
				eval "d=\$done$a"
				[ -n "$d" ] && awk -v m="$d" 'BEGIN { printf "%.1f\n", m / 1000 }' >>"$TB_DIR/r$a"
			done
			echo $(($(tb_exec systemctl show -p NRestarts --value argoweb@dflt) - r2a)) >>"$TB_DIR/n2"
			echo $(($(tb_exec systemctl show -p NRestarts --value argoweb@fast) - r3a)) >>"$TB_DIR/n3"
			tb_exec systemctl stop cf-alone argoweb@dflt argoweb@fast
			tb_exec systemctl reset-failed cf-alone 2>/dev/null
			i=$((i + 1))
		done
		say "| ${out} s | $(median <"$TB_DIR/r1") ($(span <"$TB_DIR/r1")) | $(median <"$TB_DIR/r2") ($(span <"$TB_DIR/r2")) | $(median <"$TB_DIR/r3") ($(span <"$TB_DIR/r3")) | $(median <"$TB_DIR/n2") / $(median <"$TB_DIR/n3") |"
	done
}

# ---- C: how soon each diagnosis appears ----------------------------------------
part_c() {
	ns_setup
	mon() { awk -v m="$MAIN" '$2 != "pid=" m' "$LOG"; }
	firstmon() { mon | awk -v p="$1" 'index($0, p) { print $1; exit }'; }
	seen() { [ -n "$(firstmon "$1")" ]; }
	say "#### C. How soon the monitor says why (network namespace, loopback)"
	say ""
	say "$DRUNS runs each; health \`{interval: 1s, unhealthy-after: 60s}\`; from the fault to the first"
	say "\`STATUS=\` that names it; medians (min-max), milliseconds. The stall is named after 15 s of"
	say "silence by design; a refusal ends the tunnel at unhealthy-after (not timed here)."
	say ""
	say "| fault | protocol | from | STATUS names it |"
	say "|---|---|---|---|"
	row() { # FAULT PROTO FROM PATTERN SETUP...: one row
		f=$1 p=$2 from=$3 pat=$4
		: >"$D/t"
		i=0
		while [ $i -lt "$DRUNS" ]; do
			case $f in
			refused) ctl 'reject?reason=auth'; cfg "$p" 1s 60s >"$D/etc/bench.yaml";;
			stall) ctl stall; cfg "$p" 1s 60s >"$D/etc/bench.yaml";;
			dns) cfg "$p" 1s 60s none >"$D/etc/bench.yaml";;
			degraded) cfg "$p" 1s 60s "127.0.0.1:7844, 127.0.0.2:7844, 127.0.0.3:7844, 127.0.0.5:7844" >"$D/etc/bench.yaml";;
			*) cfg "$p" 1s 60s >"$D/etc/bench.yaml";;
			esac
			start
			t=$T0
			case $f in
			unreachable) waitfor 30 seen "STATUS=Connected: 4 edge connections"; sleep 1; t=$(now_ms); ctl drop;;
			degraded) waitfor 30 seen "STATUS=Connected: "; t=$(firstmon "STATUS=Connected: ");;
			esac
			waitfor 40 seen "$pat" && echo $(($(firstmon "$pat") - t)) >>"$D/t"
			stop
			ctl restore
			i=$((i + 1))
		done
		say "| $f | $p | $from | $(median <"$D/t") ($(span <"$D/t")) |"
	}
	row refused http2 start "Cloudflare refuses the tunnel's credentials"
	row refused quic start "Cloudflare refuses the tunnel's credentials"
	row unreachable http2 "edge lost (/drop)" "edge unreachable: "
	row unreachable quic "edge lost (/drop)" "edge unreachable over QUIC"
	row unreachable quic "edge lost (/drop), first reason" "Not connected for"
	row dns http2 "start (no edge:)" "DNS not answering"
	row stall http2 start "registration stalled"
	row degraded quic "first connection" "Degraded: 3 of 4"
}

case ${1:-} in
--part-a) BIN=$2; part_a; exit ;;
--part-c) BIN=$2; part_c; exit ;;
esac
say "## 6. The real connector against cf-edge"
say ""
say "$("$REAL_CLOUDFLARED" --version 2>&1 | head -n1); $(uname -r); $(nproc) CPUs."
say ""
if [ "${BENCH_REAL_A:-1}" != 0 ]; then
	unshare --net -- sh "$0" --part-a "$BIN"
fi
if [ "${BENCH_REAL_C:-1}" != 0 ]; then
	unshare --net -- sh "$0" --part-c "$BIN"
fi
if [ "${BENCH_REAL_B:-1}" != 0 ]; then
	part_b
fi
