# Helpers for the system tests (sourced). Each test prints TAP lines:
# "ok N - what", "not ok N - what", "ok N - what # SKIP why".
# ARGOWEB is the binary under test; ARGOWEB_WRAP (e.g. valgrind) runs it.
set -u
: "${ARGOWEB:?set ARGOWEB to the binary under test}"
: "${FAKE:?set FAKE to the fake cloudflared}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# What systemd (or a container, or a CI runner under a unit) may have put in
# the caller's environment changes what argoweb does: a test that relies on
# one of these sets it itself.
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID LISTEN_FDS LISTEN_PID LISTEN_FDNAMES \
	CREDENTIALS_DIRECTORY RUNTIME_DIRECTORY STATE_DIRECTORY CONFIGURATION_DIRECTORY \
	INVOCATION_ID JOURNAL_STREAM MAINPID MANAGERPID
T_N=0
T_FAIL=0
# Scratch space whose every parent is root's or ours and not writable by
# others: credential checks refuse anything under /tmp, as they should, and
# the checkout itself may live anywhere.
if [ "$(id -u)" = 0 ]; then
	SCRATCH_BASE=${SCRATCH_BASE:-/run/argoweb-tests}
else
	SCRATCH_BASE=${SCRATCH_BASE:-${XDG_CACHE_HOME:-$HOME/.cache}/argoweb-tests}
fi
mkdir -p "$SCRATCH_BASE"
chmod 0755 "$SCRATCH_BASE"
T=$(mktemp -d "$SCRATCH_BASE/$(basename "$0" .sh).XXXXXX")
chmod 0755 "$T"
trap 't_cleanup' EXIT
t_cleanup() { rm -rf "$T"; }

# The service user must be able to run argoweb (as_user, setpriv below),
# and a clone may live where it cannot: a root user's checkout under a 0700
# /root. Run a copy from the scratch directory instead: the checks on
# credentials and binaries stay exactly as strict.
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$T/.aw"
	cp "$ARGOWEB" "$T/.aw/argoweb"
	chmod 0755 "$T/.aw" "$T/.aw/argoweb"
	ARGOWEB=$T/.aw/argoweb
fi

ok()     { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
skip()   { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }
check()  { # check "description" command...
	d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
done_testing() { echo "1..$T_N"; [ "$T_FAIL" = 0 ]; }
# bail_skip WHY: the whole test skipped (T_WHAT says what it would prove)
bail_skip() { skip "${T_WHAT:-$(basename "$0" .sh)}" "$1"; done_testing; exit 0; }
now_ms() { date +%s%3N; }

# A part of a test run in the background (one tunnel of several): part_begin
# NAME [TAG] sends its TAP and show lines to $T/NAME.tap, each naming TAG
# (NAME); part_merge NAME... then adds each part's lines to the test's, in
# order.
part_begin() {
	TAP=$T/$1.tap
	: >"$TAP"
	SHOW_TAG=${2:-$1} SHOW_OUT=$TAP
	ok() { echo "ok - $SHOW_TAG: $*" >>"$TAP"; }
	not_ok() { echo "not ok - $SHOW_TAG: $*" >>"$TAP"; }
}
part_merge() {
	for _part in "$@"; do
		while IFS= read -r _line; do
			case $_line in
			"ok - "*) ok "${_line#ok - }" ;;
			"not ok - "*) not_ok "${_line#not ok - }" ;;
			*) echo "$_line" ;;
			esac
		done <"$T/$_part.tap"
	done
}
# show [FILE...]: the lines as TAP comments, "#   LINE". A part of a test
# run in the background sets SHOW_TAG (each line then names it) and
# SHOW_OUT (the file its lines go to, for the test to add to its own).
show() {
	if [ -n "${SHOW_OUT:-}" ]; then
		sed "s/^/#   ${SHOW_TAG:+$SHOW_TAG: }/" "$@" >>"$SHOW_OUT"
	else
		sed "s/^/#   ${SHOW_TAG:+$SHOW_TAG: }/" "$@"
	fi
}

# aw ARGS...: run argoweb; sets RC, OUT, ERR (file contents).
aw() {
	# shellcheck disable=SC2086
	${ARGOWEB_WRAP:-} "$ARGOWEB" "$@" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# expect CODE "description" [stderr-substring...]
expect() {
	code=$1 d=$2; shift 2
	good=1
	[ "$RC" = "$code" ] || { good=0; echo "#   exit $RC, want $code"; }
	for s in "$@"; do
		case "$ERR" in *"$s"*) ;; *) good=0; echo "#   stderr lacks: $s";; esac
	done
	if [ "$good" = 1 ]; then ok "$d"; else not_ok "$d"; echo "#   stderr: $ERR" | head -5; fi
}

. "$TOP/tests/waitfor.sh"

# A well-formed credentials JSON (test secret, not a real one).
SECRET_B64=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=
TUNNEL_UUID=6ff42ae2-765d-4adf-8112-31c55c1551ef
write_cred_json() { # path [tunnel-id]
	printf '{"AccountTag":"0123456789abcdef0123456789abcdef","TunnelSecret":"%s","TunnelID":"%s"}\n' \
		"$SECRET_B64" "${2:-$TUNNEL_UUID}" >"$1"
	chmod 0600 "$1"
}
token_for() { # tunnel-id -> token on stdout
	printf '{"a":"0123456789abcdef0123456789abcdef","t":"%s","s":"%s"}' "$1" "$SECRET_B64" | base64 -w0
}
write_token() { # path [tunnel-id]
	token_for "${2:-$TUNNEL_UUID}" >"$1"
	echo >>"$1"
	chmod 0600 "$1"
}

# no_secret FILE...: no byte sequence of the test secret in these files.
no_secret() {
	for f in "$@"; do
		if grep -qF -e "$SECRET_B64" -e "c2VjcmV0c2VjcmV0" -e "$(token_for "$TUNNEL_UUID" | cut -c1-24)" "$f"; then
			echo "#   secret found in $f"
			return 1
		fi
	done
	return 0
}

# A private copy of the fake cloudflared in a root-owned, 0755 directory,
# with its control file. Sets FAKE_BIN and REC (its record directory).
setup_fake() { # control lines...
	mkdir -p "$T/bin" "$T/rec"
	cp "$FAKE" "$T/bin/cloudflared"
	chmod 0755 "$T/bin" "$T/bin/cloudflared"
	chmod 0777 "$T/rec"
	FAKE_BIN=$T/bin/cloudflared
	REC=$T/rec
	{ echo "record=$REC"; for l in "$@"; do echo "$l"; done; } >"$T/bin/fake-cloudflared.conf"
}

is_root() { [ "$(id -u)" = 0 ]; }

# The real connector's release ("2026.8.2"), for expectations that differ
# by release; release_ge VERSION: is it that release or a later one?
cf_release() {
	"${1:-$REAL_CLOUDFLARED}" --version 2>/dev/null | sed -n '1s/^cloudflared version \([0-9.]*\).*/\1/p'
}
release_ge() {
	[ "$(printf '%s\n%s\n' "$1" "${CF_RELEASE:?call cf_release first}" | sort -V | head -n 1)" = "$1" ]
}

# The service user of the tests: as root, one of their own, made once
# (nobody will not do: its group is also sync's and _apt's, and argoweb
# refuses a group anyone else has); daemon plays the stranger. Otherwise
# ourselves.
if is_root; then
	RUSER=argoweb-test
	getent passwd "$RUSER" >/dev/null ||
		flock /run/argoweb-tests.lock sh -c 'getent passwd "$1" >/dev/null ||
			useradd --system --user-group --no-create-home --home-dir /nonexistent \
				--shell /usr/sbin/nologin "$1"' _ "$RUSER" ||
		{ echo "Bail out! cannot add the tests' service user $RUSER" >&2; exit 1; }
	OTHER_USER=daemon
else
	RUSER=$(id -un)
	OTHER_USER=
fi
RGROUP=$(id -gn "$RUSER")

# as_user CMD...: run as the service user with nothing inherited.
as_user() {
	if is_root; then
		setpriv --reuid="$RUSER" --regid="$RGROUP" --clear-groups --inh-caps=-all "$@"
	else
		"$@"
	fi
}

# corpus_config FILE: the valid-corpus config FILE as $T/NAME.yaml, its
# placeholders filled (@CRED@, @TOKEN@: test credentials; @CLOUDFLARED@:
# the fake; @USER@, @GROUP@: the service user; @CACERT@: a readable PEM
# file, $T/ca.pem), and $T/creds.NAME holding
# the credential a config that names none gets from systemd (a token when
# NAME says so). Needs write_cred_json "$T/cred.json", write_token
# "$T/cred.token" and setup_fake first. Sets N to NAME.
corpus_config() {
	N=$(basename "$1" .yaml)
	[ -f "$T/ca.pem" ] || { printf -- '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' >"$T/ca.pem"; chmod 0644 "$T/ca.pem"; }
	sed -e "s#@CRED@#$T/cred.json#g" -e "s#@TOKEN@#$T/cred.token#g" -e "s#@CACERT@#$T/ca.pem#g" \
	    -e "s#@CLOUDFLARED@#$FAKE_BIN#g" -e "s#@USER@#$RUSER#g" -e "s#@GROUP@#$RGROUP#g" \
	    "$1" >"$T/$N.yaml"
	mkdir -p "$T/creds.$N"
	case $N in
	*token*) write_token "$T/creds.$N/argoweb";;
	*) write_cred_json "$T/creds.$N/argoweb";;
	esac
}
pkg_build_upgrade() {
	log=$1 deb=$2
	up=$(upgrade_deb_path)
	dir=${up%/*}
	v=${up##*/argoweb_}
	v=${v%_*.deb}
	(
		flock 9
		[ -f "$up" ] && [ ! "$deb" -nt "$up" ] && { echo "# reusing ${up##*/}"; exit 0; }
		echo "# building ${up##*/} for the upgrade"
		rm -rf "$dir" && mkdir -p "$dir/src" &&
			(cd "$TOP" && tar -cf - --exclude=./build --exclude=./.git --exclude-vcs .) | (cd "$dir/src" && tar -xf -) &&
			{
				printf 'argoweb (%s) unstable; urgency=medium\n\n' "$v"
				printf '  * Test build: the same package at a higher version (tests/lib.sh).\n\n'
				printf ' -- The argoweb authors <argoweb@example.org>  %s\n\n' "$(date -R)"
				cat "$TOP/packaging/debian/changelog"
			} >"$dir/changelog" &&
			mv "$dir/changelog" "$dir/src/packaging/debian/changelog" &&
			(cd "$dir/src" && DEB_BUILD_OPTIONS=nocheck packaging/debian/build.sh "$v") &&
			mv "$dir/src/build/${up##*/}" "$up" && rm -rf "$dir/src"
	) 9>"$TOP/build/.packages.lock" >"$log" 2>&1
}
# deb_path: where make deb puts the package (needs dpkg-architecture).
deb_path() {
	echo "$TOP/build/argoweb_$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$TOP/Makefile")_$(dpkg-architecture -qDEB_HOST_ARCH).deb"
}
