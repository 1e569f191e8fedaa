#!/bin/sh
# Hostile input: every case is refused with exit 78 and a located one-line
# error, and never hangs (a 20 s guard, 300 s under valgrind, turns a hang into a failure; the
# timings themselves are in bench/).
. "$(dirname "$0")/../lib.sh"
H='tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef
credentials-file: /etc/argoweb/x.json
ingress: [{service: "http_status:404"}]'

# Under valgrind everything is ~50x slower: the guard grows with it.
GUARD=20
[ -n "${ARGOWEB_WRAP:-}" ] && GUARD=300
hostile() { # name expected-substring file
	# shellcheck disable=SC2086
	timeout $GUARD ${ARGOWEB_WRAP:-} "$ARGOWEB" check --config-only "$3" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	ERR=$(head -c 600 "$T/err")
	if [ "$RC" = 124 ]; then not_ok "$1: did not answer within $GUARD s"; return; fi
	expect 78 "$1: refused" "$3:" "$2"
	check "$1: one line of error, bounded" [ "$(wc -l <"$T/err")" = 1 ] && [ "$(wc -c <"$T/err")" -lt 2048 ]
}

# Billion laughs: 9 levels of 9 aliases = 387 million nodes if expanded.
{
	echo "$H"
	echo 'x-lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'
	for i in 1 2 3 4 5 6 7 8 9; do
		p=$((i - 1))
		echo "x-lol$i: &l$i [*l$p, *l$p, *l$p, *l$p, *l$p, *l$p, *l$p, *l$p, *l$p]"
	done
} >"$T/bomb.yaml"
hostile "alias bomb" "alias bomb" "$T/bomb.yaml"

# The same bomb built from merge keys.
{
	echo "$H"
	echo 'x-m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}'
	for i in $(seq 1 40); do
		p=$((i - 1))
		echo "x-m$i: &m$i [*m$p, *m$p, *m$p, *m$p, *m$p, *m$p, *m$p, *m$p]"
	done
} >"$T/bomb2.yaml"
hostile "alias bomb through lists" "alias bomb" "$T/bomb2.yaml"

awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]"; print "" }' >"$T/deep.yaml"
hostile "100k-deep flow nesting" "nested too deeply" "$T/deep.yaml"

awk 'BEGIN { for (i = 0; i < 3000; i++) { for (j = 0; j < i; j++) printf " "; print "a:" } }' >"$T/deepblock.yaml"
hostile "3000-deep block nesting" "nested too deeply" "$T/deepblock.yaml"

{ printf 'x-'; head -c 1048576 /dev/zero | tr '\0' k; printf ': 1\n'; echo "$H"; } >"$T/bigkey.yaml"
hostile "megabyte key" "longer than 64 KiB" "$T/bigkey.yaml"

{ echo "$H"; printf 'label: '; head -c 1048576 /dev/zero | tr '\0' v; echo; } >"$T/bigval.yaml"
hostile "megabyte value" "longer than 64 KiB" "$T/bigval.yaml"

{ echo "$H"; printf 'label: a\000b\n'; } >"$T/nul.yaml"
hostile "NUL byte" "4:9: NUL byte" "$T/nul.yaml"

{ echo "$H"; printf 'label: "a\\0b"\n'; } >"$T/nulesc.yaml"
hostile "NUL from an escape" "NUL character in a value" "$T/nulesc.yaml"

{ echo "$H"; printf 'label: caf\377\n'; } >"$T/utf8.yaml"
hostile "invalid UTF-8" "4:11: invalid UTF-8" "$T/utf8.yaml"

{ echo "$H"; printf 'label: \300\257\n'; } >"$T/overlong.yaml"
hostile "overlong UTF-8" "invalid UTF-8" "$T/overlong.yaml"

{ echo "$H"; printf 'label: \355\240\200\n'; } >"$T/surrogate.yaml"
hostile "UTF-8 surrogate" "invalid UTF-8" "$T/surrogate.yaml"

printf '\377\376t\000u\000' >"$T/utf16.yaml"
hostile "UTF-16 file" "invalid UTF-8" "$T/utf16.yaml"

{ echo "$H"; echo 'x-self: &s [a, *s]'; } >"$T/recursive.yaml"
hostile "recursive alias" "recursive alias" "$T/recursive.yaml"

{ echo "$H"; echo 'x-big:'; awk 'BEGIN { for (i = 0; i < 200000; i++) print "  k" i ": v"; print "  k7: dup" }'; } >"$T/dupmap.yaml"
hostile "200k-key map with a late duplicate" "duplicate key \"k7\"" "$T/dupmap.yaml"

head -c 65536 /dev/urandom >"$T/random.yaml"
hostile "random bytes" "" "$T/random.yaml"

{ echo "$H"; printf 'x-pad: "'; head -c 34000000 /dev/zero | tr '\0' p; echo '"'; } >"$T/huge.yaml"
hostile "33 MB file" "larger than 32 MiB" "$T/huge.yaml"

# Many anchors and aliases that stay small: accepted, and quickly.
{ echo "$H"; echo 'x-anchors:'; awk 'BEGIN { for (i = 0; i < 50000; i++) print "  - &a" i " v" i; for (i = 0; i < 50000; i++) print "  - *a" i }'; } >"$T/anchors.yaml"
# shellcheck disable=SC2086
timeout $GUARD ${ARGOWEB_WRAP:-} "$ARGOWEB" check --config-only "$T/anchors.yaml" >/dev/null 2>"$T/err"
RC=$?
ERR=$(cat "$T/err")
expect 0 "100k anchors and aliases are accepted"

# Aliases that stay small in the tree but not when rendered (each written
# out in full): 200 KB that once rendered to 31.6 MB.
write_cred_json "$T/cred.json"
{
	printf 'tunnel: %s\ncredentials-file: %s\n' "$TUNNEL_UUID" "$T/cred.json"
	printf 'x-big: &big {httpHostHeader: "%s"}\n' "$(head -c 4000 /dev/zero | tr '\0' b)"
	echo 'ingress:'
	awk 'BEGIN { for (i = 0; i < 5000; i++) print "  - {hostname: h" i ".example.com, originRequest: *big, service: \"http://localhost:8080\"}"; print "  - service: \"http_status:404\"" }'
} >"$T/bomb.yaml"
# shellcheck disable=SC2086
timeout $GUARD ${ARGOWEB_WRAP:-} "$ARGOWEB" render "$T/bomb.yaml" >"$T/out" 2>"$T/err" </dev/null
RC=$?
ERR=$(cat "$T/err")
expect 78 "render: aliases that would write $(($(wc -c <"$T/bomb.yaml") / 1024)) KB out as 20 MB: refused" \
	"$T/bomb.yaml: cloudflared's config would be larger than 16 MiB"
check "render: nothing half-written on stdout ($(wc -c <"$T/out") bytes)" [ ! -s "$T/out" ]

# A value with terminal escapes and a forged line: shown, never acted on.
printf '%s\nx-pad: 1\nloglevel: "\\e[31mred\\nargoweb: forged"\n' "$H" >"$T/esc.yaml"
aw check --config-only "$T/esc.yaml"
expect 78 "control characters in a value: refused" '\x1b[31mred\x0aargoweb: forged'
check "control characters in a value: escaped, one line, no ESC byte" \
	sh -c '[ "$(wc -l <"$0")" = 1 ] && ! grep -q "$(printf "\033")" "$0"' "$T/err"
done_testing
