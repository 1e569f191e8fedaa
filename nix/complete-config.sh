#!/bin/sh
# complete-config.sh IN OUT CLOUDFLARED USER
#
# For services.argoWeb.config (nix/module.nix): copy a hand-written argoweb
# config IN to OUT and, when it does not name them, add `cloudflared:` (a
# config written for another distribution relies on /usr/bin/cloudflared,
# which NixOS does not have) and `user:` (the module's service user). The
# rest is left exactly as written; argoweb checks the result afterwards.
# Only a plain block mapping can be completed by appending: a JSON/flow
# config, or one ending its document with `...`, must name both itself.
set -eu
in=$1 out=$2 cloudflared=$3 user=$4
cat "$in" >"$out"
has() { grep -Eq "^($1|\"$1\"|'$1')[[:space:]]*:" "$out"; }
need=
has cloudflared || need="$need cloudflared:"
has user || need="$need user:"
[ -n "$need" ] || exit 0
if grep -Eq '^\.\.\.([[:space:]]|$)' "$out" ||
   grep -Ev '^[[:space:]]*(#.*)?$|^%|^---[[:space:]]*$' "$out" | head -n 1 | grep -Eq '^[[:space:]]*[[{]'; then
	echo "services.argoWeb.config: $in does not name$need and is not a plain block mapping" \
	     "that can be completed: add$need to it (cloudflared: $cloudflared)" >&2
	exit 1
fi
[ -z "$(tail -c 1 "$out")" ] || echo >>"$out"
echo "# Added by the NixOS module services.argoWeb:" >>"$out"
has cloudflared || printf 'cloudflared: "%s"\n' "$cloudflared" >>"$out"
has user || printf 'user: "%s"\n' "$user" >>"$out"
