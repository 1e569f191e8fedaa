#!/bin/sh
# bench/handover.sh: section 8, a restart under load. Runs the booted test
# bed's tests/system/117-handover.sh with BENCH_ROUNDS (3) rounds of
# `systemctl restart` and of `argoweb restart`, each under cf-edge's load
# generator (20 requests/s, grace-period 10s), for HTTP/2 and QUIC at once,
# then one package upgrade; for each release of the real connector in
# REAL_CLOUDFLARED (paths separated by ':', as for make check), in one test
# bed (BENCH_SUITE, default trixie: Debian 13, systemd 257); and prints,
# per release, protocol and command, the median (min-max) of failed
# requests, of those that found no connector, of those cut in flight
# (connection_closed), and of the longest gap between two answered
# requests. As root, with REAL_CLOUDFLARED and CF_EDGE set and the test
# helpers built (make fake units).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-3}
SUITE=${BENCH_SUITE:-trixie}
if [ "$(id -u)" != 0 ] || [ -z "${REAL_CLOUDFLARED:-}" ] || [ -z "${CF_EDGE:-}" ]; then
	echo "## 8. A restart under load: skipped (needs root, REAL_CLOUDFLARED and CF_EDGE)"
	exit 0
fi
OUT=$(mktemp /run/argoweb-bench-handover.XXXXXX)
trap 'rm -f "$OUT" "$OUT".*' EXIT
t0=$(date +%s)
releases=
for cf in $(printf '%s' "$REAL_CLOUDFLARED" | tr ':' ' '); do
	v=$("$cf" --version 2>/dev/null | sed -n '1s/^cloudflared version \([^ ]*\).*/\1/p')
	releases="$releases $v"
	BENCH_ROUNDS=$ROUNDS BENCH_OUT=$OUT.$v TB_SUITE=$SUITE REAL_CLOUDFLARED=$cf \
		ARGOWEB=${ARGOWEB:-$TOP/build/argoweb} FAKE=${FAKE:-$TOP/build/tests/fake-cloudflared} \
		ORIGIN=${ORIGIN:-$TOP/build/tests/origin} sh "$TOP/tests/system/117-handover.sh" >"$OUT.log" 2>&1 ||
		echo "bench/handover: 117 failed some checks with $v (see below); the figures stand as measured" >&2
	grep '^not ok' "$OUT.log" >&2
done
# median (min-max) of column C of the rows for WHAT and NAME in FILE
stat() {
	awk -v w="$1" -v n="$2" -v c="$3" '$1 == w && $2 == n { print $c }' "$4" | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
echo "### 8. A restart under load ($(date -u '+%Y-%m-%d %H:%M') UTC, \`sh bench/handover.sh\`, $(( ($(date +%s) - t0) / 60 )) min)"
echo ""
echo "cloudflared$releases; booted Debian ($SUITE, systemd $(grep -h '^# Debian' "$OUT.log" 2>/dev/null | head -n1 | sed 's/.*systemd \([0-9]*\).*/\1/')); 20 requests/s through cf-edge,"
echo "grace-period 10s; $ROUNDS rounds of each restart (the upgrade: once). Median (min-max)."
echo ""
echo "| cloudflared | protocol | how | failed | of which no connector | cut in flight | longest gap, ms |"
echo "|---|---|---|---|---|---|---|"
for v in $releases; do
	for name in h2 q; do
		p=$([ $name = h2 ] && echo HTTP/2 || echo QUIC)
		for w in systemctl:"\`systemctl restart\`" argoweb:"\`argoweb restart\`" upgrade:"\`dpkg -i\` newer package"; do
			k=${w%%:*}
			echo "| $v | $p | ${w#*:} | $(stat "$k" $name 3 "$OUT.$v") | $(stat "$k" $name 4 "$OUT.$v") | $(stat "$k" $name 5 "$OUT.$v") | $(stat "$k" $name 6 "$OUT.$v") |"
		done
	done
done
