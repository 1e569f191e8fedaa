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
# Under the sanitizers and valgrind the real-connector tests run with the
# last release given only: what they check there is argoweb's own memory,
# which does not change with the connector's release (the system stage ran
# every release).
newest=${REAL_CLOUDFLARED:+${REAL_CLOUDFLARED##*:}}
stage system-asan env REAL_CLOUDFLARED="$newest" $MAKE -s check-asan-system
stage unit-valgrind $MAKE -s check-valgrind-unit
stage system-valgrind env REAL_CLOUDFLARED="$newest" $MAKE -s check-valgrind-system
stage fuzz $MAKE -s fuzz FUZZ_SECONDS="$FUZZ_SECONDS"

# Totals from every stage's summary line, and per release of the real
# connector. Where the real connector was given (REAL_CLOUDFLARED, paths
# separated by ':', and CF_EDGE: .ci/run sets them), every release given
# must have run its tests, none skipped.
want=
if [ -n "${REAL_CLOUDFLARED:-}" ] && [ -n "${CF_EDGE:-}" ]; then
	for c in $(printf '%s' "$REAL_CLOUDFLARED" | tr ':' ' '); do
		v=$("$c" --version 2>/dev/null | sed -n '1s/^cloudflared version \([^ ]*\).*/\1/p')
		want="$want ${v:-$c}"
	done
fi
awk -v want="$want" '
	/^[a-z-]+: [0-9]+ passed, [0-9]+ failed/ {
		p += $2; f += $4; if ($6 != "") s += $6
		n = split($0, part, "; ")
		for (i = 2; i <= n; i++) if (part[i] ~ /^(real connector|test bed)/) {
			split(part[i], kv, ": "); split(kv[2], c, " ")
			if (!(kv[1] in seen)) { seen[kv[1]] = 1; order[++k] = kv[1] }
			pp[kv[1]] += c[1]; ss[kv[1]] += c[3]
		}
	}
	END {
		printf "%d passed, %d failed, %d skipped", p, f, s
		for (i = 1; i <= k; i++) printf "; %s: %d passed, %d skipped", order[i], pp[order[i]], ss[order[i]]
		printf "\n"
		bad = 0
		m = split(want, v, " ")
		for (i = 1; i <= m; i++) {
			r = "real connector " v[i]
			if (pp[r] == 0 || ss[r] > 0) {
				print "real connector: " v[i] " was given (REAL_CLOUDFLARED), yet " (pp[r] == 0 ? "no test ran against it" : ss[r] " of its tests skipped")
				bad = 1
			}
		}
		exit (bad || f > 0 || p == 0) }' "$log"
