#!/bin/sh
# Run every tests/system/NNN-*.sh (or those given), $(nproc) at a time,
# print their TAP in order and one summary line:
#   system: N passed, N failed, N skipped; real connector: N passed, N skipped
# counting apart the tests tagged real-connector (a "# tags:" line at the
# top of the file). SYSTEM_EXCLUDE=TAG leaves out the tests with that tag.
# Exit 1 on any failure.
cd "$(dirname "$0")/.." || exit 70
tagged() { sed -n '2,3s/^# tags://p' "$2" | grep -qw -- "$1"; }
tests=
for t in ${*:-$(ls tests/system/[0-9][0-9][0-9]-*.sh)}; do
	if [ -n "${SYSTEM_EXCLUDE:-}" ] && tagged "$SYSTEM_EXCLUDE" "$t"; then
		excluded="${excluded:-} $(basename "$t" .sh)"
		continue
	fi
	tests="$tests $t"
done
out=$(mktemp -d "${TMPDIR:-/tmp}/argoweb-system.XXXXXX")
trap 'rm -rf "$out"' EXIT
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
# shellcheck disable=SC2086
printf '%s\n' $tests | xargs -P "$jobs" -I{} sh -c \
	'n=$(basename "$1" .sh); sh "$1" >"$2/$n.out" 2>&1; echo $? >"$2/$n.rc"' _ {} "$out"
pass=0 fail=0 skipped=0 rpass=0 rskipped=0
for t in $tests; do
	n=$(basename "$t" .sh)
	echo "# $t"
	cat "$out/$n.out"
	p=$(grep -c '^ok ' "$out/$n.out"); s=$(grep -c '^ok .*# SKIP' "$out/$n.out")
	f=$(grep -c '^not ok ' "$out/$n.out")
	rc=$(cat "$out/$n.rc")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - $t exited $rc"; fi
	pass=$((pass + p - s)) skipped=$((skipped + s)) fail=$((fail + f))
	if tagged real-connector "$t"; then
		rpass=$((rpass + p - s)) rskipped=$((rskipped + s))
	fi
done
[ -z "${excluded:-}" ] || echo "# not in this stage (tagged $SYSTEM_EXCLUDE):$excluded"
echo "system: $pass passed, $fail failed, $skipped skipped; real connector: $rpass passed, $rskipped skipped"
[ "$fail" = 0 ]
