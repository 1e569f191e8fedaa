#!/bin/sh
# Run every tests/system/NNN-*.sh (or those given), $(nproc) at a time,
# print their TAP in order and a "system: N passed, N failed, N skipped"
# line. Exit 1 on any failure.
cd "$(dirname "$0")/.." || exit 70
tests=${*:-$(ls tests/system/[0-9][0-9][0-9]-*.sh)}
out=$(mktemp -d "${TMPDIR:-/tmp}/argoweb-system.XXXXXX")
trap 'rm -rf "$out"' EXIT
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
# shellcheck disable=SC2086
printf '%s\n' $tests | xargs -P "$jobs" -I{} sh -c \
	'n=$(basename "$1" .sh); sh "$1" >"$2/$n.out" 2>&1; echo $? >"$2/$n.rc"' _ {} "$out"
pass=0 fail=0 skipped=0
for t in $tests; do
	n=$(basename "$t" .sh)
	echo "# $t"
	cat "$out/$n.out"
	p=$(grep -c '^ok ' "$out/$n.out"); s=$(grep -c '^ok .*# SKIP' "$out/$n.out")
	f=$(grep -c '^not ok ' "$out/$n.out")
	rc=$(cat "$out/$n.rc")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - $t exited $rc"; fi
	pass=$((pass + p - s)) skipped=$((skipped + s)) fail=$((fail + f))
done
echo "system: $pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
