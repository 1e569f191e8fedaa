#!/bin/sh
# Every shipped example is a valid config (check --config-only).
. "$(dirname "$0")/../lib.sh"
for f in "$TOP"/examples/*.yaml; do
	aw check --config-only "$f"
	expect 0 "examples/$(basename "$f") is valid"
done
done_testing
