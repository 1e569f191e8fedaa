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
# Only offline cloudflared commands are run, in an empty environment.
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
setup_fake exit=1
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
		ok "$n: cloudflared validates the rendering: OK"
	elif [ "$rend" = warn ]; then
		# Keys this cloudflared release does not know yet. Fine if the
		# original has them too (argoweb passed them on); a key only
		# the rendering has would be argoweb's invention.
		extra=$(printf '%s\n' "$rend_unused" | while IFS= read -r k; do
			printf '%s\n' "$orig_unused" | grep -qxF "$k" || echo "$k"; done)
		if [ "$orig" = warn ] && [ -z "$extra" ]; then
			ok "$n: cloudflared validates the rendering (keys this release ignores, as in the original: $(printf '%s\n' "$rend_unused" | paste -sd' ' -))"
		else
			not_ok "$n: cloudflared validates the rendering"
			diag "unused keys only in the rendering: ${extra:-(original unreadable)}" "$CF_OUT"
		fi
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
	i=1
	while [ "$i" -le "$want" ]; do
		case " $reached " in *" $i "*) ;; *) missed="$missed #$i";; esac
		i=$((i + 1))
	done
	check "$n: the URLs reach all $want rules${missed:+ (not$missed: add paths for $n to paths_for)}" [ -z "$missed" ]
done

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
