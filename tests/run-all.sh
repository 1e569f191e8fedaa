#!/bin/sh
# `make check`: the whole suite, in order of cost. Each stage prints
# "STAGE: N passed, N failed[, N skipped]"; the last line totals them.
set -u
cd "$(dirname "$0")/.." || exit 70
MAKE=${MAKE:-make}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
log=build/check.log
mkdir -p build
: >"$log"

# stage NAME COMMAND...: run it, its output to the terminal and the log.
# A stage that dies before its summary line, or exits non-zero with no
# failure counted, is counted as a failure itself.
stage() {
	name=$1; shift
	echo "=== $name"
	s=$(date +%s)
	out=build/stage-$name.log
	{ "$@" 2>&1; echo "stage-exit $?" >build/stage-$name.rc; } | tee "$out"
	rc=$(sed -n 's/^stage-exit //p' build/stage-$name.rc)
	summary=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	cat "$out" >>"$log"
	if [ -z "$summary" ]; then
		echo "$name: 0 passed, 1 failed (it stopped before its summary, exit $rc)" | tee -a "$log"
	elif [ "$rc" != 0 ] && echo "$summary" | grep -q ' 0 failed'; then
		echo "$name: 0 passed, 1 failed (exit $rc with no failure counted)" | tee -a "$log"
	fi
	echo "=== $name: $(($(date +%s) - s)) s"
}

$MAKE -s all fake units >/dev/null || { echo "build failed"; exit 1; }
stage unit $MAKE -s check-unit
stage system $MAKE -s check-system
stage unit-asan $MAKE -s check-asan-unit
stage system-asan $MAKE -s check-asan-system
stage unit-valgrind $MAKE -s check-valgrind-unit
stage system-valgrind $MAKE -s check-valgrind-system
stage fuzz $MAKE -s fuzz FUZZ_SECONDS="$FUZZ_SECONDS"

# Totals from every stage's summary line. Where the real connector was
# given (REAL_CLOUDFLARED, CF_EDGE: .ci/run sets both), none of its tests may
# be skipped.
real=${REAL_CLOUDFLARED:+${CF_EDGE:+1}}
awk -v real="$real" '
	/^[a-z-]+: [0-9]+ passed, [0-9]+ failed/ { p += $2; f += $4; if ($6 != "") s += $6 }
	/; real connector: [0-9]+ passed, [0-9]+ skipped/ {
		sub(/.*; real connector: /, ""); rp += $1; rs += $3 }
	END {
		printf "%d passed, %d failed, %d skipped; against the real connector: %d passed, %d skipped\n", p, f, s, rp, rs
		if (real && (rs > 0 || rp == 0)) {
			print "real connector: REAL_CLOUDFLARED and CF_EDGE are set, yet " (rp == 0 ? "no test ran against it" : rs " of its tests skipped")
			exit 1
		}
		exit (f > 0 || p == 0) }' "$log"
