#!/bin/sh
# tags: real-connector
# argoweb's renderings against a REAL cloudflared ($REAL_CLOUDFLARED, set by
# .ci/run; else one on PATH; skipped, with a reason, where there is none).
#
# For every config in tests/configs/valid:
# - `cloudflared tunnel --config RENDERED ingress validate` accepts the
#   rendering (a token or quick tunnel's rendering has no ingress: there
#   cloudflared must fail on exactly that and on nothing else);
# - cloudflared reads the original config as it is (argoweb's own keys,
#   user:, group:, cloudflared:, health:, x-*:, are ignored by it), unless
#   it cannot (no ingress, or a value it would mistype): then say why;
# - `cloudflared tunnel --config X ingress rule URL` picks the same rule
#   (number and content) on the original and on the rendering, for each
#   rule's hostname, wildcard matches, paths that do and do not match, and
#   an unmatched host; together the URLs reach every rule.
# - each as this release reads it: a key the release ignores is left out
#   of the rendering (so it validates with no "unused keys" warning), and
#   rules are numbered as the release numbers them;
# - what a release refuses at start-up argoweb refuses too, for it alone.
# Only offline cloudflared commands are run, in an empty environment (and
# `tunnel run` only in a network namespace with nothing but loopback).
#
#   REAL_CLOUDFLARED=/path/to/cloudflared  (else `command -v cloudflared`)
. "$(dirname "$0")/../lib.sh"

# ---- find a real cloudflared (not argoweb's fake) --------------------------
TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout 30"
is_real() { # path -> sets CF_VERSION
	[ -n "$1" ] && [ -f "$1" ] && [ -x "$1" ] || return 1
	CF_VERSION=$($TIMEOUT "$1" --version 2>&1 </dev/null | head -n1)
	case $CF_VERSION in "cloudflared version "*) return 0;; esac
	return 1
}
CF=
if [ -n "${REAL_CLOUDFLARED:-}" ]; then
	if is_real "$REAL_CLOUDFLARED"; then
		CF=$REAL_CLOUDFLARED
	else
		not_ok "REAL_CLOUDFLARED=$REAL_CLOUDFLARED is a real cloudflared"
		echo "#   its --version said: ${CF_VERSION:-nothing}"
		done_testing
		exit
	fi
else
	c=$(command -v cloudflared 2>/dev/null) || c=
	if is_real "$c"; then
		CF=$c
	elif [ -n "$c" ]; then
		skip "renderings against a real cloudflared" \
			"cloudflared on PATH ($c) is not a real one (set REAL_CLOUDFLARED)"
		done_testing
		exit
	fi
fi
if [ -z "$CF" ]; then
	skip "renderings against a real cloudflared" "no cloudflared on this machine (set REAL_CLOUDFLARED)"
	done_testing
	exit
fi
echo "# using $CF: $CF_VERSION"
CF_RELEASE=$(cf_release "$CF")
# "Matched rule #N" counts from 1 up to 2023.9, from 0 since 2023.10.0
# (adb7d400, "Make rule match test report rule in 0-index base").
if release_ge 2023.10.0; then FIRST_RULE=0; else FIRST_RULE=1; fi

# cf CONFIG ARGS...: run `cloudflared tunnel --config CONFIG ARGS...` with
# no inherited TUNNEL_* variables; sets CF_RC and CF_OUT (stdout+stderr,
# without the "Validating/Using rules from FILE" line, which names a path).
cf() {
	cfg=$1; shift
	(cd "$T" && $TIMEOUT env -i HOME="$T" PATH=/usr/bin:/bin \
		"$CF" tunnel --config "$cfg" "$@" </dev/null >"$T/cf.out" 2>&1)
	CF_RC=$?
	CF_OUT=$(grep -v -e '^Validating rules from ' -e '^Using rules from ' "$T/cf.out")
}
# The "field X not found in type T" warnings of the last cf, one a line.
unused_keys() {
	printf '%s\n' "$CF_OUT" | sed -n 's/.*field \([^ ]*\) not found in type \([^ ]*\).*/\1 (\2)/p' | sort -u
}
# ingress validate's verdict: "ok", "warn" (accepted, with unused keys) or "bad".
verdict() {
	case $CF_OUT in
	*"Validation failed"*|*"Incorrect Usage"*|*"expected "*" found "*|*"error parsing"*) echo bad;;
	*"Warning: unused keys detected"*) if [ "$CF_RC" = 0 ]; then echo warn; else echo bad; fi;;
	*) if [ "$CF_RC" = 0 ] && [ "$(printf '%s\n' "$CF_OUT" | tail -n1)" = OK ]; then echo ok; else echo bad; fi;;
	esac
}
diag() { printf '%s\n' "$@" | sed 's/^/#   /'; }

# Hostnames of the rendering's ingress rules (block style, one rule a "- ").
rule_hosts() {
	awk '/^ingress:/ { in_ing = 1; next }
	     /^[^ -]/    { in_ing = 0 }
	     in_ing && /^(- |  )hostname: / { sub(/^(- |  )hostname: */, ""); print }' "$1" |
	sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\\(.*\\)'\$/\\1/"
}
rule_count() {
	awk '/^ingress:/ { in_ing = 1; next } /^[^ -]/ { in_ing = 0 } in_ing && /^- / { n++ }
	     END { print n + 0 }' "$1"
}
# Request paths to try on every host; the configs with path filters get
# paths that do and do not match each of them.
paths_for() {
	echo / /some/page
	case $1 in
	full) echo /api/v1/ /api/v12/users /api/vX/ /api/v1 /x/api/v1/ /API/v1/;;
	paths) echo /static/app.css /STATIC/a/b.JS /static/app.css.map /static/.css \
		/static/app.js /2024/report /blog/12345/title /123/x /health /health/ /healthz /x/health;;
	esac
}

write_cred_json "$T/cred.json"
write_token "$T/cred.token"
# argoweb renders for the release it will exec: the fake says it is the
# release under test.
setup_fake exit=1 "version=$CF_RELEASE"
for f in "$TOP"/tests/configs/valid/*.yaml; do
	corpus_config "$f"
	n=$N
	export CREDENTIALS_DIRECTORY="$T/creds.$n"
	aw render "$T/$n.yaml"
	unset CREDENTIALS_DIRECTORY
	if [ "$RC" != 0 ]; then
		not_ok "$n: argoweb renders it (exit $RC)"
		diag "$ERR"
		continue
	fi
	R=$T/$n.rendered.yml
	cp "$T/out" "$R"

	# -- the original, as cloudflared reads it
	cf "$T/$n.yaml" ingress validate
	orig=$(verdict) orig_out=$CF_OUT orig_unused=$(unused_keys)

	# -- the rendering
	cf "$R" ingress validate
	rend=$(verdict) rend_unused=$(unused_keys)
	if ! grep -q '^ingress:' "$R"; then
		# Token and quick tunnels: the rules come from the dashboard or
		# --url. cloudflared must get past reading every key (a wrong
		# type fails before) and stop only at the missing rules.
		case $CF_OUT in
		"Validation failed: The config file doesn't contain any ingress rules")
			ok "$n: cloudflared reads the rendering (no ingress rules in it, as intended)";;
		*)	not_ok "$n: cloudflared reads the rendering (no ingress rules in it, as intended)"
			diag "exit $CF_RC:" "$CF_OUT";;
		esac
	elif [ "$rend" = ok ]; then
		ok "$n: cloudflared $CF_RELEASE validates the rendering: OK${orig_unused:+ (the original has keys it ignores, left out: $(printf '%s\n' "$orig_unused" | paste -sd' ' -))}"
	elif [ "$rend" = warn ]; then
		# A key this release does not know: argoweb leaves such keys out
		# (cfver.c), so the rendering must validate as it is.
		not_ok "$n: cloudflared $CF_RELEASE validates the rendering: OK, with no unused key"
		diag "unused keys: $(printf '%s\n' "$rend_unused" | paste -sd' ' -)" "$CF_OUT"
	else
		not_ok "$n: cloudflared validates the rendering"
		diag "exit $CF_RC:" "$CF_OUT"
	fi

	# -- routing: original vs rendering
	if [ "$orig" = bad ]; then
		# Nothing to route by: no rules in either (a token or quick
		# tunnel), or a value cloudflared mistypes in the original
		# (edge-ip-version: 4), which the rendering quotes.
		first=$(printf '%s\n' "$orig_out" | head -n1)
		case $first in
		"Validation failed: The config file doesn't contain any ingress rules")
			check "$n: no rules to route by, in the original as in the rendering" \
				sh -c '! grep -q "^ingress:" "$0"' "$R";;
		*"expected "*" found "*)
			ok "$n: cloudflared mistypes the original ($first); the rendering reads";;
		*)	not_ok "$n: cloudflared reads the original as it is"
			diag "exit $CF_RC:" "$orig_out";;
		esac
		continue
	fi
	own=$(grep -oE '^"?(user|group|cloudflared|health|x-[A-Za-z0-9_-]+)"?:|[{,] *"(user|group|cloudflared|health|x-[A-Za-z0-9_-]+)":' "$T/$n.yaml" |
		tr -d '"{, :' | sort -u)
	own=$(printf '%s\n' "$own" | paste -sd' ' -)
	if [ -n "$own" ]; then
		ok "$n: cloudflared accepts the original as it is (ignoring argoweb's keys: $own)"
	else
		ok "$n: cloudflared accepts the original as it is"
	fi
	hosts=$(rule_hosts "$R" | awk '
		$0 == "*" { next }
		/^\*\./ { d = substr($0, 3); print "sub." d; print "a.b." d; print d; next }
		{ print } NR == 1 { print $0 ":8443" }' | sort -u)
	n_urls=0 bad=0 reached=
	set -f
	for h in $hosts unmatched.example.net; do
		for p in $(paths_for "$n"); do
			u=https://$h$p
			n_urls=$((n_urls + 1))
			cf "$T/$n.yaml" ingress rule "$u"; o_rc=$CF_RC o_out=$CF_OUT
			cf "$R" ingress rule "$u"
			case $CF_OUT in "Matched rule #"*) ;; *) CF_RC=bad;; esac
			if [ "$o_rc" != 0 ] || [ "$CF_RC" != 0 ] || [ "$o_out" != "$CF_OUT" ]; then
				bad=$((bad + 1))
				diag "$u:" "original (exit $o_rc):" "$o_out" "rendering (exit $CF_RC):" "$CF_OUT"
			fi
			reached="$reached $(printf '%s\n' "$CF_OUT" | sed -n 's/^Matched rule #\([0-9]*\)$/\1/p')"
		done
	done
	set +f
	if [ "$bad" = 0 ]; then
		ok "$n: same rule on original and rendering for $n_urls URLs"
	else
		not_ok "$n: same rule on original and rendering ($bad of $n_urls URLs differ)"
	fi
	want=$(rule_count "$R")
	missed=
	i=$FIRST_RULE
	while [ "$i" -lt $((want + FIRST_RULE)) ]; do
		case " $reached " in *" $i "*) ;; *) missed="$missed #$i";; esac
		i=$((i + 1))
	done
	check "$n: the URLs reach all $want rules, #$FIRST_RULE to #$((want + FIRST_RULE - 1))${missed:+ (not$missed: add paths for $n to paths_for)}" [ -z "$missed" ]
	last=$(printf '%s\n' "$CF_OUT" | sed -n 's/^Matched rule #\([0-9]*\)$/\1/p')
	check "$n: an unmatched host gets the catch-all, #$((want + FIRST_RULE - 1)) as $CF_RELEASE counts (got #${last:-?})" \
		[ "${last:-x}" = $((want + FIRST_RULE - 1)) ]
done

# What a release refuses at start-up, argoweb refuses at check (78), for
# that release only (src/cfver.c); and the real binary does refuse it:
# `tunnel run` in a network namespace of its own, with nothing but
# loopback (it stops before connecting, or fails to connect anyway).
# refusal NAME SINCE UNTIL MESSAGE TOKEN YAML: releases from SINCE up to
# (not including) UNTIL refuse YAML with that token ("-": open-ended).
refusal() {
	name=$1 since=$2 until=$3 message=$4 tok=$5
	printf '%s\nuser: %s\ncloudflared: %s\n' "$6" "$RUSER" "$FAKE_BIN" >"$T/refuse-$name.yaml"
	refused=1
	{ [ "$since" = - ] || release_ge "$since"; } && { [ "$until" = - ] || ! release_ge "$until"; } || refused=
	mkdir -p "$T/creds.refuse-$name"
	printf '%s\n' "$tok" >"$T/creds.refuse-$name/argoweb"
	chmod 0600 "$T/creds.refuse-$name/argoweb"
	CREDENTIALS_DIRECTORY="$T/creds.refuse-$name" aw check "$T/refuse-$name.yaml"
	if [ -n "$refused" ]; then
		expect 78 "$name: cloudflared $CF_RELEASE would not start: argoweb check refuses it (78)" "$message"
	else
		expect 0 "$name: cloudflared $CF_RELEASE starts with it: argoweb check accepts it"
	fi
	if [ -n "$refused" ] && is_root && command -v unshare >/dev/null 2>&1; then
		$TIMEOUT unshare --net env -i HOME="$T" PATH=/usr/bin:/bin TUNNEL_TOKEN="$tok" \
			"$CF" tunnel --config "$T/refuse-$name.yaml" run </dev/null >"$T/cf.out" 2>&1
		rc=$?
		check "$name: ... as cloudflared $CF_RELEASE itself does: it stops, saying \"$message\" (exit $rc)" \
			sh -c '[ "$0" != 0 ] && [ "$0" != 124 ] && grep -qF "$1" "$2"' "$rc" "$message" "$T/cf.out"
		[ "$rc" != 0 ] && [ "$rc" != 124 ] || tail -n 5 "$T/cf.out" | sed 's/^/#   /'
	fi
}
tok_e=$(printf '{"a":"0123456789abcdef0123456789abcdef","t":"%s","s":"%s","e":"fed"}' "$TUNNEL_UUID" "$SECRET_B64" | base64 -w0)
refusal region-endpoint 2025.2.1 - "region provided with a token that has an endpoint" "$tok_e" 'region: us'
refusal pq-http2 - 2026.5.0 "post-quantum is only supported with the quic transport" "$(token_for "$TUNNEL_UUID")" \
	"protocol: http2
post-quantum: true"

# Ingress mistakes argoweb refuses (tests/configs/invalid): what this
# cloudflared makes of them, for the record (argoweb is stricter on purpose
# where cloudflared accepts one; 030-invalid-corpus checks argoweb).
for n in bad-scheme service-path service-trailing-slash wildcard-middle wildcard-no-dot \
	catch-all-early last-not-catch-all path-only-last hostname-port hostname-bad-label \
	path-lookahead path-too-long service-bad-port unix-relative iprule-bad-prefix; do
	f=$TOP/tests/configs/invalid/$n.yaml
	[ -f "$f" ] || continue
	cf "$f" ingress validate
	case $(verdict) in
	bad) echo "# cloudflared rejects invalid/$n: $(printf '%s\n' "$CF_OUT" | head -n1)";;
	*)   echo "# cloudflared ACCEPTS invalid/$n (argoweb refuses it)";;
	esac
done
done_testing
