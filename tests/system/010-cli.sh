#!/bin/sh
# Command line: usage errors, --help, --version, CONFIG as path or name.
. "$(dirname "$0")/../lib.sh"

aw --version
check "--version prints the version" [ "$RC" = 0 ] && case "$OUT" in "argoweb "[0-9]*) true;; *) false;; esac
aw --help
check "--help exits 0 and lists the commands" sh -c '[ "$0" = 0 ] && echo "$1" | grep -q "argoweb run \[--dry-run | --handover\] CONFIG" &&
	echo "$1" | grep -q "argoweb restart CONFIG"' "$RC" "$OUT"
aw run --handover --dry-run "$TOP/examples/web.yaml"
check "run takes one option at a time: --handover --dry-run is a usage error (exit $RC)" [ "$RC" = 64 ]
printf 'protocl: quic\n' >"$T/bad-restart.yaml"
aw restart "$T/bad-restart.yaml"
expect 78 "restart checks the new config first: a bad one is refused before anything is touched" \
	"$T/bad-restart.yaml:1:1: protocl: unknown key"
cp "$TOP/examples/web.yaml" "$T/staging.yaml"
chmod 0644 "$T/staging.yaml"
if is_root; then
	aw restart "$T/staging.yaml"
	expect 64 "restart of a config that is not the installed one: refused (it would deploy what was not checked)" \
		"$T/staging.yaml: the tunnel's units run /etc/argoweb/staging.yaml"
	RC=0; as_user "$ARGOWEB" restart "$T/staging.yaml" >"$T/out" 2>"$T/err" || RC=$?; ERR=$(cat "$T/err")
else
	aw restart "$T/staging.yaml"
fi
expect 77 "restart by a user who is not root: 77 at once, not a hand-over that fails later" \
	"argoweb restart staging: run it as root"
aw check --config-only x.handover
expect 64 "an instance name ending in .handover is the hand-over connector's" "may not end in .handover"
aw
expect 64 "no arguments is a usage error" "usage: argoweb"
aw frobnicate web
expect 64 "unknown command is a usage error" "usage: argoweb"
aw check
expect 64 "check without CONFIG is a usage error"
aw check a b
expect 64 "two CONFIGs is a usage error"
aw render --config-only x.yaml
expect 64 "--config-only belongs to check only"
aw run --bogus x.yaml
expect 64 "unknown option is a usage error"
aw check "$T/missing.yaml"
expect 66 "missing config file exits 66 naming it" "$T/missing.yaml: cannot open"
aw check no-such-instance-$$
expect 66 "a bare name means /etc/argoweb/NAME.yaml" "/etc/argoweb/no-such-instance-$$.yaml"
aw check '../evil'
expect 66 "a name with a slash is a path, not an instance" "../evil"
aw check 'bad name!'
expect 64 "an instance name with odd characters is refused" "not a valid instance name"
mkdir "$T/dir.yaml"
aw check "$T/dir.yaml"
expect 78 "a directory as config is refused" "not a regular file"
# argoweb adopt: its usage and its refusals before anything is read.
aw adopt --undo
expect 64 "adopt --undo without NAME is a usage error" "usage: argoweb"
aw adopt --apply a.service b.service
expect 64 "adopt takes one unit" "usage: argoweb"
aw adopt ../etc/x.service
expect 64 "adopt of a unit whose name is no instance name: refused, saying so" \
	"../etc/x.service: not a unit whose name argoweb can take"
aw adopt --undo ../x
expect 64 "adopt --undo of no instance name" "../x: not an instance name"
if is_root; then
	aw adopt --undo argoweb-test-none
	expect 66 "adopt --undo with nothing adopted: says there is no manifest (exit 66)" \
		"/etc/argoweb/adopted/argoweb-test-none: no manifest of argoweb adopt"
	RC=0; as_user "$ARGOWEB" adopt --undo argoweb-test-none >"$T/out" 2>"$T/err" || RC=$?; ERR=$(cat "$T/err")
else
	aw adopt --undo argoweb-test-none
fi
expect 77 "adopt --undo by a user who is not root: 77" "run it as root"
aw adopt argoweb-test-none.service
if [ -d /run/systemd/system ] && [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
	expect 66 "adopt of a unit systemd does not have: 66, saying so" "argoweb-test-none.service: no such unit"
else
	expect 71 "adopt with no systemd running: 71, saying why (it reads the unit as systemd loaded it)" \
		"argoweb-test-none.service: systemctl show failed"
fi

done_testing
