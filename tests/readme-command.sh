#!/bin/sh
# tests/readme-command.sh N: print the README's command number N, as the
# README writes it (the line of the "Try it" block that ends in "# N: ..."),
# without its comment. fresh-machine.sh and .ci/run run exactly this, so
# the README and what CI proves cannot drift apart.
set -eu
n=${1:?usage: readme-command.sh N}
readme=${README:-$(dirname "$0")/../README.md}
cmd=$(awk -v n="$n" '
	/^## / { intry = ($0 == "## Try it") }
	intry && /^```/ { inblock = !inblock; next }
	intry && inblock && $0 ~ ("#[ ]*" n ":") { sub(/[ \t]*#[^#]*$/, ""); print; exit }
' "$readme")
if [ -z "$cmd" ]; then
	echo "readme-command.sh: no command \"# $n:\" in the Try it block of $readme" >&2
	exit 1
fi
printf '%s\n' "$cmd"
