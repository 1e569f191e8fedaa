#!/bin/sh
# Every config in tests/configs/valid passes `check --config-only` and
# `check`, and `render` prints exactly its golden file (NAME.golden).
# Placeholders: see corpus_config in tests/lib.sh.
. "$(dirname "$0")/../lib.sh"
write_cred_json "$T/cred.json"
write_token "$T/cred.token"
setup_fake exit=1
for f in "$TOP"/tests/configs/valid/*.yaml; do
	corpus_config "$f"
	n=$N
	export CREDENTIALS_DIRECTORY="$T/creds.$n"
	aw check --config-only "$T/$n.yaml"
	expect 0 "$n: check --config-only"
	aw check "$T/$n.yaml"
	expect 0 "$n: check"
	aw render "$T/$n.yaml"
	# The one path of this run a rendering may hold: cacert's.
	sed -i "s#$T/ca.pem#@CACERT@#g" "$T/out"
	# UPDATE_GOLDEN=1 rewrites the golden files (review the diff!).
	[ -n "${UPDATE_GOLDEN:-}" ] && [ "$RC" = 0 ] && cp "$T/out" "${f%.yaml}.golden"
	if [ "$RC" = 0 ] && cmp -s "$T/out" "${f%.yaml}.golden"; then
		ok "$n: render matches golden"
	else
		not_ok "$n: render matches golden (exit $RC)"
		diff -u "${f%.yaml}.golden" "$T/out" | sed 's/^/#   /' | head -20
	fi
	check "$n: rendering holds no secret" no_secret "$T/out" "$T/err"
	check "$n: rendering holds no credential path" sh -c '! grep -q "cred\.\(json\|token\)\|creds\." "$0"' "$T/out"
	# A rendering is a cloudflared config, and argoweb accepts those as
	# they are: rendering it again changes nothing. (A quick tunnel's
	# rendering names no identity, so it is not a config on its own.)
	case $n in quick*) RC=skip;; esac
	if [ "$RC" = 0 ]; then
		sed "s#@CACERT@#$T/ca.pem#g" "$T/out" >"$T/$n.rendered.yaml"
		echo "user: $RUSER" >>"$T/$n.rendered.yaml"
		aw render "$T/$n.rendered.yaml"
		sed -i "s#$T/ca.pem#@CACERT@#g" "$T/out"
		if [ "$RC" = 0 ] && head -n -1 "$T/$n.rendered.yaml" | sed "s#$T/ca.pem#@CACERT@#g" |
			cmp -s "$T/out" -; then
			ok "$n: rendering re-renders to itself"
		else
			not_ok "$n: rendering re-renders to itself (exit $RC)"
			diff -u "$T/$n.rendered.yaml" "$T/out" | sed 's/^/#   /' | head -10
		fi
	fi
	unset CREDENTIALS_DIRECTORY
done
done_testing
