# Sourced by tests/lib.sh, and inside the test bed by tests/testbed/inside.sh
# (copied to /testbed beside it): the one wait of the tests.

# waitfor SECONDS CMD...: run CMD every 0.1 s until it succeeds (0) or
# SECONDS have passed (1); the tests that time an event read the time
# right after it. (Its counter's name is its own: callers' n, w and i stay
# theirs.)
waitfor() {
	_wf_n=$(($1 * 10))
	shift
	while [ "$_wf_n" -gt 0 ]; do "$@" && return 0; sleep 0.1; _wf_n=$((_wf_n - 1)); done
	return 1
}
