#!/bin/sh
# nix/ without Nixpkgs: every .nix file parses; nix/lib.nix (builtins only)
# renders each example tunnel (nix/tests/examples/NAME.nix) exactly as its
# golden file, keeps the ingress order, puts the catch-all last and no
# credential path in; argoweb accepts what it renders (and the secret
# through $CREDENTIALS_DIRECTORY/argoweb, as the module's units pass it),
# and rejects a bad hostname at build time; the module's assertions
# (lib.problems) catch what Nix can; nix/complete-config.sh completes a
# classic config; the keepalived notify script is where the module names
# it. Needs nix-instantiate (Debian: nix-bin).
. "$(dirname "$0")/../lib.sh"
if ! command -v nix-instantiate >/dev/null 2>&1; then
	echo "# nix-instantiate not found: the Nix files are NOT checked (apt-get install nix-bin)" >&2
	skip "nix/: parse, render, golden files" "nix-instantiate not found (Debian: apt-get install nix-bin)"
	done_testing; exit 0
fi
# Nix keeps all of its state here, talks to no daemon and writes no store.
export NIX_STATE_DIR="$T/nix/state" NIX_LOG_DIR="$T/nix/log" NIX_CONF_DIR="$T/nix/conf" \
	XDG_CACHE_HOME="$T/nix/cache" NIX_USER_CONF_FILES='' NIX_PATH=''
mkdir -p "$NIX_STATE_DIR" "$NIX_CONF_DIR"
NIXDIR=$TOP/nix
EX=$NIXDIR/tests/examples
LIB="(import $NIXDIR/lib.nix)"
# nixjson EXPR: the value as JSON; nixraw EXPR: a string, raw.
nixjson() { nix-instantiate --eval --strict --json --readonly-mode --store dummy:// -E "$1" 2>"$T/nixerr"; }
nixraw() { nix --extra-experimental-features nix-command eval --raw --impure --store dummy:// --expr "$1" 2>"$T/nixerr"; }
# is EXPR: the Nix expression is true.
is() { [ "$(nixjson "$1")" = true ] || { sed 's/^/#   /' "$T/nixerr" | head -5; return 1; }; }
ver=$(nix-instantiate --version 2>/dev/null)
echo "# $ver"

# 1. Every Nix file parses.
for f in $(find "$NIXDIR" -name '*.nix' | sort) $(ls "$TOP"/flake.nix 2>/dev/null); do
	if nix-instantiate --parse "$f" >/dev/null 2>"$T/parse"; then
		ok "parses: ${f#"$TOP"/}"
	else
		not_ok "parses: ${f#"$TOP"/}"
		sed 's/^/#   /' "$T/parse" | head -5
	fi
done

# 2. Each example (but bad-*) renders as its golden file; argoweb takes it.
# UPDATE_GOLDEN=1 rewrites the golden files (review the diff!).
write_cred_json "$T/cred.json"
write_token "$T/cred.token"
setup_fake exit=1
for f in "$EX"/*.nix; do
	n=$(basename "$f" .nix)
	case $n in bad-*) continue;; esac
	g=$EX/$n.golden
	ex="import $f"
	if nixraw "$LIB.toYAML ($ex)" >"$T/$n.rendered"; then
		[ -n "${UPDATE_GOLDEN:-}" ] && cp "$T/$n.rendered" "$g"
		if cmp -s "$T/$n.rendered" "$g"; then ok "$n: lib.toYAML matches $n.golden"; else
			not_ok "$n: lib.toYAML matches $n.golden"
			diff -u "$g" "$T/$n.rendered" | sed 's/^/#   /' | head -20
		fi
	else
		not_ok "$n: lib.toYAML evaluates"; sed 's/^/#   /' "$T/nixerr" | head -5
		continue
	fi
	check "$n: the module's assertions find nothing (lib.problems = [ ])" is "$LIB.problems ($ex) == [ ]"
	# The instance name is the file name, as the module's NAME/NAME.yaml.
	name=$(nixraw "($ex).name")
	mkdir -p "$T/$n" && cp "$T/$n.rendered" "$T/$n/$name.yaml"
	aw check --config-only "$T/$n/$name.yaml"
	expect 0 "$n: argoweb check --config-only accepts the rendering (the build-time check)"
	check "$n: no credential path in the rendering" sh -c '! grep -q "credentials-file\|token-file\|\.json\|\.token" "$0"' "$T/$n.rendered"
	# As the unit runs it: the secret in $CREDENTIALS_DIRECTORY/argoweb
	# (LoadCredential=argoweb:FILE), JSON or token told apart by content.
	nixraw "$LIB.toYAML (($ex) // { cloudflared = \"$FAKE_BIN\"; user = \"$RUSER\"; group = \"$RGROUP\"; })" \
		>"$T/$n/$name.yaml"
	mkdir -p "$T/$n/creds"
	if is "($ex) ? tokenFile"; then cp "$T/cred.token" "$T/$n/creds/argoweb"; else cp "$T/cred.json" "$T/$n/creds/argoweb"; fi
	CREDENTIALS_DIRECTORY=$T/$n/creds
	export CREDENTIALS_DIRECTORY
	aw check "$T/$n/$name.yaml"
	expect 0 "$n: argoweb check passes with the secret from \$CREDENTIALS_DIRECTORY/argoweb"
	aw render "$T/$n/$name.yaml"
	expect 0 "$n: argoweb render"
	check "$n: argoweb's rendering holds no secret" no_secret "$T/out" "$T/err"
	unset CREDENTIALS_DIRECTORY
done

# 3. Ingress: the order given, the catch-all last, the default as its service.
web="import $EX/web.nix"
check "ingress order is kept: the rendered hostnames are the given ones, in order" \
	is "let r = ($LIB.render ($web)).ingress; in map (x: x.hostname or null) r == map (x: x.hostname) ($web).ingress ++ [ null ]"
check "ssh.example.com stays before *.example.com (alphabetical order would swap them)" \
	is "map (x: x.hostname) (builtins.genList (builtins.elemAt ($LIB.render ($web)).ingress) 2) == [ \"ssh.example.com\" \"*.example.com\" ]"
check "the catch-all is last and only last, with the default service" \
	is "let l = $LIB; r = (l.render ($web)).ingress; n = builtins.length r; in
	    l.isCatchAll (builtins.elemAt r (n - 1)) && (builtins.elemAt r (n - 1)).service == ($web).default
	    && builtins.all (x: !(l.isCatchAll x)) (builtins.genList (builtins.elemAt r) (n - 1))"
check "the catch-all defaults to http_status:404" \
	is "(builtins.elemAt ($LIB.render (import $EX/minimal.nix)).ingress 1).service == \"http_status:404\""
check "a token tunnel with no rules leaves ingress to the dashboard" \
	is "!(($LIB.render (import $EX/token.nix)) ? ingress)"
check "neither credentialsFile nor tokenFile is rendered" \
	is "builtins.all (t: let r = $LIB.render t; in !(r ? credentials-file || r ? token-file || r ? credentialsFile || r ? tokenFile)) [ ($web) (import $EX/token.nix) (import $EX/minimal.nix) ]"
check "settings cannot move the catch-all: ingress comes from the ingress list only" \
	is "let t = ($web) // { settings = { ingress = [ ]; }; }; in ($LIB.problems t) != [ ]"

# 4. A bad hostname fails the build, not the boot.
nixraw "$LIB.toYAML (import $EX/bad-hostname.nix)" >"$T/bad.yaml"
aw check --config-only "$T/bad.yaml"
expect 78 "bad-hostname: argoweb check --config-only refuses it (78), with the line" "bad.yaml:" "not a valid hostname"

# 5. What the module asserts (lib.problems), with Nix alone.
base="{ name = \"t\"; cloudflared = \"/x\"; credentialsFile = \"/etc/argoweb/t.json\"; ingress = [ { hostname = \"a.example.com\"; service = \"http://localhost:1\"; } ]; }"
problem() { # description expression-for-t substring
	d=$1 t=$2 want=$3
	out=$(nixjson "$LIB.problems ($t)")
	case "$out" in *"$want"*) ok "$d";; *) not_ok "$d"; echo "#   problems: $out"; sed 's/^/#   /' "$T/nixerr" | head -3;; esac
}
problem "both credentialsFile and tokenFile: refused" "$base // { tokenFile = \"/etc/argoweb/t.token\"; }" "set exactly one of credentialsFile"
problem "neither credentialsFile nor tokenFile: refused" "removeAttrs ($base) [ \"credentialsFile\" ]" "set exactly one of credentialsFile"
problem "ingress as an attribute set: refused" "$base // { ingress = { \"a.example.com\" = \"http://localhost:1\"; }; }" "must be a list"
problem "a catch-all among the rules: refused, pointing at default" "$base // { ingress = [ { service = \"http://localhost:1\"; } { hostname = \"b.example.com\"; service = \"http://localhost:2\"; } ]; }" "set \`default\` for the catch-all"
problem "settings.token: refused (no secret in the config)" "$base // { settings.token = \"eyJhIjoi\"; }" "settings may not set token"
problem "tokenFile with tunnel: refused" "removeAttrs ($base) [ \"credentialsFile\" ] // { tokenFile = \"/etc/argoweb/t.token\"; tunnel = \"x\"; }" "a token names its tunnel itself"
problem "a credential in the Nix store: refused" "$base // { credentialsFile = \"/nix/store/00000000000000000000000000000000-t.json\"; }" "is in the Nix store"
problem "a relative credential path: refused" "$base // { credentialsFile = \"t.json\"; }" "must be an absolute path"
problem "a credential as a path literal: refused" "$base // { credentialsFile = /etc/argoweb/t.json; }" "credentialsFile must be a string"
problem "a path literal in settings (origincert, a secret): refused" "$base // { settings.origincert = /etc/argoweb/cert.pem; }" "settings.origincert puts a local file into the world-readable Nix store"
problem "a path literal deep in a rule: refused" "$base // { ingress = [ { hostname = \"a.example.com\"; service = \"http://localhost:1\"; originRequest.caPool = /etc/ssl/ca.pem; } ]; }" "ingress.0.originRequest.caPool puts a local file"
echo secret >"$T/cert.pem"
problem "a string made from a path (\"\${./cert.pem}\"): refused" "$base // { settings.origincert = \"\${$T/cert.pem}\"; }" "settings.origincert puts a local file"
check "a plain path string in settings passes" is "$LIB.problems ($base // { settings.origincert = \"/etc/argoweb/cert.pem\"; }) == [ ]"
check "instance names as argoweb derives them: web.yaml, a store path, .yml" \
	is "map $LIB.instanceName [ \"/etc/argoweb/web.yaml\" \"/nix/store/00000000000000000000000000000000-mytunnel.yaml\" \"/x/edge.yml\" ] == [ \"web\" \"mytunnel\" \"edge\" ]"

# 6. Active/standby: where a tunnel's unit belongs (the module's activeOnly).
check "a tunnel starts at boot: wantedBy multi-user.target, part of nothing" \
	is "$LIB.placement false == { wantedBy = [ \"multi-user.target\" ]; partOf = [ ]; }"
check "activeOnly: wanted by and part of argoweb-active.target, nothing at boot" \
	is "$LIB.placement true == { wantedBy = [ \"argoweb-active.target\" ]; partOf = [ \"argoweb-active.target\" ]; }"
target=$(nixraw "$LIB.activeTarget")
check "... the target the package ships (systemd/$target), the one argoweb-active@.service is WantedBy= and PartOf=" \
	sh -c '[ -f "$0/systemd/$1" ] && grep -qx "WantedBy=$1" "$0/systemd/argoweb-active.fragment" &&
		grep -qx "PartOf=$1" "$0/systemd/argoweb-active.fragment"' "$TOP" "$target"

# 7. The classic config: completed with cloudflared: and user:, or refused.
cc() { sh "$NIXDIR/complete-config.sh" "$1" "$2" "$FAKE_BIN" "$RUSER" 2>"$T/cc.err"; }
mkdir -p "$T/classic"
cp "$TOP/examples/classic.yaml" "$T/classic/in.yaml"
if cc "$T/classic/in.yaml" "$T/classic/mytunnel.yaml"; then
	check "complete-config: the classic example keeps its text and gains cloudflared: and user:" sh -c '
		head -n "$(wc -l <"$1")" "$2" | cmp -s "$1" - &&
		tail -n 2 "$2" | tr "\n" " " | grep -qx "cloudflared: \"$3\" user: \"$4\" "' _ \
		"$T/classic/in.yaml" "$T/classic/mytunnel.yaml" "$FAKE_BIN" "$RUSER"
	aw check --config-only "$T/classic/mytunnel.yaml"
	expect 0 "complete-config: argoweb check --config-only accepts the completed classic config"
else
	not_ok "complete-config: the classic example is completed"; sed 's/^/#   /' "$T/cc.err"
fi
printf 'tunnel: x\ncloudflared: /opt/cf\nuser: bob\ningress:\n  - service: http_status:404' >"$T/classic/named.yaml"
cc "$T/classic/named.yaml" "$T/classic/named.out"
check "complete-config: a config naming both is left exactly as it is" cmp -s "$T/classic/named.yaml" "$T/classic/named.out"
printf '{"tunnel": "x", "ingress": [{"service": "http_status:404"}]}\n' >"$T/classic/flow.yaml"
cc "$T/classic/flow.yaml" "$T/classic/flow.out"
check "complete-config: a JSON config that names neither is refused with what to add" \
	sh -c '[ "$0" != 0 ] && grep -q "add cloudflared: user:" "$1"' "$?" "$T/cc.err"
printf 'tunnel: x\ningress:\n  - service: http_status:404\n...\n' >"$T/classic/end.yaml"
cc "$T/classic/end.yaml" "$T/classic/end.out"
check "complete-config: a config ending with ... is refused, not broken" [ "$?" != 0 ]

# 3. One source for the unit's settings: the module takes
# systemd/argoweb@.service's [Service] from the file (lib.unitSection), so
# the two cannot drift. The parse holds every directive as the file gives
# it (a repeated one as the list of its values); module.nix sets none of
# them itself but those a NixOS unit must set otherwise.
unit=$TOP/systemd/argoweb@.service
got=$(nixjson "$LIB.unitSection \"Service\" (builtins.readFile \"$unit\")")
check "lib.unitSection reads argoweb@.service's [Service] directive for directive" \
	python3 -c 'import json, re, sys
want, inside = {}, False
for line in open(sys.argv[1]).read().split("\n"):
    m = re.fullmatch(r"\[(.*)\]", line)
    if m:
        inside = m.group(1) == "Service"
        continue
    m = re.fullmatch(r"([A-Za-z]+)[ \t]*=[ \t]*(.*)", line)
    if inside and m:
        k, v = m.groups()
        want[k] = v if k not in want else (want[k] if isinstance(want[k], list) else [want[k]]) + [v]
got = json.loads(sys.argv[2])
sys.exit(0 if got == want and len(want) > 40 else 1)' "$unit" "$got"
check "the units lib.unitSection reads use none of what it does not read (a line continued with \\, an indented directive)" \
	sh -c '! grep -qE "\\\\\$|^[[:space:]]+[A-Za-z]+[[:space:]]*=" "$0" "$1"' "$unit" "$TOP/systemd/backoff.conf"
own="ExecStart User Group RuntimeDirectory StateDirectory StateDirectoryMode Restart TimeoutStartSec"
sed -n '/^  mkUnit = /,/^  tunnelUnits = /p' "$NIXDIR/module.nix" >"$T/mkunit.nix"
dup=
for k in $(sed -n '/^\[Service\]/,/^\[/s/^\([A-Za-z]*\)=.*/\1/p' "$unit" | sort -u); do
	case " $own " in *" $k "*) continue;; esac
	grep -Eq "^[[:space:]]+$k = " "$T/mkunit.nix" && dup="$dup $k"
done
check "module.nix takes the unit's [Service] from the file; its units set none of it again (${dup:-none set})" \
	sh -c '[ -z "$0" ] && [ -s "$2" ] && grep -q "unitSection \"Service\" (builtins.readFile (../systemd + \"/argoweb@.service\"))" "$1"' \
	"$dup" "$NIXDIR/module.nix" "$T/mkunit.nix"

# The keepalived notify script where the module's vrrpInstance links it
# (/etc/argoweb/vrrp-notify, from the package's make install, as
# nix/package.nix runs it: PREFIX=$out), and keepalived.conf names that
# link, never a store path.
out=/nix/store/00000000000000000000000000000000-argoweb
make -s -C "$TOP" install DESTDIR="$T/inst" PREFIX="$out" UNITDIR="$out/lib/systemd/system" \
	SYSUSERSDIR="$out/lib/sysusers.d" TMPFILESDIR="$out/lib/tmpfiles.d" >"$T/install.log" 2>&1
named=$(sed -n 's|.*"argoweb/vrrp-notify".source = "\${cfg.package}/\([^"]*\)".*|\1|p' "$NIXDIR/module.nix")
check "module: /etc/argoweb/vrrp-notify links \${cfg.package}/$named, which make install puts there" \
	sh -c '[ -n "$1" ] && [ -x "$0/$1" ]' "$T/inst$out" "$named"
check "module: keepalived.conf's notify is /etc/argoweb/vrrp-notify (a store path would restart keepalived at each upgrade)" \
	sh -c 'grep -q "^ *notify /etc/argoweb/vrrp-notify$" "$0" && ! grep -q "notify \\\${" "$0"' "$NIXDIR/module.nix"
done_testing
