# bench/booted.sh, sourced by the benchmarks that rerun a booted system test
# (handover.sh, remote.sh, failover.sh): what they share.

# bench_start "N. TITLE" TAG: as root with REAL_CLOUDFLARED and CF_EDGE set,
# or the section said skipped and the script ends. Sets OUT (a scratch file
# prefix, removed at exit) and t0.
bench_start() {
	if [ "$(id -u)" != 0 ] || [ -z "${REAL_CLOUDFLARED:-}" ] || [ -z "${CF_EDGE:-}" ]; then
		echo "## $1: skipped (needs root, REAL_CLOUDFLARED and CF_EDGE)"
		exit 0
	fi
	OUT=$(mktemp "/run/argoweb-bench-$2.XXXXXX")
	trap 'rm -f "$OUT" "$OUT".*' EXIT
	t0=$(date +%s)
}

# The release a connector binary says it is ("2026.8.2").
bench_version() {
	"$1" --version 2>/dev/null | sed -n '1s/^cloudflared version \([^ ]*\).*/\1/p'
}

# bench_test TEST LOG [NAME=VALUE...]: tests/system/TEST with the test
# helpers' paths and the given variables, its output into LOG; its failed
# checks said (the figures stand as measured).
bench_test() {
	_t=$1 _log=$2
	shift 2
	env "$@" ARGOWEB="${ARGOWEB:-$TOP/build/argoweb}" FAKE="${FAKE:-$TOP/build/tests/fake-cloudflared}" \
		ORIGIN="${ORIGIN:-$TOP/build/tests/origin}" sh "$TOP/tests/system/$_t" >"$_log" 2>&1 ||
		echo "bench: $_t failed some checks ($*; below); the figures stand as measured" >&2
	grep '^not ok' "$_log" >&2
}

# Median (min-max) of numbers, one a line on stdin; "-" for none.
bench_median() {
	sort -n | awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit }
		printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
