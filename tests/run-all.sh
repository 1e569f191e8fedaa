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
status=0

stage() { # name command...
	name=$1; shift
	echo "=== $name"
	s=$(date +%s)
	"$@" 2>&1 | tee -a "$log"
	# POSIX sh has no PIPESTATUS: the stage's own summary line decides.
	echo "=== $name: $(($(date +%s) - s)) s"
}

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# The tests tagged "installed" run a package's own build, or the binary as
# systemd execs it from the unit (no wrapper, and LeakSanitizer needs the
# ptrace the unit's seccomp filter refuses): the sanitizer stages leave them
# out (each stage lists them), the normal stage runs them.

$MAKE -s all fake units >/dev/null || { echo "build failed"; exit 1; }
stage unit $MAKE -s check-unit
stage system $MAKE -s check-system

if $MAKE -s B=build/asan CC=clang CFLAGS="-O1 -g $SAN" LDFLAGS="$SAN" \
	HARDEN=-fPIE all fake units >/dev/null; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
	stage unit-asan $MAKE -s B=build/asan CC=clang CFLAGS="-O1 -g $SAN" LDFLAGS="$SAN" HARDEN=-fPIE check-unit
	stage system-asan env SYSTEM_EXCLUDE=installed $MAKE -s B=build/asan CC=clang CFLAGS="-O1 -g $SAN" LDFLAGS="$SAN" HARDEN=-fPIE check-system
	unset ASAN_OPTIONS UBSAN_OPTIONS
else
	echo "asan: 0 passed, 1 failed (build)" | tee -a "$log"
fi

VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
stage unit-valgrind env UNIT_WRAP="$VG" $MAKE -s check-unit
stage system-valgrind env ARGOWEB_WRAP="$VG" VALGRIND=1 SYSTEM_EXCLUDE=installed $MAKE -s check-system

stage fuzz tests/fuzz/run.sh "$FUZZ_SECONDS"

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
