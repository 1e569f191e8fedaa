#!/bin/sh
# Run every tests/system/NNN-*.sh (or those given), $(nproc) at a time,
# print their TAP in order and one summary line:
#   system: N passed, N failed, N skipped; real connector VERSION: N passed,
#   N skipped (one such part per release); test bed SUITE: N passed, ...
# A test is run once per platform it names in its "# tags:" line (the
# second or third line of the file):
# - real-connector: once per release in REAL_CLOUDFLARED (paths separated
#   by ':'; each run gets one of them as REAL_CLOUDFLARED), counted apart
#   by the version the binary prints;
# - testbed: once per Debian release in TB_SUITES (default "bookworm
#   trixie": systemd 252 and 257 as PID 1), as TB_SUITE;
# a test with both tags runs on each pair, or, tagged diagonal too, on the
# pairs in order (the oldest release in the oldest test bed, and so on: a
# long test's cost stays two runs). A test tagged serial (several booted
# hosts under load: it measures time, and two at once starve each other)
# never runs beside another serial run: its first run goes first, the
# others after the booted tests, each waiting for the one before (a lock).
# SYSTEM_EXCLUDE=TAG leaves out the tests with that tag. Exit 1 on any
# failure.
cd "$(dirname "$0")/.." || exit 70
tagged() { sed -n '2,3s/^# tags://p' "$2" | grep -qw -- "$1"; }
TB_SUITES=${TB_SUITES:-bookworm trixie}
releases=$(printf '%s' "${REAL_CLOUDFLARED:-}" | tr ':' ' ')

# The release a connector binary says it is ("2026.8.2"), or its path.
version_of() {
	v=$("$1" --version 2>/dev/null | sed -n '1s/^cloudflared version \([^ ]*\).*/\1/p')
	echo "${v:-$1}"
}

# The jobs: one line each, "TEST SUITE CONNECTOR NAME" ("-" where none).
jobs=$(mktemp "${TMPDIR:-/tmp}/argoweb-jobs.XXXXXX")
for t in ${*:-$(ls tests/system/[0-9][0-9][0-9]-*.sh)}; do
	if [ -n "${SYSTEM_EXCLUDE:-}" ] && tagged "$SYSTEM_EXCLUDE" "$t"; then
		excluded="${excluded:-} $(basename "$t" .sh)"
		continue
	fi
	suites=- cfs=-
	tagged testbed "$t" && suites=$TB_SUITES
	tagged real-connector "$t" && [ -n "$releases" ] && cfs=$releases
	i=0
	for s in $suites; do
		i=$((i + 1)) j=0
		for c in $cfs; do
			j=$((j + 1))
			[ "$s" != - ] && [ "$c" != - ] && tagged diagonal "$t" && [ "$i" != "$j" ] && continue
			n=$(basename "$t" .sh)
			[ "$s" = - ] || n="$n@$s"
			[ "$c" = - ] || n="$n@$(version_of "$c")"
			echo "$t $s $c $n"
		done
	done
done >"$jobs"
out=$(mktemp -d "${TMPDIR:-/tmp}/argoweb-system.XXXXXX")
trap 'rm -rf "$out" "$jobs"' EXIT
# The longest first: a serial run, the booted tests, the other serial
# runs (by then the first is done), the rest.
serial=
for t in ${*:-$(ls tests/system/[0-9][0-9][0-9]-*.sh)}; do
	tagged serial "$t" && serial="$serial $t"
done
ordered=$(awk -v serial="$serial " '{ w = ($2 != "-") + ($3 != "-")
	if (index(serial, " " $1 " ")) w = seen++ ? 1.5 : 9
	print w, NR, $0 }' "$jobs" | sort -k1,1gr -k2,2n | cut -d' ' -f3-)
jobs_n=${JOBS:-$(nproc 2>/dev/null || echo 2)}
printf '%s\n' "$ordered" | OUT=$out SERIAL="$serial " xargs -P "$jobs_n" -L 1 sh -c '
	[ "$2" = - ] || export TB_SUITE="$2"
	[ "$3" = - ] || export REAL_CLOUDFLARED="$3"
	case $SERIAL in
	*" $1 "*) flock "$OUT/.serial" sh "$1" >"$OUT/$4.out" 2>&1 ;;
	*) sh "$1" >"$OUT/$4.out" 2>&1 ;;
	esac
	echo $? >"$OUT/$4.rc"' _
pass=0 fail=0 skipped=0
: >"$out/counts"
while read -r t s c n; do
	echo "# $t${n#$(basename "$t" .sh)}"
	touch "$out/$n.out"
	cat "$out/$n.out"
	p=$(grep -c '^ok ' "$out/$n.out"); sk=$(grep -c '^ok .*# SKIP' "$out/$n.out")
	f=$(grep -c '^not ok ' "$out/$n.out")
	rc=$(cat "$out/$n.rc" 2>/dev/null || echo "none")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - $n exited $rc"; fi
	pass=$((pass + p - sk)) skipped=$((skipped + sk)) fail=$((fail + f))
	if [ "$c" != - ]; then
		echo "real connector $(version_of "$c"): $((p - sk)) $sk" >>"$out/counts"
	elif tagged real-connector "$t"; then
		echo "real connector (none given): $((p - sk)) $sk" >>"$out/counts"
	fi
	[ "$s" = - ] || echo "test bed $s: $((p - sk)) $sk" >>"$out/counts"
done <"$jobs"
[ -z "${excluded:-}" ] || echo "# not in this stage (tagged $SYSTEM_EXCLUDE):$excluded"
parts=$(awk -F': ' '{ split($2, n, " "); p[$1] += n[1]; s[$1] += n[2]; if (!($1 in seen)) { seen[$1] = 1; o[++k] = $1 } }
	END { for (i = 1; i <= k; i++) printf "; %s: %d passed, %d skipped", o[i], p[o[i]], s[o[i]] }' "$out/counts")
echo "system: $pass passed, $fail failed, $skipped skipped$parts"
[ "$fail" = 0 ]
