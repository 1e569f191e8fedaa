# bench/monitor.sh: section 5 of bench/run.sh (sourced by it; uses its OUT,
# BIN, BUSER, IS_ROOT, CRED, UUID, FIXED_PATH, BHOME, FAKE_SRC, CC, TOP,
# gen and BGPIDS). The health monitor against tests/fake-cloudflared:
#
#  - latency: each run is one `argoweb run` with NOTIFY_SOCKET on a
#    tests/notify-recorder -u socket (CLOCK_MONOTONIC, microseconds) and
#    WATCHDOG_USEC as the shipped unit's WatchdogSec=30s sets it, and a
#    fake whose /ready says 0 connections, then 4 from T1, then 0 from T2.
#    The config's cloudflared: is bench/exec-stamp, which reports the time
#    of its exec on the same socket and then execs the fake, whose schedule
#    counts from its own start; so /ready turned 200 at EXEC + T1 and lost
#    its last connection at EXEC + T2 on the recorder's clock. T1 and T2
#    are spread evenly over the polling period (the monitor polls at fixed
#    times from its start), so the median is that of a tunnel connecting
#    at a random moment. All runs go in parallel.
#  - resources: one more instance at interval 1s stays connected; its
#    monitor's on-CPU time (/proc/PID/schedstat, ns) and utime+stime
#    (/proc/PID/stat, ticks) over BENCH_MON_WINDOW seconds, and its RSS;
#    the RSS of a monitor started from the 10 000-rule config; syscalls per
#    poll with strace -c on another instance (root only: the monitor is
#    not dumpable).
#
# Knobs: BENCH_MON_RUNS1 (9 runs at interval 1s), BENCH_MON_RUNS5 (5 at
# 5s), BENCH_MON_WINDOW (25 s), BENCH_MON_STRACE (10 s; 0: no strace).

R1=${BENCH_MON_RUNS1:-9}
R5=${BENCH_MON_RUNS5:-5}
MW=${BENCH_MON_WINDOW:-25}
MST=${BENCH_MON_STRACE:-10}
WD_USEC=30000000
MON=$OUT/mon
rm -rf "${MON:?}"
mkdir -m 0755 "$MON"
if ! $CC -O2 -static -o "$MON/exec-stamp" "$TOP/bench/exec-stamp.c" 2>/dev/null; then
	$CC -O2 -o "$MON/exec-stamp" "$TOP/bench/exec-stamp.c"
fi
case ${#MON} in
	[0-9] | [0-7][0-9]) ;;
	*) echo "## 5. Health monitor: skipped (BENCH_DIR too long for a unix socket path)"; exit 0 ;;
esac

# Something listens on this TCP port (IPv4 or IPv6)?
port_busy() {
	awk -v h="$(printf ':%04X' "$1")" 'FNR > 1 && substr($2, length($2) - 4) == h && $4 == "0A" { f = 1 }
		END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
NEXTPORT=$((20300 + $$ % 900 * 10))
MAINS=''

# inst NAME INTERVAL-S UNHEALTHY-S SCHEDULE LIFETIME-MS [RULES]: a recorder
# and `argoweb run` in the background, in $MON/NAME.
inst() {
	name=$1 iv=$2 un=$3 sched=$4 life=$5 rules=${6:-}
	d=$MON/$name
	mkdir -m 0755 "$d"
	mkdir -m 0700 "$d/run"
	[ "$IS_ROOT" = 0 ] || chown "$BUSER" "$d/run"
	cp "$MON/exec-stamp" "$d/cloudflared"
	cp "$FAKE_SRC" "$d/fake-cloudflared"
	printf 'schedule=%s\nlifetime=%s\n' "$sched" "$life" >"$d/fake-cloudflared.conf"
	while port_busy "$NEXTPORT"; do NEXTPORT=$((NEXTPORT + 1)); done
	extra="metrics: 127.0.0.1:$NEXTPORT\nhealth: {interval: ${iv}s, unhealthy-after: ${un}s}"
	NEXTPORT=$((NEXTPORT + 1))
	if [ -n "$rules" ]; then
		gen "$rules" "$d/cfg.yaml" "$d/cloudflared" "$extra"
	else
		printf 'tunnel: %s\ncredentials-file: %s\ningress: [{service: "http_status:404"}]\nuser: %s\ncloudflared: %s\n'"$extra"'\n' \
			"$UUID" "$CRED" "$BUSER" "$d/cloudflared" >"$d/cfg.yaml"
		chmod 0644 "$d/cfg.yaml"
	fi
	# cloudflared gets no NOTIFY_SOCKET (the monitor speaks for the tunnel):
	# exec-stamp finds the recorder's socket beside itself.
	printf '%s' "$d/notify.sock" >"$d/notify.path"
	"$OUT/notify-clock" -u "$d/notify.sock" "$d/notify.log" $((life / 1000 + 15)) &
	echo $! >"$d/rec.pid"
	BGPIDS="$BGPIDS $!"
	k=0
	while [ ! -S "$d/notify.sock" ] && [ $k -lt 200 ]; do sleep 0.01; k=$((k + 1)); done
	env -i PATH="$FIXED_PATH" HOME="$BHOME" RUNTIME_DIRECTORY="$d/run" NOTIFY_SOCKET="$d/notify.sock" \
		WATCHDOG_USEC=$WD_USEC "$BIN" run "$d/cfg.yaml" >"$d/out" 2>"$d/err" </dev/null &
	echo $! >"$d/main.pid"
	MAINS="$MAINS $!"
	BGPIDS="$BGPIDS $!"
}

# The monitor's PID: the first sender that is not the main PID (the one
# that sent BENCH_EXEC_US).
monpid() {
	awk 'NR == FNR { if (index($4, "BENCH_EXEC_US=") == 1) m = $2; next }
		m != "" && $2 != m { sub(/^pid=/, "", $2); print $2; exit }' "$1/notify.log" "$1/notify.log"
}
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null || echo 0; }
ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }
pings() { grep -c "pid=$2 .* WATCHDOG=1\$" "$1/notify.log" || true; }
kib() { # pid field -> KiB from /proc/PID/status
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}
pss() { awk '$1 == "Pss:" { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || true; }
now_ms() { date +%s%N | awk '{ printf "%.0f", $1 / 1e6 }'; }

# Latency runs: T1 in the first polling period, T2 in the third, both at
# evenly spread phases (T2's in the opposite order).
plan() { # interval-s unhealthy-s runs prefix
	r=0
	while [ "$r" -lt "$3" ]; do
		t1=$(echo "$1 $r $3" | awk '{ printf "%d", $1 * 1000 * ($2 + 0.5) / $3 }')
		t2=$(echo "$1 $r $3" | awk '{ printf "%d", $1 * 1000 * (2 + ($3 - 1 - $2 + 0.5) / $3) }')
		life=$((t2 + $2 * 1000 + 2 * $1 * 1000 + 1500))
		inst "$4$r" "$1" "$2" "0@0 4@$t1 0@$t2" "$life"
		echo "$4$r $1 $2 $t1 $t2" >>"$MON/plan"
		r=$((r + 1))
	done
}
: >"$MON/plan"
HAVE_STRACE=
NRES=1
if [ "$IS_ROOT" = 1 ] && [ "$MST" != 0 ] && command -v strace >/dev/null 2>&1; then
	HAVE_STRACE=1
	NRES=$((NRES + 1))
	inst strace 1 3 "4@0" $(((3 + MST + 3) * 1000))
fi
inst cpu 1 3 "4@0" $(((3 + MW + 2) * 1000))
if [ "${BENCH_MON_BIG:-1}" != 0 ]; then
	inst big 5 60 "4@0" $(((3 + MW + 2) * 1000)) 10000
	NRES=$((NRES + 1))
fi
plan 1 3 "$R1" i1-
plan 5 10 "$R5" i5-
T_START=$(now_ms)

sleep 3
CPUMON=$(monpid "$MON/cpu")
BIGMON=
[ ! -d "$MON/big" ] || BIGMON=$(monpid "$MON/big")
[ -n "$CPUMON" ] || { echo "bench: no monitor in $MON/cpu:" >&2; cat "$MON/cpu/err" "$MON/cpu/notify.log" >&2; exit 1; }
if [ -n "$HAVE_STRACE" ]; then
	STMON=$(monpid "$MON/strace")
	timeout -s INT "$MST" strace -c -o "$MON/strace.txt" -p "$STMON" 2>"$MON/strace.err" &
	STPID=$!
fi
c0=$(cpu_ns "$CPUMON") k0=$(ticks "$CPUMON") p0=$(pings "$MON/cpu" "$CPUMON") w0=$(now_ms)
sleep "$MW"
c1=$(cpu_ns "$CPUMON") k1=$(ticks "$CPUMON") p1=$(pings "$MON/cpu" "$CPUMON") w1=$(now_ms)
RSS_CPU="$(kib "$CPUMON" VmRSS) $(kib "$CPUMON" VmHWM) $(kib "$CPUMON" RssAnon) $(kib "$CPUMON" RssFile) $(pss "$CPUMON")"
RSS_BIG=
[ -z "$BIGMON" ] || RSS_BIG="$(kib "$BIGMON" VmRSS) $(kib "$BIGMON" VmHWM) $(kib "$BIGMON" RssAnon) $(kib "$BIGMON" RssFile) $(pss "$BIGMON")"
if [ -n "$HAVE_STRACE" ]; then
	wait "$STPID" || true
fi
for p in $MAINS; do wait "$p" || true; done
T_END=$(now_ms)
for d in "$MON"/*/; do
	[ -f "$d/rec.pid" ] || continue
	kill "$(cat "$d/rec.pid")" 2>/dev/null || true
	wait "$(cat "$d/rec.pid")" 2>/dev/null || true
done
BGPIDS=''   # all of them reaped: nothing left to end

# One run's figures: ready-latency reaction trigger-latency trigger-vs-last-ok (ms).
analyze() { # dir t1 t2 unhealthy-s
	awk -v T1="$2" -v T2="$3" -v U="$(($4 * 1000))" '
		NR == FNR { if (index($4, "BENCH_EXEC_US=") == 1) { m = $2; ex = substr($4, 15) + 0 } next }
		$2 == m { next }
		{ t = $1 }
		$4 == "WATCHDOG=1" && NF == 4 { if (!rd) lp = t; if (ex && t <= ex + T2 * 1000) lok = t }
		/READY=1/ && !rd { rd = t; rp = lp }
		/WATCHDOG=trigger/ && !tg { tg = t }
		END {
			if (!ex || !rd || !tg || !rp || !lok) { print "missing"; exit }
			printf "%.1f %.1f %.1f %.1f\n", (rd - ex) / 1000 - T1, (rd - rp) / 1000,
				(tg - ex) / 1000 - T2 - U, (tg - lok) / 1000 - U
		}' "$1/notify.log" "$1/notify.log"
}
# median min max of column C of stdin
mstat() {
	awk -v c="$1" '{ v[++n] = $c } END {
		if (!n) { print "— — —"; exit }
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
		printf "%.1f %.1f %.1f\n", n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2, v[1], v[n] }'
}

echo "## 5. Health monitor"
echo
echo "\`argoweb run\` with NOTIFY_SOCKET (tests/notify-recorder -u) and WATCHDOG_USEC=$WD_USEC; the target"
echo "is tests/fake-cloudflared behind bench/exec-stamp; $((R1 + R5)) runs and $NRES resource instances in"
echo "parallel, $(((T_END - T_START + 500) / 1000)) s in all; the monitor as $BUSER at normal priority. Per run:"
echo "/ready turns 200 at T1 and its connections drop to 0 at T2, at phases spread evenly over"
echo "the polling period. Latency to READY=1 = its arrival - (exec + T1); reaction = its arrival -"
echo "the start of the poll that saw 200 (the WATCHDOG=1 sent first); trigger = arrival of"
echo "WATCHDOG=trigger - (exec + T2 + unhealthy-after); negative: earlier, since unhealthy-after"
echo "counts from the last poll that saw a connection, up to one interval before the drop."
echo
echo "| health | runs | /ready 200 -> READY=1 ms: median [min, max] | monitor's reaction ms: median [max] | drop + unhealthy-after -> WATCHDOG=trigger ms: median [min, max] | trigger - (last poll seeing a connection + unhealthy-after) ms: median [min, max] | target: both at most one interval late |"
echo "|---|---:|---:|---:|---:|---:|---|"
for iv in 1 5; do
	: >"$MON/res-$iv"
	bad=0
	while read -r name i un t1 t2; do
		[ "$i" = "$iv" ] || continue
		a=$(analyze "$MON/$name" "$t1" "$t2" "$un")
		if [ "$a" = missing ]; then
			bad=$((bad + 1))
			echo "bench: run $name lacks an event; its log:" >&2
			sed 's/^/  /' "$MON/$name/notify.log" "$MON/$name/err" >&2
		else
			echo "$a" >>"$MON/res-$iv"
		fi
		UN=$un
	done <"$MON/plan"
	n=$(wc -l <"$MON/res-$iv")
	[ "$n" -gt 0 ] || continue
	read -r rmed rmin rmax <<EOS
$(mstat 1 <"$MON/res-$iv")
EOS
	read -r xmed _ xmax <<EOS
$(mstat 2 <"$MON/res-$iv")
EOS
	read -r tmed tmin tmax <<EOS
$(mstat 3 <"$MON/res-$iv")
EOS
	read -r lmed lmin lmax <<EOS
$(mstat 4 <"$MON/res-$iv")
EOS
	met=$(echo "$rmax $tmax $iv" | awk '{ print ($1 <= $3 * 1000 && $2 <= $3 * 1000) ? "met" : "**missed**" }')
	printf '| interval %ss, unhealthy-after %ss | %s%s | %s [%s, %s] | %s [%s] | %s [%s, %s] | %s [%s, %s] | %s |\n' \
		"$iv" "$UN" "$n" "$([ "$bad" = 0 ] || echo " ($bad failed)")" "$rmed" "$rmin" "$rmax" "$xmed" "$xmax" \
		"$tmed" "$tmin" "$tmax" "$lmed" "$lmin" "$lmax" "$met"
done
echo
echo "Per run (ms: ready latency, reaction, trigger latency, trigger vs last poll seeing a connection):"
echo
for iv in 1 5; do
	[ -s "$MON/res-$iv" ] && echo "- ${iv}s: $(awk '{ printf "%s%s/%s/%s/%s", s, $1, $2, $3, $4; s = "; " }' "$MON/res-$iv")"
done
echo
echo "Resources of the monitor (KiB; /proc/PID/status, Pss from smaps_rollup):"
echo
echo "| monitor started from | VmRSS | VmHWM | RssAnon | RssFile | Pss | target: RSS under 1 MiB |"
echo "|---|---:|---:|---:|---:|---:|---|"
rssrow() { # label "rss hwm anon file pss" [no-verdict]
	v=${3:-}
	# shellcheck disable=SC2086
	set -- "$1" $2
	if [ -n "$v" ]; then
		v="—"
	elif [ "${2:-9999}" -lt 1024 ]; then
		v=met
	else
		v="**missed** ($(echo "$2" | awk '{ printf "%.1f MiB", $1 / 1024 }'))"
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" "${6:-—}" "$v"
}
rssrow "a 1-rule config (interval 1s)" "$RSS_CPU"
[ -z "$RSS_BIG" ] || rssrow "the 10000-rule config (interval 5s)" "$RSS_BIG"
# For scale: the smallest dynamically linked process at hand.
SLEEP=$(command -v sleep)
"$SLEEP" 30 &
SLPID=$!
sleep 0.3
rssrow "for scale: $SLEEP 30 (coreutils, not argoweb)" \
	"$(kib $SLPID VmRSS) $(kib $SLPID VmHWM) $(kib $SLPID RssAnon) $(kib $SLPID RssFile) $(pss $SLPID)" -
kill "$SLPID" 2>/dev/null || true
wait "$SLPID" 2>/dev/null || true
echo
dc=$((c1 - c0)) dp=$((p1 - p0)) dw=$((w1 - w0))
echo "CPU at interval 1s, connected, over ${dw} ms (measured, not extrapolated from a shorter"
echo "poll): $dp polls, $(echo "$dc" | awk '{ printf "%.2f", $1 / 1e6 }') ms on CPU (schedstat), utime+stime $((k1 - k0)) ticks of 10 ms;"
echo "$(echo "$dc $dp" | awk '{ printf "%.0f", $2 ? $1 / $2 / 1e3 : 0 }') µs per poll; per hour of polling (scaled from the window):"
echo "$(echo "$dc $dw" | awk '{ printf "%.0f ms at interval 1s (%.4f%% of one CPU), %.0f ms at 5s", $1 / $2 * 3600 / 1e3, $1 / $2 / 1e4, $1 / $2 * 720 / 1e3 }')."
echo
if [ -n "$HAVE_STRACE" ] && [ -s "$MON/strace.txt" ]; then
	# Each poll makes exactly one TCP connect(); sd_notify sends without one.
	sp=$(awk '$NF == "connect" { print $4 }' "$MON/strace.txt")
	echo "Syscalls per poll (strace -c -p on another instance at interval 1s, connected, ${MST} s;"
	echo "${sp:-0} polls = connect() calls):"
	echo
	awk -v n="${sp:-0}" '$NF == "total" { printf "%.1f in all: ", n ? $4 / n : 0 }' "$MON/strace.txt"
	awk -v n="${sp:-0}" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { printf "%s%s %.1f", s, $NF, n ? $4 / n : 0; s = ", " }
		END { print "." }' "$MON/strace.txt"
	echo
elif [ "$IS_ROOT" = 0 ]; then
	echo "Syscalls per poll: not measured (strace cannot attach to the non-dumpable monitor unless root)."
	echo
fi
