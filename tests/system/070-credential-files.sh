#!/bin/sh
# The credential file and the cloudflared binary, in every hostile state:
# the right exit code, a message naming the path (and the fix), no secret
# byte on stdout or stderr. Then the states that must work.
. "$(dirname "$0")/../lib.sh"
if ! is_root; then
	skip "credential and binary file checks" "needs root (ownership and mode states); CI runs as root"
	done_testing
	exit 0
fi
setup_fake exit=1
mkdir -p "$T/etc"
chmod 0755 "$T/etc"
cfg() { # credential-path [cloudflared] -> $T/c.yaml
	printf 'tunnel: %s\ncredentials-file: %s\ningress: [{service: "http_status:404"}]\nuser: %s\ncloudflared: %s\n' \
		"$TUNNEL_UUID" "$1" "$RUSER" "${2:-$FAKE_BIN}" >"$T/c.yaml"
}
good() { # path: a valid root-owned 0600 credential there, a new file
	mkdir -p "$(dirname "$1")"
	rm -f "$1"
	write_cred_json "$1"
}
refused() { # code description path message...
	code=$1 d=$2 p=$3; shift 3
	cfg "$p"
	aw check "$T/c.yaml"
	expect "$code" "$d" "$@"
	check "$d: no secret printed" no_secret "$T/out" "$T/err"
}
F=$T/etc/web.json
for m in 0644 0640 0660 0604; do
	good "$F"; chmod "$m" "$F"
	refused 77 "mode $m is refused" "$F" "$F: mode $m is too open: run chmod 600 $F"
done
good "$F"; chown "$OTHER_USER" "$F"
refused 77 "owned by another user" "$F" "$F is owned by $OTHER_USER, not by root or $RUSER: run chown root $F"
good "$F"; ln -sf "$F" "$T/etc/link.json"
refused 77 "a symlink is refused" "$T/etc/link.json" "$T/etc/link.json is a symbolic link"
good "$F"; ln -f "$F" "$T/etc/hard.json"
refused 77 "a hard link is refused" "$F" "$F has 2 hard links"
rm -f "$T/etc/hard.json"
mkfifo -m 0600 "$T/etc/fifo.json"
refused 77 "a FIFO fails fast, no blocking" "$T/etc/fifo.json" "$T/etc/fifo.json is a FIFO"
mkdir -m 0700 "$T/etc/dir.json"
refused 77 "a directory is refused" "$T/etc/dir.json" "$T/etc/dir.json is a directory"
refused 77 "/dev/zero is refused" /dev/zero "/dev/zero is a character device"
for m in 0777 0775; do
	good "$T/p$m/web.json"; chmod "$m" "$T/p$m"
	refused 77 "parent directory mode $m" "$T/p$m/web.json" "parent directory $T/p$m is writable by"
done
good "$T/p1777/web.json"; chmod 1777 "$T/p1777"
refused 77 "a sticky world-writable parent (like /tmp)" "$T/p1777/web.json" "parent directory $T/p1777 is writable by others"
good "$T/p1775/web.json"; chmod 1775 "$T/p1775"
cfg "$T/p1775/web.json"; aw check "$T/c.yaml"
expect 0 "a root-owned sticky parent writable by its group only (the Nix store, 1775) is accepted"
good "$T/pother/web.json"; chown "$OTHER_USER" "$T/pother"
refused 77 "parent owned by another user" "$T/pother/web.json" "$T/pother is owned by $OTHER_USER"
TMPC=$(mktemp -d /tmp/argoweb-cred.XXXXXX); chmod 0700 "$TMPC"
good "$TMPC/web.json"
refused 77 "a credential under /tmp" "$TMPC/web.json" "parent directory /tmp is writable by others"
rm -rf "$TMPC"
refused 66 "missing credential" "$T/etc/none.json" "$T/etc/none.json: cannot open the credential"
good "$F"; : >"$F"
refused 65 "empty credential" "$F" "$F: empty credential file"
good "$F"; head -c 1048576 /dev/zero | tr '\0' a >"$F"
refused 65 "1 MiB credential" "$F" "$F: larger than 64 KiB"

# States that work.
good "$F"
cfg "$F"; aw check "$T/c.yaml"; expect 0 "root-owned 0600 is accepted"
chmod 0400 "$F"; aw check "$T/c.yaml"; expect 0 "root-owned 0400 is accepted"
chown "$RUSER" "$F"; chmod 0600 "$F"; aw check "$T/c.yaml"; expect 0 "service-user-owned 0600 is accepted"
mkdir -p "$T/creds"; chown "$RUSER" "$T/creds"; chmod 0500 "$T/creds"
write_cred_json "$T/creds/argoweb"; chmod 0400 "$T/creds/argoweb"; chown "$RUSER" "$T/creds/argoweb"
printf 'tunnel: %s\ningress: [{service: "http_status:404"}]\nuser: %s\ncloudflared: %s\n' \
	"$TUNNEL_UUID" "$RUSER" "$FAKE_BIN" >"$T/cd.yaml"
CREDENTIALS_DIRECTORY=$T/creds aw check "$T/cd.yaml"
expect 0 "\$CREDENTIALS_DIRECTORY as systemd makes it (0400, service user, 0500 dir)"
chmod 0444 "$T/creds/argoweb"
CREDENTIALS_DIRECTORY=$T/creds aw check "$T/cd.yaml"
expect 77 "\$CREDENTIALS_DIRECTORY with mode 0444 is refused" "$T/creds/argoweb: mode 0444 is too open"
# A token there beside tunnel: is checked against it, not ignored.
write_token "$T/creds/argoweb"; chmod 0400 "$T/creds/argoweb"; chown "$RUSER" "$T/creds/argoweb"
CREDENTIALS_DIRECTORY=$T/creds aw check "$T/cd.yaml"
expect 0 "a token in \$CREDENTIALS_DIRECTORY for the tunnel: named"
sed "s/^tunnel: .*/tunnel: 11111111-2222-3333-4444-555555555555/" "$T/cd.yaml" >"$T/cd2.yaml"
CREDENTIALS_DIRECTORY=$T/creds aw check "$T/cd2.yaml"
expect 65 "a token in \$CREDENTIALS_DIRECTORY for another tunnel: than the one named" \
	"the token's tunnel ID (t) is $TUNNEL_UUID but the config says tunnel: 11111111-2222-3333-4444-555555555555"

# The cloudflared binary.
good "$F"
bin_refused() { # code description binary message...
	code=$1 d=$2 b=$3; shift 3
	cfg "$F" "$b"
	aw check "$T/c.yaml"
	expect "$code" "$d" "$@"
}
mkdir -p "$T/b"; cp "$FAKE" "$T/b/cf"
chmod 0757 "$T/b/cf"
bin_refused 77 "world-writable cloudflared" "$T/b/cf" "cloudflared at $T/b/cf is writable by others"
chmod 0775 "$T/b/cf"
bin_refused 77 "group-writable cloudflared" "$T/b/cf" "is writable by its group"
chmod 0755 "$T/b/cf"; chown "$OTHER_USER" "$T/b/cf"
bin_refused 77 "cloudflared owned by another user" "$T/b/cf" "$T/b/cf is owned by $OTHER_USER"
chown "$RUSER" "$T/b/cf"
bin_refused 77 "cloudflared owned by the service user (it could rewrite itself)" "$T/b/cf" "$T/b/cf is owned by $RUSER"
chown root "$T/b/cf"; chmod 0777 "$T/b"
bin_refused 77 "cloudflared in a world-writable directory" "$T/b/cf" "parent directory $T/b is writable by others"
chmod 0755 "$T/b"
TMPB=$(mktemp -d /tmp/argoweb-bin.XXXXXX); cp "$FAKE" "$TMPB/cf"; chmod 0755 "$TMPB" "$TMPB/cf"
bin_refused 77 "cloudflared under /tmp" "$TMPB/cf" "parent directory /tmp is writable by others"
rm -rf "$TMPB"
bin_refused 69 "cloudflared missing" "$T/b/none" "cloudflared not found at $T/b/none"
ln -sf "$T/b/cf" "$T/b/link"
cfg "$F" "$T/b/link"; aw check "$T/c.yaml"
expect 0 "a symlink to a good cloudflared is fine (the target is checked)"
RUNTIME_DIRECTORY=$T/run aw run --dry-run "$T/c.yaml"
check "the resolved binary is what runs" sh -c 'echo "$0" | grep -qx "exec: $1 --no-autoupdate.*"' "$OUT" "$T/b/link"
check "the plan names the resolved target" sh -c 'echo "$0" | grep -qx "cloudflared: $1"' "$OUT" "$T/b/cf"

# cacert: cloudflared reads it after the drop. Root's, not writable by
# others, readable by the service user through every directory.
ca_cfg() { cfg "$F"; echo "cacert: $1" >>"$T/c.yaml"; }
ca() { # code description path message...
	code=$1 d=$2 p=$3; shift 3
	ca_cfg "$p"
	aw check "$T/c.yaml"
	expect "$code" "cacert: $d" "$@"
}
mkdir -p "$T/ca"; chmod 0755 "$T/ca"
printf 'PEM\n' >"$T/ca/ca.pem"; chmod 0644 "$T/ca/ca.pem"
ca 0 "root's 0644 file is accepted" "$T/ca/ca.pem"
aw check --config-only "$T/c.yaml"
expect 0 "cacert: --config-only does not look at the file"
ca 66 "missing" "$T/ca/none.pem" "cacert: $T/ca/none.pem: No such file or directory"
chmod 0664 "$T/ca/ca.pem"
ca 77 "group-writable" "$T/ca/ca.pem" "$T/ca/ca.pem is writable by its group"
chmod 0600 "$T/ca/ca.pem"
ca 77 "unreadable by the service user" "$T/ca/ca.pem" "the service user (uid $(id -u "$RUSER")) cannot read it"
chmod 0640 "$T/ca/ca.pem"; chgrp "$RGROUP" "$T/ca/ca.pem"
ca 0 "readable through its group" "$T/ca/ca.pem"
chmod 0644 "$T/ca/ca.pem"; chown "$OTHER_USER" "$T/ca/ca.pem"
ca 77 "owned by another user" "$T/ca/ca.pem" "$T/ca/ca.pem is owned by $OTHER_USER"
chown root "$T/ca/ca.pem"; chmod 0700 "$T/ca"
ca 77 "in a directory the service user cannot enter" "$T/ca/ca.pem" "cannot enter $T/ca (mode 0700)"
chmod 0755 "$T/ca"; ln -sf "$T/ca/ca.pem" "$T/ca/link.pem"
ca 0 "a symlink to a good file (the target is checked)" "$T/ca/link.pem"
done_testing
