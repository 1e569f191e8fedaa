#!/bin/sh
# bench/run.sh BINARY: argoweb's start overhead, its config-size scaling and
# its health monitor. `make bench` runs it on build/argoweb. Needs only cc
# and libc (the helpers bench/spawn.c, exec-stamp.c and tests/notify-recorder.c are
# built here) and, for section 5, tests/fake-cloudflared (taken from
# build/tests when `make fake` built it, else compiled here against
# libyaml); no hyperfine. Prints Markdown tables.
#
#  1. start overhead: `argoweb run CONFIG` (which execs the target) against
#     exec'ing the same target directly, same argv and environment, as the
#     same user, interleaved, BENCH_RUNS (300) runs per arm, for a
#     quick-tunnel config and a credentials-file config.
#  2. `check --config-only` and `render` for 10 .. 100 000 ingress rules.
#  3. peak RSS of `check --config-only` on the 100 000-rule config.
#  4. callgrind instruction counts for 10 000 rules (when valgrind is there).
#  5. the health monitor: /ready turning 200 -> READY=1, losing the last
#     connection -> WATCHDOG=trigger, for health.interval 1s and 5s; the
#     monitor's RSS, CPU per hour and syscalls per poll (BENCH_MONITOR=0
#     skips it).
#  6. the real connector against cf-edge (bench/real.sh; as root, with
#     REAL_CLOUDFLARED and CF_EDGE set; BENCH_REAL=0 skips it); 7. the
#     diagnoses are its part C.
#  8. a restart under load (bench/handover.sh; as root, with REAL_CLOUDFLARED
#     and CF_EDGE set; BENCH_HANDOVER=0 skips it).
#  9. a dashboard-managed tunnel: failed requests at each start, restart,
#     upgrade and reboot (bench/remote.sh; likewise; BENCH_REMOTE=0 skips it).
# 10. more than one machine: replicas and keepalived's failover, the
#     seconds until the BACKUP serves and the failed requests (bench/failover.sh;
#     likewise; BENCH_FAILOVER=0 skips it).
#
# Who runs what: started as root, `argoweb run` is started as root with
# `user: BENCH_USER` (default nobody) in its config and drops privileges
# itself, as it does when an operator starts it by hand; the direct arm is
# switched to BENCH_USER by spawn between fork and execve, so the target
# runs as the same user in both arms. One extra row starts argoweb as
# BENCH_USER (what the shipped unit's User= does). Sections 2 and 4 run as
# BENCH_USER. Started as anyone else, everything runs as that user with
# `user:` that user. As root the timed runs also get a higher priority (see
# BENCH_NICE, BENCH_RT below). Scratch files go to BENCH_DIR (default
# build/bench beside this tree), not /tmp: the credential and binary checks
# refuse group- or world-writable parents.
set -eu

BIN=${1:?usage: bench/run.sh /abs/path/to/argoweb}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
[ -x "$BIN" ] || { echo "bench: $BIN is not executable" >&2; exit 1; }
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_DIR:-$TOP/build/bench}
RUNS=${BENCH_RUNS:-300}
SIZES=${BENCH_SIZES:-10 1000 10000 100000}
SCALE_RUNS=${BENCH_SCALE_RUNS:-11}      # per size up to 10 000 rules
BIG_RUNS=${BENCH_BIG_RUNS:-5}           # per size above 10 000 rules
CC=${CC:-cc}

# spawn arm prefixes: AS_SVC runs a child as the service user, AS_ME as the
# invoking user (root: argoweb then drops privileges itself).
AS_ME='~'
if [ "$(id -u)" = 0 ]; then
	IS_ROOT=1
	BUSER=${BENCH_USER:-nobody}
	ASUSER="-u $BUSER"
	AS_SVC="~$BUSER"
	# How `argoweb run` starts in section 1, and how that reads in the table.
	M0=drop
else
	IS_ROOT=0
	BUSER=$(id -un)
	ASUSER=
	AS_SVC='~'
	M0=user
fi
id "$BUSER" >/dev/null 2>&1 || { echo "bench: no user $BUSER (set BENCH_USER)" >&2; exit 1; }
BHOME=$(getent passwd "$BUSER" 2>/dev/null | cut -d: -f6)
BHOME=${BHOME:-/}
FIXED_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- scratch tree: owned by us (or root), not group/other-writable ----------
mkdir -p "$OUT"
rm -rf "${OUT:?}/bin" "${OUT:?}/fake" "${OUT:?}/etc" "${OUT:?}/cfg" "${OUT:?}/run" "${OUT:?}/mon" "${OUT:?}/libs" \
	"${OUT:?}/spawn" "${OUT:?}/notify-clock" "${OUT:?}/sink.sock" "${OUT:?}/stderr.log" \
	"${OUT:?}/verify.out" "${OUT:?}/rss.txt" "${OUT:?}/cg.log"
chmod 0755 "$TOP/build" "$OUT" 2>/dev/null || true
mkdir -m 0755 "$OUT/bin" "$OUT/etc" "$OUT/cfg"
mkdir -m 0700 "$OUT/run"
ERR=$OUT/stderr.log
: >"$ERR"

$CC -O2 -Wall -Wextra -o "$OUT/spawn" "$TOP/bench/spawn.c"
$CC -O2 -Wall -Wextra -o "$OUT/notify-clock" "$TOP/tests/notify-recorder.c"
if ! $CC -O2 -static -o "$OUT/bin/cloudflared" "$TOP/bench/true.c" 2>/dev/null; then
	$CC -O2 -o "$OUT/bin/cloudflared" "$TOP/bench/true.c"
	TARGET_KIND="trivial C program (dynamic: no static libc here)"
else
	TARGET_KIND="trivial static C program"
fi
TARGET=$OUT/bin/cloudflared
# The stand-in cloudflared: `make fake`'s, else our own build of it.
FAKE_SRC=$(dirname "$BIN")/tests/fake-cloudflared
if [ ! -x "$FAKE_SRC" ]; then
	FAKE_SRC=$OUT/bin/fake-cloudflared
	# shellcheck disable=SC2046
	$CC -O2 -o "$FAKE_SRC" "$TOP/tests/fake-cloudflared.c" \
		$(pkg-config --cflags --libs yaml-0.1 2>/dev/null || echo -lyaml) 2>/dev/null || FAKE_SRC=
fi
if [ -n "$FAKE_SRC" ]; then
	mkdir -m 0755 "$OUT/fake"
	cp "$FAKE_SRC" "$OUT/fake/cloudflared"
	echo exit=1 >"$OUT/fake/fake-cloudflared.conf"
fi

UUID=6ff42ae2-765d-4adf-8112-31c55c1551ef
CRED=$OUT/etc/bench.json
# A well-formed, made-up credential (not a real secret).
printf '{"AccountTag":"0123456789abcdef0123456789abcdef","TunnelSecret":"%s","TunnelID":"%s"}\n' \
	c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI= "$UUID" >"$CRED"
chmod 0600 "$CRED"
if [ "$IS_ROOT" = 1 ]; then
	chown "$BUSER" "$CRED" "$OUT/run"
fi

# quick.yaml / cred.yaml with the given cloudflared
write_small_configs() { # target suffix
	printf 'quick: http://localhost:8080\nuser: %s\ncloudflared: %s\n' \
		"$BUSER" "$1" >"$OUT/etc/quick$2.yaml"
	cat >"$OUT/etc/cred$2.yaml" <<EOC
tunnel: $UUID
credentials-file: $CRED
ingress:
  - hostname: www.example.com
    service: http://localhost:8080
  - service: http_status:404
user: $BUSER
cloudflared: $1
EOC
}
write_small_configs "$TARGET" ""
[ -z "$FAKE_SRC" ] || write_small_configs "$OUT/fake/cloudflared" "-fake"

# gen N FILE [CLOUDFLARED [EXTRA]]: N ingress rules, the last a catch-all;
# every 10th has a path and an originRequest. EXTRA: more top-level lines.
gen() {
	awk -v n="$1" -v uuid="$UUID" -v cred="$CRED" -v user="$BUSER" -v cf="${3:-$TARGET}" \
		-v extra="${4:-}" 'BEGIN {
		printf "tunnel: %s\ncredentials-file: %s\nuser: %s\ncloudflared: %s\n", uuid, cred, user, cf
		if (extra != "")
			printf "%s\n", extra
		printf "ingress:\n"
		for (i = 1; i < n; i++) {
			printf "  - hostname: h%06d.example.com\n", i
			if (i % 10 == 0)
				printf "    path: ^/api/v[0-9]+/\n    originRequest: {connectTimeout: 10s}\n"
			printf "    service: http://localhost:%d\n", 1024 + i % 60000
		}
		printf "  - service: http_status:404\n"
	}' >"$2"
	chmod 0644 "$2"
}

fstype() { df -PT "$1" 2>/dev/null | awk 'NR == 2 { print $2 }'; }

# Background processes of ours (notify sockets, section 5's tunnels), ended
# by pid on exit.
BGPIDS=''
cleanup() {
	for p in $BGPIDS; do kill "$p" 2>/dev/null || true; done
	[ -z "$TMPFS_RUN" ] || rm -rf "$TMPFS_RUN"
}
# A private directory on a tmpfs, like the service's /run/argoweb/NAME.
TMPFS_RUN='' TMPFS_LABEL=''
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
for base in /run "${XDG_RUNTIME_DIR:-}" /dev/shm; do
	if [ -z "$base" ] || [ ! -d "$base" ] || [ ! -w "$base" ]; then continue; fi
	[ "$(fstype "$base")" = tmpfs ] || continue
	TMPFS_RUN=$(mktemp -d "$base/argoweb-bench.XXXXXX") || continue
	chmod 0700 "$TMPFS_RUN"
	[ "$IS_ROOT" = 0 ] || chown "$BUSER" "$TMPFS_RUN"
	TMPFS_LABEL="$base/argoweb-bench.* (tmpfs)"
	break
done

# On a shared machine other load disturbs the medians; when root, the timed
# runs (every arm alike) get nice -20 in their own autogroup, and the short
# runs of section 1 SCHED_FIFO, so a woken process does not wait for a busy
# CPU's next tick. BENCH_NICE=0 / BENCH_RT=0 turn these off.
PRIO='' RT='' PRIO_LABEL="normal priority"
if [ "$IS_ROOT" = 1 ] && [ "${BENCH_NICE:-1}" != 0 ]; then
	PRIO=-p PRIO_LABEL="nice -20"
fi
if [ "$IS_ROOT" = 1 ] && [ "${BENCH_RT:-1}" != 0 ]; then
	RT=-r PRIO_LABEL="$PRIO_LABEL; section 1 SCHED_FIFO 1"
fi
SPAWN="$OUT/spawn $PRIO $ASUSER -E $ERR"
SPAWN_RT="$OUT/spawn $PRIO $RT $ASUSER -E $ERR"

# verify LABEL ARM...: one run that must exit 0, else show why and stop.
verify() {
	label=$1; shift
	: >"$ERR"
	: >"$OUT/verify.out"
	if ! $SPAWN -O "$OUT/verify.out" -n 1 -w 0 "$@" >/dev/null; then
		echo "bench: $label failed:" >&2
		sed 's/^/  /' "$ERR" >&2
		exit 1
	fi
}

field() { # line name -> value
	echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'
}

# --- header ------------------------------------------------------------------
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "# argoweb bench"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- host: nproc $(nproc), ${CPU:-unknown CPU}, Linux $(uname -r)"
echo "- binary: $BIN ($("$BIN" --version 2>/dev/null || echo '?'))"
if [ "$IS_ROOT" = 1 ]; then
	echo "- run as: root; \`argoweb run\` started as root, dropping to $BUSER itself (\`user: $BUSER\`);"
	echo "  direct arms, sections 2 and 4 as $BUSER; $PRIO_LABEL; scratch: $OUT"
else
	echo "- run as: $BUSER (\`user: $BUSER\`), $PRIO_LABEL; scratch: $OUT"
fi
# Other load on the machine inflates wall and CPU times alike: say how much
# there was (busy share of all CPUs over one second, before we start).
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
b0=$(busy); sleep 1; b1=$(busy)
BUSY=$(echo "$b0 $b1" | awk '{ t = ($3 - $1) + ($4 - $2); printf "%.0f%%", t ? 100 * ($3 - $1) / t : 0 }')
echo "- other load at start: load average $(cut -d' ' -f1-3 /proc/loadavg), CPUs $BUSY busy"
echo

# --- 1. start overhead -------------------------------------------------------
# A notify socket for the rows with NOTIFY_SOCKET (argoweb then forks its
# health monitor before exec'ing the target).
SINK=$OUT/sink.sock
"$OUT/notify-clock" -u "$SINK" /dev/null 900 &
SINKPID=$!
BGPIDS="$BGPIDS $SINKPID"
i=0
while [ ! -S "$SINK" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done

echo "## 1. Start overhead: \`argoweb run\` vs exec'ing the target directly"
echo
echo "$RUNS runs per arm, interleaved, fork+execve+wait4 timed with CLOCK_MONOTONIC (ms)."
echo "The target runs as $BUSER in both arms."
echo
echo "| config | target | RUNTIME_DIRECTORY | argoweb started as | direct median | direct p90 | argoweb median | argoweb p90 | added: median diff | added: paired median | added CPU |"
echo "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|"

CREDS_ENV="TUNNEL_CRED_CONTENTS=$(cat "$CRED")"
overhead() { # kind target-label target config-suffix rundir rundir-label drop|user [notify]
	kind=$1 tlabel=$2 target=$3 sfx=$4 rdir=$5 rlabel=$6 mode=$7 nenv=
	cfg=$OUT/etc/$kind$sfx.yaml
	if [ "$mode" = drop ]; then
		aw_as=$AS_ME slabel="root, drops to $BUSER"
	else
		aw_as=$AS_SVC slabel=$BUSER
	fi
	if [ -n "${8:-}" ]; then
		nenv="NOTIFY_SOCKET=$SINK" slabel="$slabel; NOTIFY_SOCKET set: forks the monitor"
	fi
	if [ "$kind" = quick ]; then
		set -- "$target" --no-autoupdate tunnel --config "$rdir/config.yml" --url http://localhost:8080
		secret=
	else
		set -- "$target" --no-autoupdate tunnel --config "$rdir/config.yml" run
		secret=$CREDS_ENV
	fi
	verify "argoweb run $cfg" @argoweb "$aw_as" RUNTIME_DIRECTORY="$rdir" HOME="$BHOME" \
		PATH="$FIXED_PATH" ${nenv:+"$nenv"} "$BIN" run "$cfg"
	# The direct arm gets what argoweb gives cloudflared: argv and environment.
	res=$($SPAWN_RT -n "$RUNS" -w 10 \
		@direct "$AS_SVC" PATH="$FIXED_PATH" HOME="$BHOME" ${nenv:+"$nenv"} ${secret:+"$secret"} "$@" :: \
		@argoweb "$aw_as" RUNTIME_DIRECTORY="$rdir" HOME="$BHOME" PATH="$FIXED_PATH" ${nenv:+"$nenv"} \
		"$BIN" run "$cfg")
	d=$(echo "$res" | grep '^arm direct ')
	a=$(echo "$res" | grep '^arm argoweb ')
	p=$(echo "$res" | grep '^diff ')
	printf '| %s | %s | %s | %s | %.3f | %.3f | %.3f | %.3f | **%.3f** | %.3f | %.3f |\n' \
		"$kind" "$tlabel" "$rlabel" "$slabel" "$(field "$d" median_ms)" "$(field "$d" p90_ms)" \
		"$(field "$a" median_ms)" "$(field "$a" p90_ms)" \
		"$(echo "$(field "$a" median_ms) $(field "$d" median_ms)" | awk '{ print $1 - $2 }')" \
		"$(field "$p" median_ms)" \
		"$(echo "$(field "$a" cpu_ms) $(field "$d" cpu_ms)" | awk '{ print $1 - $2 }')"
}
RLABEL="${OUT#"$TOP"/}/run ($(fstype "$OUT/run"))"
overhead quick "true (static)" "$TARGET" "" "$OUT/run" "$RLABEL" $M0
overhead cred "true (static)" "$TARGET" "" "$OUT/run" "$RLABEL" $M0
if [ -n "$FAKE_SRC" ]; then
	overhead quick "fake, exit=1" "$OUT/fake/cloudflared" "-fake" "$OUT/run" "$RLABEL" $M0
	overhead cred "fake, exit=1" "$OUT/fake/cloudflared" "-fake" "$OUT/run" "$RLABEL" $M0
fi
# The service's real RuntimeDirectory= is under /run, a tmpfs, where fsync
# costs nothing; measure there too when a private tmpfs directory is at hand.
RD=${TMPFS_RUN:-$OUT/run}
RDLABEL=${TMPFS_LABEL:-$RLABEL}
if [ -n "$TMPFS_RUN" ]; then
	overhead quick "true (static)" "$TARGET" "" "$RD" "$RDLABEL" $M0
	overhead cred "true (static)" "$TARGET" "" "$RD" "$RDLABEL" $M0
fi
[ "$IS_ROOT" = 0 ] || overhead cred "true (static)" "$TARGET" "" "$RD" "$RDLABEL" user
overhead cred "true (static)" "$TARGET" "" "$RD" "$RDLABEL" $M0 notify
echo
echo "Where the argoweb arm's time goes (cred config; each row runs the step alone, interleaved;"
echo "argoweb as $([ "$IS_ROOT" = 1 ] && echo root || echo "$BUSER"), the target as $BUSER):"
echo
echo "| step | median ms | p90 ms | over the row named (paired medians) |"
echo "|---|---:|---:|---:|"
CRED_CFG=$OUT/etc/cred.yaml
# shellcheck disable=SC2046
res=$($SPAWN_RT -n "$RUNS" -w 10 \
	@exec-target "$AS_SVC" "$TARGET" :: \
	@version "$AS_ME" "$BIN" --version :: \
	@config-only "$AS_ME" "$BIN" check --config-only "$CRED_CFG" :: \
	@render "$AS_ME" "$BIN" render "$CRED_CFG" :: \
	@run-tmpfs "$AS_ME" RUNTIME_DIRECTORY="$RD" "$BIN" run "$CRED_CFG" :: \
	$([ "$IS_ROOT" = 1 ] && echo "@run-as-user $AS_SVC RUNTIME_DIRECTORY=$RD $BIN run $CRED_CFG ::") \
	@run-disk "$AS_ME" RUNTIME_DIRECTORY="$OUT/run" "$BIN" run "$CRED_CFG" :: \
	@check "$AS_ME" "$BIN" check "$CRED_CFG")
# step|base|what: "over" = this step's paired difference against the first
# arm minus the base step's.
LIBS=$(ldd "$BIN" 2>/dev/null | awk '$1 ~ /^lib/ { sub(/\.so.*/, "", $1); sub(/^lib/, "", $1); printf "%s%s", s, $1; s = ", " }')
RUNWHAT="+ check the binary, drop privileges, write config.yml (tmpfs), exec the target = run"
[ "$IS_ROOT" = 1 ] || RUNWHAT="+ check the binary, shed capabilities, write config.yml (tmpfs), exec the target = run"
{
	echo "exec-target||exec the target alone"
	echo "version|exec-target|exec argoweb, print version (dynamic loading: ${LIBS:-?})"
	echo "config-only|version|+ parse and validate the config (check --config-only)"
	echo "render|config-only|+ resolve the user, open and check the credential, render to stdout (render)"
	echo "run-tmpfs|render|$RUNWHAT"
	[ "$IS_ROOT" = 0 ] || echo "run-as-user|run-tmpfs|run started as $BUSER (no drop; as under the unit's User=)"
	echo "run-disk|run-tmpfs|run, with config.yml on $(fstype "$OUT/run") instead"
	echo "check|config-only|check (not in run): + user, credential, binary and the exposure audit (reads /proc/net/tcp, tcp6)"
} | while IFS='|' read -r step base what; do
	l=$(echo "$res" | grep "^arm $step ")
	diffof() { # step -> paired median against exec-target (0 for itself)
		if [ "$1" = exec-target ]; then echo 0; else field "$(echo "$res" | grep "^diff $1-exec-target ")" median_ms; fi
	}
	if [ -n "$base" ]; then
		inc=$(echo "$(diffof "$step") $(diffof "$base")" | awk '{ printf "%+.3f", $1 - $2 }')
		inc="$inc ($base)"
	else
		inc=
	fi
	printf '| %s | %.3f | %.3f | %s |\n' "$what" "$(field "$l" median_ms)" "$(field "$l" p90_ms)" "$inc"
done
echo
# What the dynamic loader costs, library by library: bench/true.c as a PIE
# linked like argoweb (-pie, -z relro, -z now, --no-as-needed so every
# library is loaded), against more and more of argoweb's libraries.
echo "Dynamic loading by library: bench/true.c linked like argoweb against more of its libraries"
echo "(and their dependencies), exec'd alone, interleaved:"
echo
echo "| linked against | median ms | p90 ms | over libc alone (paired median) | peak RSS KiB |"
echo "|---|---:|---:|---:|---:|"
mkdir -m 0755 "$OUT/libs"
LD_ARMS='' LD_LIST=''
lib_arm() { # label pkg-config-module...
	label=$1; shift
	libs=
	if [ $# -gt 0 ]; then libs=$(pkg-config --libs "$@" 2>/dev/null) || return 0; fi
	# shellcheck disable=SC2086
	$CC -O2 -fPIE -pie -Wl,-z,relro,-z,now -Wl,--no-as-needed -o "$OUT/libs/$label" \
		"$TOP/bench/true.c" $libs 2>/dev/null || return 0
	LD_ARMS="$LD_ARMS @$label $AS_SVC $OUT/libs/$label ::"
	LD_LIST="$LD_LIST $label"
}
lib_arm libc
lib_arm +libyaml yaml-0.1
lib_arm +libcap yaml-0.1 libcap
lib_arm +libsystemd yaml-0.1 libcap libsystemd
# shellcheck disable=SC2086
res=$($SPAWN_RT -n "$RUNS" -w 10 $LD_ARMS @argoweb "$AS_SVC" "$BIN" --version)
for label in $LD_LIST argoweb; do
	l=$(echo "$res" | grep "^arm $label ")
	case $label in
	libc) what="libc only" ;;
	+libyaml) what="libc, libyaml" ;;
	+libcap) what="libc, libyaml, libcap" ;;
	+libsystemd) what="libc, libyaml, libcap, libsystemd ($(ldd "$OUT/libs/+libsystemd" 2>/dev/null |
		awk '$1 ~ /^lib/ && $1 !~ /^lib(c|yaml-0|cap|systemd)\.so/ { sub(/\.so.*/, "", $1); printf "%s%s", s, $1; s = ", " }'))" ;;
	argoweb) what="argoweb --version, for comparison" ;;
	esac
	case $label in
	libc) inc= ;;
	*) inc=$(field "$(echo "$res" | grep "^diff $label-libc ")" median_ms | awk '{ printf "%+.3f", $1 }') ;;
	esac
	printf '| %s | %.3f | %.3f | %s | %s |\n' "$what" "$(field "$l" median_ms)" "$(field "$l" p90_ms)" "$inc" \
		"$(field "$l" maxrss_kb)"
done
echo
echo "target: $TARGET_KIND${FAKE_SRC:+; fake = tests/fake-cloudflared with exit=1 (dynamic, libyaml)}."
echo "added: median diff = argoweb median - direct median; paired median = median of the"
echo "per-round differences; CPU = difference of the median user+system CPU time of the two arms"
echo "(argoweb's includes the monitor's fork, not the monitor itself, which PID 1 adopts)."
echo "argoweb writes the rendered config with fsync (file and directory) on every start."
echo
kill "$SINKPID" 2>/dev/null || true
wait "$SINKPID" 2>/dev/null || true
BGPIDS=''

# --- 2. config size ----------------------------------------------------------
echo "## 2. \`check --config-only\` and \`render\` by number of ingress rules"
echo
echo "Generated configs: distinct hostnames, every 10th rule with a path regex and an"
echo "originRequest, a final catch-all (counted). check and render interleaved, one warm-up"
echo "each. Wall = median elapsed, CPU = median user+system time of the process; per 1000"
echo "rules = median / rules x 1000 (— at 10 rules, where the fixed start cost dominates)."
echo "Peak RSS from wait4 (largest run). \`render\` does everything \`check --config-only\`"
echo "does, plus reading and checking the credential and emitting the YAML. As $BUSER, $PRIO_LABEL."
echo
echo "| rules | command | runs | wall ms | wall min ms | wall ms / 1000 rules | CPU ms | CPU ms / 1000 rules | peak RSS KiB |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
per1k() { # ms rules
	if [ "$2" -ge 1000 ]; then echo "$1 $2" | awk '{ printf "%.2f", $1 * 1000 / $2 }'; else echo "—"; fi
}
row() { # rules command runs spawn-line
	printf '| %s | %s | %s | %.2f | %.2f | %s | %.2f | %s | %s |\n' "$1" "$2" "$3" \
		"$(field "$4" median_ms)" "$(field "$4" min_ms)" "$(per1k "$(field "$4" median_ms)" "$1")" \
		"$(field "$4" cpu_ms)" "$(per1k "$(field "$4" cpu_ms)" "$1")" "$(field "$4" maxrss_kb)"
}
LAST=
for n in $SIZES; do
	cfg=$OUT/cfg/rules-$n.yaml
	gen "$n" "$cfg"
	verify "check --config-only ($n rules)" "$BIN" check --config-only "$cfg"
	grep -q "ok ($n ingress rules" "$OUT/verify.out" ||
		{ echo "bench: check did not count $n rules: $(cat "$OUT/verify.out")" >&2; exit 1; }
	verify "render ($n rules)" "$BIN" render "$cfg"
	runs=$SCALE_RUNS
	[ "$n" -gt 10000 ] && runs=$BIG_RUNS
	res=$($SPAWN -n "$runs" -w 1 \
		@check "$BIN" check --config-only "$cfg" :: @render "$BIN" render "$cfg")
	row "$n" "check --config-only" "$runs" "$(echo "$res" | grep '^arm check ')"
	row "$n" "render" "$runs" "$(echo "$res" | grep '^arm render ')"
	LAST=$n
done
echo

# --- 3. peak RSS -------------------------------------------------------------
if [ -n "$LAST" ]; then
	cfg=$OUT/cfg/rules-$LAST.yaml
	echo "## 3. Peak RSS of \`check --config-only\`, $LAST rules"
	echo
	echo "config file: $(wc -c <"$cfg" | awk '{ printf "%.1f MiB", $1 / 1048576 }')"
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$OUT/rss.txt" "$BIN" check --config-only "$cfg" >/dev/null
		echo "peak RSS: $(cat "$OUT/rss.txt") KiB (/usr/bin/time -f %M)"
	else
		echo "peak RSS: see the check --config-only row of section 2 (wait4 rusage; no /usr/bin/time here)"
	fi
	echo
fi

# --- 4. instruction counts ---------------------------------------------------
# Wall and CPU times move with other load (a busy sibling hyperthread can
# halve the instructions per cycle); callgrind's instruction count does not,
# so it is the figure to compare across runs and machines. Optional.
if [ "${BENCH_CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null 2>&1 &&
   [ -f "$OUT/cfg/rules-10000.yaml" ]; then
	echo "## 4. Instructions executed (callgrind), 10000 rules"
	echo
	echo "| command | instructions | per rule |"
	echo "|---|---:|---:|"
	cfg=$OUT/cfg/rules-10000.yaml
	for cmd in "check --config-only" render; do
		# shellcheck disable=SC2086
		ir=$($OUT/spawn $ASUSER -E "$OUT/cg.log" -n 1 -w 0 "$(command -v valgrind)" --tool=callgrind \
			--callgrind-out-file=/dev/null "$BIN" $cmd "$cfg" >/dev/null &&
			sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$OUT/cg.log" | tail -n 1) || ir=
		[ -z "$ir" ] || printf '| %s | %s | %s |\n' "$cmd" \
			"$(echo "$ir" | awk '{ printf "%.1f M", $1 / 1e6 }')" "$(echo "$ir" | awk '{ printf "%.0f", $1 / 10000 }')"
		rm -f "$OUT/cg.log"
	done
	echo
fi

# --- 5. health monitor -------------------------------------------------------
if [ "${BENCH_MONITOR:-1}" = 0 ]; then
	:
elif [ -z "$FAKE_SRC" ]; then
	echo "## 5. Health monitor: skipped (no tests/fake-cloudflared: run make -s fake)"
else
	. "$TOP/bench/monitor.sh"
fi
# --- 6. the real connector ------------------------------------------------------
[ "${BENCH_REAL:-1}" = 0 ] || sh "$TOP/bench/real.sh" "$BIN"
[ "${BENCH_HANDOVER:-1}" = 0 ] || ARGOWEB=$BIN sh "$TOP/bench/handover.sh"
[ "${BENCH_REMOTE:-1}" = 0 ] || ARGOWEB=$BIN sh "$TOP/bench/remote.sh"
[ "${BENCH_FAILOVER:-1}" = 0 ] || ARGOWEB=$BIN sh "$TOP/bench/failover.sh"
