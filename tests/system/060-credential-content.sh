#!/bin/sh
# Credential content: each broken secret is refused with exit 65 (66 when
# missing), a message naming the file and the field, and no byte of it.
. "$(dirname "$0")/../lib.sh"
setup_fake exit=1
mkdir -p "$T/etc"
cfg() { # identity-lines... -> $T/etc/c.yaml
	{ for l in "$@"; do echo "$l"; done
	  echo "ingress: [{service: 'http_status:404'}]"
	  echo "cloudflared: $FAKE_BIN"; echo "user: $RUSER"; } >"$T/etc/c.yaml"
}
cred() { # content -> $T/etc/cred (0600)
	printf '%s' "$1" >"$T/etc/cred"
	chmod 0600 "$T/etc/cred"
}
A=0123456789abcdef0123456789abcdef
J() { printf '{"AccountTag":"%s","TunnelSecret":"%s","TunnelID":"%s"}' "$1" "$2" "$3"; }
tok() { printf '%s' "$1" | base64 -w0; }

bad_json() { # description content expected-substring [tunnel]
	cred "$2"
	cfg "tunnel: ${4:-$TUNNEL_UUID}" "credentials-file: $T/etc/cred"
	aw check "$T/etc/c.yaml"
	expect 65 "credentials JSON: $1" "$T/etc/cred: " "$3"
	check "credentials JSON: $1: no secret printed" no_secret "$T/out" "$T/err"
}
bad_json "empty" "" "empty credential file"
bad_json "truncated" "$(J $A $SECRET_B64 $TUNNEL_UUID | head -c 50)" "not a tunnel credentials file"
bad_json "not JSON" "AccountTag=$A" "not a tunnel credentials file"
bad_json "YAML, not JSON" "{AccountTag: $A, TunnelSecret: $SECRET_B64, TunnelID: $TUNNEL_UUID}" "not a tunnel credentials file"
bad_json "a JSON list" "[1, 2]" "not a tunnel credentials file"
bad_json "missing TunnelSecret" "{\"AccountTag\":\"$A\",\"TunnelID\":\"$TUNNEL_UUID\"}" "TunnelSecret is missing"
bad_json "missing AccountTag" "{\"TunnelSecret\":\"$SECRET_B64\",\"TunnelID\":\"$TUNNEL_UUID\"}" "AccountTag is missing"
bad_json "missing TunnelID" "{\"AccountTag\":\"$A\",\"TunnelSecret\":\"$SECRET_B64\"}" "TunnelID is missing"
bad_json "TunnelSecret not base64" "$(J $A 'c2VjcmV0c2VjcmV0!!!' $TUNNEL_UUID)" "TunnelSecret is not base64"
bad_json "TunnelSecret unpadded" "$(J $A 'c2VjcmV0c2VjcmV0MTI' $TUNNEL_UUID)" "TunnelSecret is not base64"
bad_json "TunnelID not a UUID" "$(J $A $SECRET_B64 not-a-uuid)" "TunnelID is not a UUID"
bad_json "TunnelID does not match tunnel:" "$(J $A $SECRET_B64 11111111-2222-3333-4444-555555555555)" \
	"TunnelID is 11111111-2222-3333-4444-555555555555 but the config says tunnel: $TUNNEL_UUID"
bad_json "a token in credentials-file" "$(token_for $TUNNEL_UUID)" "not a tunnel credentials file"

# cloudflared's Go reads a key that folds to a field's name as that field
# (the last one winning): argoweb refuses any but the exact spelling, once.
bad_json "a key in lower case" \
	"{\"AccountTag\":\"$A\",\"tunnelsecret\":\"$SECRET_B64\",\"TunnelID\":\"$TUNNEL_UUID\"}" \
	'the key "tunnelsecret" is not spelled "TunnelSecret": cloudflared would read it too; write TunnelSecret exactly once'
bad_json "a key with U+017F (long s)" \
	"{\"AccountTag\":\"$A\",\"TunnelSecret\":\"$SECRET_B64\",\"TunnelID\":\"$TUNNEL_UUID\",\"Tunnel\\u017fecret\":\"AAAA\"}" \
	'the key "Tunnel\u017fecret" is not spelled "TunnelSecret"'
bad_json "TunnelID twice" \
	"{\"AccountTag\":\"$A\",\"TunnelSecret\":\"$SECRET_B64\",\"TunnelID\":\"$TUNNEL_UUID\",\"TunnelID\":\"$TUNNEL_UUID\"}" \
	"TunnelID appears twice: cloudflared uses the last; keep one"
bad_json "a key holding \\u0000" \
	"{\"AccountTag\":\"$A\",\"TunnelSecret\":\"$SECRET_B64\",\"TunnelID\\u0000x\":\"$TUNNEL_UUID\"}" \
	'the key "TunnelID\u0000x" holds a NUL'
cred "{\"AccountTag\":\"$A\",\"TunnelSecret\":\"$SECRET_B64\",\"TunnelID\":\"$TUNNEL_UUID\",\"tunnelname\":\"web\"}"
cfg "tunnel: $TUNNEL_UUID" "credentials-file: $T/etc/cred"
aw check "$T/etc/c.yaml"
expect 0 "a key that is no field may be spelled any way"

cred "$(J $A $SECRET_B64 $TUNNEL_UUID)"
cfg "tunnel: web-tunnel" "credentials-file: $T/etc/cred"
aw render "$T/etc/c.yaml"
check "a tunnel name renders as the credential's TunnelID" sh -c 'echo "$0" | grep -qx "tunnel: \"$1\""' "$OUT" "$TUNNEL_UUID"

bad_token() { # description content expected-substring
	cred "$2"
	cfg "token-file: $T/etc/cred"
	aw check "$T/etc/c.yaml"
	expect 65 "token: $1" "$T/etc/cred: " "$3"
	check "token: $1: no secret printed" no_secret "$T/out" "$T/err"
}
bad_token "not base64" "not*base64" "not base64"
bad_token "e30= ({})" "e30=" "token field a (account tag) is missing"
bad_token "newline inside" "$(token_for $TUNNEL_UUID | cut -c1-20)
$(token_for $TUNNEL_UUID | cut -c21-)" "white space or a line break inside the token"
bad_token "t not a UUID" "$(tok "{\"a\":\"$A\",\"t\":\"nope\",\"s\":\"$SECRET_B64\"}")" "token field t (tunnel ID) is missing or not a UUID"
bad_token "s not base64" "$(tok "{\"a\":\"$A\",\"t\":\"$TUNNEL_UUID\",\"s\":\"***\"}")" "token field s (tunnel secret)"
bad_token "a JSON file as token-file" "$(J $A $SECRET_B64 $TUNNEL_UUID)" "this is a credentials JSON, not a token"
bad_token "base64 of non-JSON" "$(tok 'hello world')" "does not decode to a JSON object"
bad_token "empty" "" "empty credential file"
bad_token "s in upper case" "$(tok "{\"a\":\"$A\",\"t\":\"$TUNNEL_UUID\",\"S\":\"$SECRET_B64\"}")" \
	'in the token: the key "S" is not spelled "s": cloudflared would read it too; write s exactly once'

cred "$(token_for $TUNNEL_UUID)
"
cfg "token-file: $T/etc/cred"
aw check "$T/etc/c.yaml"
expect 0 "a token file with a trailing newline is fine"

cfg "credentials-file: $T/etc/none.json"
aw check "$T/etc/c.yaml"
expect 66 "a missing credentials file exits 66" "$T/etc/none.json: cannot open the credential"

# $CREDENTIALS_DIRECTORY/argoweb: JSON or token, told apart by content.
mkdir -p "$T/cd"
write_cred_json "$T/cd/argoweb"
cfg "tunnel: $TUNNEL_UUID"
CREDENTIALS_DIRECTORY=$T/cd aw check "$T/etc/c.yaml"
expect 0 "\$CREDENTIALS_DIRECTORY/argoweb holding JSON"
write_token "$T/cd/argoweb"
printf 'cloudflared: %s\nuser: %s\n' "$FAKE_BIN" "$RUSER" >"$T/etc/t.yaml"
CREDENTIALS_DIRECTORY=$T/cd aw run --dry-run "$T/etc/t.yaml"
check "\$CREDENTIALS_DIRECTORY/argoweb holding a token becomes TUNNEL_TOKEN" \
	sh -c '[ "$0" = 0 ] && echo "$1" | grep -q "^environment:.*TUNNEL_TOKEN"' "$RC" "$OUT"
printf 'garbage' >"$T/cd/argoweb"
CREDENTIALS_DIRECTORY=$T/cd aw check "$T/etc/t.yaml"
expect 65 "a broken credential in \$CREDENTIALS_DIRECTORY" "$T/cd/argoweb: "
CREDENTIALS_DIRECTORY= aw check "$T/etc/t.yaml"
expect 78 "no credential anywhere is a config error" "no credential: set credentials-file: or token-file:"
aw check --config-only "$T/etc/t.yaml"
expect 0 "--config-only does not look for the credential"

# The shipped unit's LoadCredential=argoweb.json:/etc/argoweb/NAME.json and
# argoweb.token:...; the missing one arrives as its fallback text "absent".
# argoweb also looks at /etc/argoweb/NAME.json (.token) itself: instance
# names of this run only, so that a host's own tunnels change nothing.
U=awtest-u-$$ UT=awtest-t-$$
cp "$T/etc/t.yaml" "$T/etc/$UT.yaml"
rm -rf "$T/u"; mkdir -p "$T/u"
write_cred_json "$T/u/argoweb.json"
printf absent >"$T/u/argoweb.token"; chmod 0600 "$T/u/argoweb.token"
printf 'ingress: [{service: "http_status:404"}]\ncloudflared: %s\nuser: %s\n' "$FAKE_BIN" "$RUSER" >"$T/etc/$U.yaml"
CREDENTIALS_DIRECTORY=$T/u aw run --dry-run "$T/etc/$U.yaml"
check "unit credentials: argoweb.json is used, argoweb.token 'absent' skipped" \
	sh -c '[ "$0" = 0 ] && echo "$1" | grep -q "^credential: $2/argoweb.json (tunnel credentials JSON"' "$RC" "$OUT" "$T/u"
printf absent >"$T/u/argoweb.json"
write_token "$T/u/argoweb.token"
CREDENTIALS_DIRECTORY=$T/u aw run --dry-run "$T/etc/$UT.yaml"
check "unit credentials: argoweb.token is used when argoweb.json is 'absent'" \
	sh -c '[ "$0" = 0 ] && echo "$1" | grep -q "^credential: $2/argoweb.token (tunnel token"' "$RC" "$OUT" "$T/u"
printf absent >"$T/u/argoweb.token"
CREDENTIALS_DIRECTORY=$T/u aw check "$T/etc/$UT.yaml"
expect 78 "unit credentials: both 'absent' is no credential" "no credential:" "/etc/argoweb/$UT.json (or .token)"
# A classic config names /etc/argoweb/NAME.json itself: under the unit the
# service user cannot open that root-owned file, and gets systemd's copy.
write_cred_json "$T/u/argoweb.json"
printf 'tunnel: %s\ncredentials-file: /etc/argoweb/'"$U"'.json\ningress: [{service: "http_status:404"}]\ncloudflared: %s\nuser: %s\n' \
	"$TUNNEL_UUID" "$FAKE_BIN" "$RUSER" >"$T/etc/$U.yaml"
CREDENTIALS_DIRECTORY=$T/u aw run --dry-run "$T/etc/$U.yaml"
check "credentials-file: /etc/argoweb/NAME.json under the unit reads systemd's copy" \
	sh -c '[ "$0" = 0 ] && echo "$1" | grep -q "^credential: $2/argoweb.json"' "$RC" "$OUT" "$T/u"
printf 'tunnel: %s\ncredentials-file: /etc/argoweb/'"$U"'-other.json\ningress: [{service: "http_status:404"}]\ncloudflared: %s\nuser: %s\n' \
	"$TUNNEL_UUID" "$FAKE_BIN" "$RUSER" >"$T/etc/$U.yaml"
CREDENTIALS_DIRECTORY=$T/u aw check "$T/etc/$U.yaml"
expect 66 "any other credentials-file is opened itself, never swapped" "/etc/argoweb/$U-other.json: cannot open"
done_testing
