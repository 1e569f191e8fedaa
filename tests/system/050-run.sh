#!/bin/sh
# `run` execs the (fake) cloudflared with exactly the planned argv, the
# allow-listed environment with the secret in it, only fds 0-2, and the
# rendered config written atomically with mode 0600.
. "$(dirname "$0")/../lib.sh"
setup_fake exit=1
mkdir -p "$T/etc" "$T/run"
chmod 0755 "$T/etc"
write_cred_json "$T/etc/web.json"
write_token "$T/etc/web.token"
is_root && chown "$RUSER" "$T/etc/web.json" "$T/etc/web.token" "$T/run" "$REC"
cat >"$T/etc/web.yaml" <<EOF2
tunnel: $TUNNEL_UUID
credentials-file: $T/etc/web.json
ingress:
  - hostname: www.example.com
    service: http://localhost:8080
  - service: http_status:404
user: $RUSER
cloudflared: $FAKE_BIN
EOF2
cp "$T/etc/web.yaml" "$T/etc/tok.yaml"
sed -i -e "/^tunnel:/d" -e "s#^credentials-file: .*#token-file: $T/etc/web.token#" "$T/etc/tok.yaml"
printf 'quick: http://localhost:8080\nuser: %s\ncloudflared: %s\n' "$RUSER" "$FAKE_BIN" >"$T/etc/quick.yaml"

# run_as_user CONFIG: run argoweb as the service user, with stray fds 5 and 7
# open and some environment that must not reach cloudflared.
run_as_user() {
	rm -f "$REC"/record.*
	( exec 5<"$T/etc/web.yaml" 7>"$T/stray"
	  RUNTIME_DIRECTORY=$T/run SECRET_THING=leak LD_PRELOAD= HOME=/nonexistent \
	  as_user ${ARGOWEB_WRAP:-} "$ARGOWEB" run "$1" >"$T/out" 2>"$T/err" </dev/null )
	RC=$?
	ERR=$(cat "$T/err")
	R=$REC/record.latest
}

run_as_user "$T/etc/web.yaml"
expect 0 "run execs cloudflared (its exit status is ours)"
check "argv is cloudflared --no-autoupdate tunnel --config RENDERED run" \
	sh -c '[ "$(grep "^argv" "$0" | cut -d= -f2- | tr "\n" " ")" = "$1 --no-autoupdate tunnel --config $2/config.yml run " ]' "$R" "$FAKE_BIN" "$T/run"
names=$(grep '^env:' "$R" | cut -d: -f2- | cut -d= -f1 | sort | tr '\n' ' ')
check "environment is the allow-list only (got: $names)" sh -c '
	for n in $0; do case $n in PATH|HOME|LANG|TZ|JOURNAL_STREAM|NOTIFY_SOCKET|TUNNEL_CRED_CONTENTS|TUNNEL_MANAGEMENT_DIAGNOSTICS) ;; *) exit 1;; esac; done' "$names"
check "TUNNEL_MANAGEMENT_DIAGNOSTICS=false: the config file alone cannot turn it off" \
	grep -qx 'env:TUNNEL_MANAGEMENT_DIAGNOSTICS=false' "$R"
check "PATH is the fixed one" grep -qx 'env:PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$R"
check "TUNNEL_CRED_CONTENTS is exactly the checked file" \
	sh -c '[ "$(grep "^env:TUNNEL_CRED_CONTENTS=" "$0" | cut -d= -f2-)" = "$(cat "$1")" ]' "$R" "$T/etc/web.json"
check "no TUNNEL_TOKEN for a credentials file" sh -c '! grep -q "^env:TUNNEL_TOKEN" "$0"' "$R"
check "only fds 0-2 are open in cloudflared" sh -c '[ "$(sed -n "/^--- fds/,/^---/p" "$0" | grep -c "^fd ")" = 3 ] && ! grep -q "^fd [3-9]" "$0"' "$R"
check "the secret is not in argv" sh -c '! grep "^argv" "$0" | grep -q c2VjcmV0'  "$R"
check "argoweb printed no secret" no_secret "$T/out" "$T/err"
check "rendered config is mode 0600, owned by the service user" \
	sh -c '[ "$(stat -c "%a %U" "$0/config.yml")" = "600 $1" ]' "$T/run" "$RUSER"
CREDENTIALS_DIRECTORY= aw render "$T/etc/web.yaml"
check "cloudflared read exactly what render prints" \
	sh -c 'sed -n "/^--- config/,/^--- end/p" "$0" | sed "1d;\$d" | cmp -s - "$1"' "$R" "$T/out"
check "rendered config holds no secret and no credential path" \
	sh -c '! grep -q -e c2VjcmV0 -e web.json "$0/config.yml"' "$T/run"
check "no temporary file left beside it" sh -c '[ "$(ls -A "$0")" = config.yml ]' "$T/run"

run_as_user "$T/etc/tok.yaml"
expect 0 "run with a token"
check "TUNNEL_TOKEN is exactly the token" \
	sh -c '[ "$(grep "^env:TUNNEL_TOKEN=" "$0" | cut -d= -f2-)" = "$(cat "$1")" ]' "$R" "$T/etc/web.token"
check "the token is not in argv" sh -c '! grep "^argv" "$0" | grep -q "$1"' "$R" "$(head -c 20 "$T/etc/web.token")"

run_as_user "$T/etc/quick.yaml"
expect 0 "run a quick tunnel"
check "quick tunnel argv ends with --url URL" \
	sh -c '[ "$(grep "^argv" "$0" | cut -d= -f2- | tail -n 3 | tr "\n" " ")" = "$1/config.yml --url http://localhost:8080 " ]' "$R" "$T/run"
check "quick tunnel gets no secret" sh -c '! grep -q "^env:TUNNEL_\\(TOKEN\\|CRED_CONTENTS\\)" "$0"' "$R"

# The replace is a rename: a link planted at config.yml is replaced, its
# target untouched.
echo precious >"$T/target"
ln -sf "$T/target" "$T/run/config.yml"
run_as_user "$T/etc/web.yaml"
check "a symlink at config.yml is replaced, not followed" \
	sh -c '[ "$(cat "$0")" = precious ] && [ ! -L "$1/config.yml" ]' "$T/target" "$T/run"

setup_fake exitcode=3
is_root && chown "$RUSER" "$REC"
run_as_user "$T/etc/web.yaml"
expect 3 "cloudflared's exit status passes through (same process)"

# Dry run: the plan, names of the environment only, nothing written.
rm -f "$T/run/config.yml"
RUNTIME_DIRECTORY=$T/run aw run --dry-run "$T/etc/web.yaml"
expect 0 "run --dry-run succeeds"
check "dry run prints the exec line" sh -c 'echo "$0" | grep -qx "exec: $1 --no-autoupdate tunnel --config $2/config.yml run"' "$OUT" "$FAKE_BIN" "$T/run"
check "dry run names the secret variable, not its value" sh -c 'echo "$0" | grep -q "^environment:.*TUNNEL_CRED_CONTENTS"' "$OUT"
check "dry run prints no secret" no_secret "$T/out" "$T/err"
check "dry run writes nothing" [ ! -e "$T/run/config.yml" ]

# cloudflared missing or not executable: 69 with where it looked.
sed "s#^cloudflared: .*#cloudflared: $T/nope/cloudflared#" "$T/etc/web.yaml" >"$T/etc/missing.yaml"
RUNTIME_DIRECTORY=$T/run aw run "$T/etc/missing.yaml"
expect 69 "missing cloudflared exits 69" "$T/nope/cloudflared"
aw check "$T/etc/missing.yaml"
expect 69 "check also finds cloudflared missing" "not found at $T/nope/cloudflared"
printf '#!/bin/sh\n' >"$T/bin/noexec"
chmod 0644 "$T/bin/noexec"
sed "s#^cloudflared: .*#cloudflared: $T/bin/noexec#" "$T/etc/web.yaml" >"$T/etc/noexec.yaml"
aw check "$T/etc/noexec.yaml"
expect 69 "non-executable cloudflared exits 69" "$T/bin/noexec is not an executable"

done_testing
