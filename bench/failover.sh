#!/bin/sh
# bench/failover.sh: section 10, more than one machine. Runs
# tests/system/170-multihost.sh BENCH_ROUNDS (3) times for each release of
# the real connector in REAL_CLOUDFLARED (paths separated by ':', as for
# make check): three booted Debian 13 hosts on a private bridge, keepalived
# between two of them, cf-edge's load (20 requests/s) through each event;
# and prints, per release and case, the median (min-max) of the seconds
# until the BACKUP serves and of the requests that failed (of 400; the
# replicas' case: of 240), from the lines 170 prints:
#   # failover: CASE promoted in S s; N of M requests failed
#   # replicas: host killed; N of M requests failed
# As root, with REAL_CLOUDFLARED and CF_EDGE set and the test helpers
# built (make fake units). About 4 min a round.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-3}
. "$TOP/bench/booted.sh"
bench_start "10. More than one machine" failover
releases=
for cf in $(printf '%s' "$REAL_CLOUDFLARED" | tr ':' ' '); do
	v=$(bench_version "$cf")
	releases="$releases $v"
	r=0
	while [ "$r" -lt "$ROUNDS" ]; do
		r=$((r + 1))
		bench_test 170-multihost.sh "$OUT.log" REAL_CLOUDFLARED="$cf"
		# "CASE SECONDS FAILED SENT", one line per case
		sed -n 's/^# failover: \([^ ]*\) promoted in \([0-9.]*\) s; \([0-9]*\) of \([0-9]*\) .*/\1 \2 \3 \4/p
			s/^# replicas: host killed; \([0-9]*\) of \([0-9]*\) .*/replicas - \1 \2/p' "$OUT.log" >>"$OUT.$v"
		grep -h '^# Debian' "$OUT.log" | head -n 1 >"$OUT.platform"
	done
done
# median (min-max) of column C of the rows for CASE in FILE
stat() {
	awk -v w="$1" -v c="$2" '$1 == w { print $c }' "$3" | bench_median
}
echo "### 10. More than one machine ($(date -u '+%Y-%m-%d %H:%M') UTC, \`sh bench/failover.sh\`, $(( ($(date +%s) - t0) / 60 )) min)"
echo ""
echo "$(sed 's/^# //' "$OUT.platform" 2>/dev/null); three hosts, keepalived between two (advert_int 1,"
echo "nopreempt), 20 requests/s through cf-edge; tunnel web over QUIC, rep over HTTP/2; $ROUNDS rounds."
echo "Median (min-max)."
echo ""
echo "| cloudflared | case | BACKUP serving after, s | failed requests | of |"
echo "|---|---|---|---|---|"
for v in $releases; do
	for c in replicas keepalived-killed link-cut powered-off; do
		after=$([ "$c" = replicas ] && echo "- (none to promote)" || stat "$c" 2 "$OUT.$v")
		echo "| $v | $c | $after | $(stat "$c" 3 "$OUT.$v") | $(stat "$c" 4 "$OUT.$v") |"
	done
done
