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
. "$TOP/bench/booted.sh"
bench_start "8. A restart under load" handover
releases=
for cf in $(printf '%s' "$REAL_CLOUDFLARED" | tr ':' ' '); do
	v=$(bench_version "$cf")
	releases="$releases $v"
	bench_test 117-handover.sh "$OUT.log" BENCH_ROUNDS="$ROUNDS" BENCH_OUT="$OUT.$v" TB_SUITE="$SUITE" \
		REAL_CLOUDFLARED="$cf"
done
# median (min-max) of column C of the rows for WHAT and NAME in FILE
stat() {
	awk -v w="$1" -v n="$2" -v c="$3" '$1 == w && $2 == n { print $c }' "$4" | bench_median
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
