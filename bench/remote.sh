#!/bin/sh
# bench/remote.sh: section 9, a tunnel managed from Cloudflare's dashboard.
# Runs the booted test bed's tests/system/118-remote-managed.sh once per
# release of the real connector in REAL_CLOUDFLARED (paths separated by
# ':'), in one test bed (BENCH_SUITE, default trixie), against cf-edge
# -remote-managed -push-delay 1500ms, HTTP/2 and QUIC at once, 20
# requests/s; and prints, per release, protocol and moment, the requests
# sent, those that failed and the longest gap between two answered ones:
# the 3 s after the first start ever and after a start with the kept
# configuration, argoweb restart, argoweb restart with seed-remote-config:
# false (the control), a package upgrade, the 3 s after a reboot. As root,
# with REAL_CLOUDFLARED and CF_EDGE set and the test helpers built.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
SUITE=${BENCH_SUITE:-trixie}
. "$TOP/bench/booted.sh"
bench_start "9. A dashboard-managed tunnel" remote
releases=
for cf in $(printf '%s' "$REAL_CLOUDFLARED" | tr ':' ' '); do
	v=$(bench_version "$cf")
	releases="$releases $v"
	bench_test 118-remote-managed.sh "$OUT.log" BENCH_OUT="$OUT.$v" TB_SUITE="$SUITE" REAL_CLOUDFLARED="$cf"
done
echo "### 9. A dashboard-managed tunnel ($(date -u '+%Y-%m-%d %H:%M') UTC, \`sh bench/remote.sh\`, $(( ($(date +%s) - t0) / 60 )) min)"
echo ""
echo "cloudflared$releases; booted Debian ($SUITE); cf-edge -remote-managed -push-delay 1500ms; 20 requests/s through"
echo "the edge; the default grace period but for the restarts (10s). Requests failed of those sent, longest gap."
echo ""
echo "| cloudflared | protocol | moment | failed of sent | longest gap, ms |"
echo "|---|---|---|---|---|"
for v in $releases; do
	for name in h2 q; do
		p=$([ $name = h2 ] && echo HTTP/2 || echo QUIC)
		for w in first-start:"the 3 s after the first start ever returns (it waits for the push)" \
			kept-start:"the 3 s after a start with the kept configuration returns" \
			restart:"\`argoweb restart\` (45 s of load)" \
			unseeded:"\`argoweb restart\`, \`seed-remote-config: false\` (the control)" \
			upgrade:"\`dpkg -i\` of a newer package (45 s of load)" \
			boot:"the 3 s after a reboot's start"; do
			k=${w%%:*}
			awk -v v="$v" -v p="$p" -v k="$k" -v n="$name" -v what="${w#*:}" '$1 == k && $2 == n {
				printf "| %s | %s | %s | %s of %s | %s |\n", v, p, what, $4, $3, $5 }' "$OUT.$v"
		done
	done
done
