#!/bin/sh
# Run the unit test binaries given (optionally under $UNIT_WRAP) and total.
# As in lib.sh: nothing systemd put in the caller's environment reaches a test.
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID LISTEN_FDS LISTEN_PID LISTEN_FDNAMES \
	CREDENTIALS_DIRECTORY RUNTIME_DIRECTORY STATE_DIRECTORY CONFIGURATION_DIRECTORY
pass=0 fail=0 skipped=0
for t in "$@"; do
	echo "# $t"
	# shellcheck disable=SC2086
	out=$(${UNIT_WRAP:-} "$t" 2>&1)
	rc=$?
	printf "%s\n" "$out" | grep -v "^ok " | grep -v '^[0-9]* passed, [0-9]* failed$'
	printf "%s\n" "$out" | grep "^ok .*# SKIP"
	p=$(printf "%s\n" "$out" | grep -c "^ok ")
	s=$(printf "%s\n" "$out" | grep -c "^ok .*# SKIP")
	f=$(printf "%s\n" "$out" | grep -c "^not ok ")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - $t exited $rc"; fi
	pass=$((pass + p - s)) fail=$((fail + f)) skipped=$((skipped + s))
done
echo "unit: $pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
