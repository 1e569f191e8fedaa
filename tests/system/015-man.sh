#!/bin/sh
# The man pages are valid mdoc: mandoc -Tlint reports no warning or error.
. "$(dirname "$0")/../lib.sh"
if ! command -v mandoc >/dev/null; then
	skip "man pages lint" "mandoc is not installed"
else
	for m in "$TOP"/man/*.[1-8]; do
		check "$(basename "$m"): mandoc -Tlint clean" sh -c '! mandoc -Tlint -W warning "$0" 2>&1 | grep .' "$m"
	done
fi
done_testing
