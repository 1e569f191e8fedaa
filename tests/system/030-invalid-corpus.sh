#!/bin/sh
# Every config in tests/configs/invalid fails `check --config-only` with the
# exit code, FILE:LINE:COL and message its first line names:
#   # expect: CODE LINE:COL message-substring
. "$(dirname "$0")/../lib.sh"
for f in "$TOP"/tests/configs/invalid/*.yaml; do
	n=$(basename "$f" .yaml)
	hdr=$(head -n1 "$f")
	code=$(echo "$hdr" | cut -d' ' -f3)
	pos=$(echo "$hdr" | cut -d' ' -f4)
	text=$(echo "$hdr" | cut -d' ' -f5-)
	aw check --config-only "$f"
	expect "$code" "$n: exit $code at $pos" "$f:$pos: " "$text"
	lines=$(printf '%s\n' "$ERR" | wc -l)
	check "$n: exactly one line of error" [ "$lines" = 1 ]
	check "$n: nothing on stdout" [ -z "$OUT" ]
done
done_testing
