#!/bin/sh
# tests/fuzz/run.sh [SECONDS]: build the libFuzzer targets with clang
# (ASan + UBSan) into build/fuzz/ and run each on a scratch copy of its
# seed corpus: config for about 2/5 of SECONDS, creds, seed (the kept
# remote configuration, from cloudflared's /config) and unit (an old
# cloudflared unit, as argoweb adopt reads it) a fifth each. The
# committed corpus never grows. Prints one line
#   fuzz: N passed, N failed
# (or "fuzz: 0 passed, 0 failed, 2 skipped" when clang/libFuzzer is
# missing) and exits 1 if any fuzzer found a crash, leak or timeout; the
# reproducer's path is printed above the summary.
set -u
SECS=${1:-60}
cd "$(dirname "$0")/../.." || exit 70
TOP=$(pwd)
B=$TOP/build/fuzz
FZ=$TOP/tests/fuzz
CC=${FUZZ_CC:-clang}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

skip() {
	echo "# fuzz: skipped: $1"
	echo "fuzz: 0 passed, 0 failed, 4 skipped"
	exit 0
}

case $SECS in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 64;; esac
[ "$SECS" -ge 2 ] || SECS=2

command -v "$CC" >/dev/null 2>&1 || skip "$CC not found (apt-get install clang)"
mkdir -p "$B/obj" || exit 71
# libFuzzer ships with clang on Debian, but not with every clang.
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
	>"$B/probe.c"
"$CC" -fsanitize=fuzzer,address,undefined -o "$B/probe" "$B/probe.c" >"$B/probe.log" 2>&1 ||
	skip "$CC cannot link -fsanitize=fuzzer,address,undefined ($(head -1 "$B/probe.log"))"
if ! PKG_CFLAGS=$($PKG_CONFIG --cflags yaml-0.1 libcap 2>/dev/null) ||
   ! PKG_LIBS=$($PKG_CONFIG --libs yaml-0.1 libcap 2>/dev/null); then
	skip "pkg-config finds no yaml-0.1 or libcap (make deps)"
fi

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-std=gnu11 -g -O1 -Wall -Wextra $SAN $PKG_CFLAGS"

# Build: every module but main.c, instrumented for coverage (no main:
# libFuzzer brings its own at link time).
build_failed=0
objs=
: >"$B/build.log"
for src in "$TOP"/src/*.c; do
	n=$(basename "$src" .c)
	[ "$n" = main ] && continue
	# shellcheck disable=SC2086
	"$CC" $CFLAGS -fsanitize=fuzzer-no-link -c -o "$B/obj/$n.o" "$src" >>"$B/build.log" 2>&1 ||
		{ echo "# fuzz: cannot compile src/$n.c (see $B/build.log)"; build_failed=1; }
	objs="$objs $B/obj/$n.o"
done
for t in config creds seed unit; do
	# shellcheck disable=SC2086
	"$CC" $CFLAGS -fsanitize=fuzzer -o "$B/fuzz_$t" "$FZ/fuzz_$t.c" $objs $PKG_LIBS \
		>>"$B/build.log" 2>&1 ||
		{ echo "# fuzz: cannot build fuzz_$t (see $B/build.log)"; build_failed=1; }
done
if [ "$build_failed" = 1 ]; then
	tail -20 "$B/build.log" | sed 's/^/#   /'
	echo "fuzz: 0 passed, 4 failed"
	exit 1
fi

cfg_secs=$((SECS * 2 / 5))
creds_secs=$(((SECS - cfg_secs) / 3))
seed_secs=$creds_secs
unit_secs=$((SECS - cfg_secs - creds_secs - seed_secs))
[ "$cfg_secs" -ge 1 ] || cfg_secs=1
[ "$creds_secs" -ge 1 ] || creds_secs=1
[ "$seed_secs" -ge 1 ] || seed_secs=1
[ "$unit_secs" -ge 1 ] || unit_secs=1

# The config corpus is the hostile seeds kept here plus every config of
# tests/configs, generated afresh (never copies that drift), placeholders
# filled as a real host's paths.
seed_configs() {
	for f in "$TOP"/tests/configs/valid/*.yaml "$TOP"/tests/configs/invalid/*.yaml; do
		d=$(basename "$(dirname "$f")")
		sed -e 's#@CRED@#/etc/argoweb/x.json#g' -e 's#@TOKEN@#/etc/argoweb/x.token#g' \
		    -e 's#@CLOUDFLARED@#/usr/bin/cloudflared#g' -e 's#@USER@#argoweb#g' \
		    -e 's#@GROUP@#argoweb#g' -e 's#@CACERT@#/etc/argoweb/ca.pem#g' \
		    "$f" >"$1/$d-$(basename "$f")"
	done
}

pass=0 fail=0
run() { # name seconds dict
	name=$1 secs=$2 dict=$3
	work=$B/work/$name
	art=$B/artifacts/$name
	rm -rf "$work" "$art"
	mkdir -p "$work" "$art" || exit 71
	cp "$FZ/corpus/$name/"* "$work/" 2>/dev/null
	[ "$name" = config ] && seed_configs "$work"
	log=$B/$name.log
	# Inputs up to 16 KiB: room for nesting and alias bombs, seeds fit.
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$B/fuzz_$name" -max_total_time="$secs" -timeout=2 -rss_limit_mb=1024 \
		-max_len=16384 -dict="$dict" -artifact_prefix="$art/" -print_final_stats=1 \
		"$work" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		echo "# fuzz_$name: ${runs:-?} runs in ${secs}s, no finding"
	else
		fail=$((fail + 1))
		echo "# fuzz_$name: FAILED (exit $rc) after ${runs:-?} runs; log $log"
		grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|Test unit written to|ALARM|out-of-memory|not a valid config|does not render|differs|own key rendered|pinned keys wrong|failed to render|length or ending' \
			"$log" | head -12 | sed 's/^/#   /'
		for f in "$art"/*; do
			[ -e "$f" ] && echo "# reproducer: $f (run: $B/fuzz_$name $f)"
		done
	fi
}
run config "$cfg_secs" "$FZ/yaml.dict"
run creds "$creds_secs" "$FZ/creds.dict"
run seed "$seed_secs" "$FZ/seed.dict"
run unit "$unit_secs" "$FZ/unit.dict"

echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
