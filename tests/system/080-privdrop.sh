#!/bin/sh
# Privileges, seen from outside: the fake cloudflared reports its own
# /proc/self/status after `argoweb run` started as root, as the service
# user (with capabilities to shed), and as the wrong user.
. "$(dirname "$0")/../lib.sh"
if ! is_root; then
	skip "privilege drop" "needs root (setresuid, capabilities, other users); CI runs as root"
	done_testing
	exit 0
fi
setup_fake exit=1
mkdir -p "$T/etc" "$T/run"
write_cred_json "$T/etc/web.json"
NAME=awtest-$$
cat >"$T/etc/$NAME.yaml" <<EOF2
tunnel: $TUNNEL_UUID
credentials-file: $T/etc/web.json
ingress: [{service: "http_status:404"}]
user: $RUSER
cloudflared: $FAKE_BIN
EOF2
R=$REC/record.latest
UID_=$(id -u "$RUSER")
GID_=$(id -g "$RUSER")
rec_field() { sed -n "s/^$1:[[:space:]]*//p" "$R" | tr -s ' \t' ' ' | sed 's/ $//'; }

# 1. Started as root, with root's supplementary groups, no RUNTIME_DIRECTORY.
rm -f "$REC"/record.*
setpriv --groups 0,4 ${ARGOWEB_WRAP:-} "$ARGOWEB" run "$T/etc/$NAME.yaml" >"$T/out" 2>"$T/err" </dev/null
RC=$?; ERR=$(cat "$T/err")
expect 0 "run as root execs cloudflared"
check "Uid: real, effective, saved, fs are all $RUSER's ($(rec_field Uid))" [ "$(rec_field Uid)" = "$UID_ $UID_ $UID_ $UID_" ]
check "Gid: all the service group's ($(rec_field Gid))" [ "$(rec_field Gid)" = "$GID_ $GID_ $GID_ $GID_" ]
check "no supplementary groups, so no gid 0 ($(rec_field Groups))" [ -z "$(rec_field Groups)" ]
for c in CapInh CapPrm CapEff CapBnd CapAmb; do
	check "$c is empty ($(rec_field $c))" [ "$(rec_field $c)" = 0000000000000000 ]
done
check "NoNewPrivs is 1" [ "$(rec_field NoNewPrivs)" = 1 ]
check "only fds 0-2 are open" sh -c '[ "$(sed -n "/^--- fds/,/^---/p" "$0" | grep -c "^fd ")" = 3 ]' "$R"
check "HOME is the service user's home" grep -qx "env:HOME=$(getent passwd "$RUSER" | cut -d: -f6)" "$R"
check "the secret is in cloudflared's environment" grep -q "^env:TUNNEL_CRED_CONTENTS=.*$SECRET_B64" "$R"
check "the secret is not in cloudflared's argv" sh -c '! grep "^argv" "$0" | grep -q "$1"' "$R" "$SECRET_B64"
check "argoweb printed no secret" no_secret "$T/out" "$T/err"
check "runtime directory created 0700, owned by the service user" \
	[ "$(stat -c '%a %U' "/run/argoweb/$NAME")" = "700 $RUSER" ]
check "rendered config 0600, owned by the service user" \
	[ "$(stat -c '%a %U' "/run/argoweb/$NAME/config.yml")" = "600 $RUSER" ]
# A second start finds the directory and keeps it private.
chmod 0755 "/run/argoweb/$NAME"
"$ARGOWEB" run "$T/etc/$NAME.yaml" >/dev/null 2>&1 </dev/null
check "an existing runtime directory is made 0700 again" [ "$(stat -c '%a' "/run/argoweb/$NAME")" = 700 ]
rm -rf "/run/argoweb/$NAME"

# 2. Started as the service user, holding capabilities it must shed.
chown "$RUSER" "$T/etc/web.json" "$T/run" "$REC"
rm -f "$REC"/record.*
RUNTIME_DIRECTORY=$T/run setpriv --reuid="$RUSER" --regid="$RGROUP" --clear-groups \
	--inh-caps=+net_bind_service,+net_raw --ambient-caps=+net_bind_service,+net_raw \
	${ARGOWEB_WRAP:-} "$ARGOWEB" run "$T/etc/$NAME.yaml" >"$T/out" 2>"$T/err" </dev/null
RC=$?; ERR=$(cat "$T/err")
expect 0 "run started as the service user with ambient capabilities"
for c in CapInh CapPrm CapEff CapAmb; do
	check "unprivileged start: $c is empty ($(rec_field $c))" [ "$(rec_field $c)" = 0000000000000000 ]
done
check "unprivileged start: NoNewPrivs is 1" [ "$(rec_field NoNewPrivs)" = 1 ]
check "unprivileged start: Uid is the service user's" [ "$(rec_field Uid)" = "$UID_ $UID_ $UID_ $UID_" ]
rm -f "$REC"/record.*
RUNTIME_DIRECTORY=$T/run setpriv --reuid="$RUSER" --regid="$RGROUP" --clear-groups \
	--bounding-set=-all ${ARGOWEB_WRAP:-} "$ARGOWEB" run "$T/etc/$NAME.yaml" >/dev/null 2>&1 </dev/null
check "unprivileged start under an empty bounding set: every set empty" \
	sh -c 'for c in CapInh CapPrm CapEff CapBnd CapAmb; do grep -q "^$c:[[:space:]]*0000000000000000" "$0" || exit 1; done' "$R"
# Started as the service user with a supplementary group that is a
# privilege (systemd's User= gives a user its groups): refused.
if sg=$(getent group shadow | cut -d: -f3) && [ -n "$sg" ]; then
	rm -f "$REC"/record.*
	RUNTIME_DIRECTORY=$T/run setpriv --reuid="$RUSER" --regid="$RGROUP" --groups="$sg" \
		${ARGOWEB_WRAP:-} "$ARGOWEB" run "$T/etc/$NAME.yaml" >"$T/out" 2>"$T/err" </dev/null
	RC=$?; ERR=$(cat "$T/err")
	expect 77 "started as the service user in group shadow too: refused" "group shadow (gid $sg, a supplementary group)"
	check "... cloudflared never started" [ ! -e "$REC/record.latest" ]
else
	skip "a supplementary group" "no group shadow here"
fi

# Root that cannot switch users (securebits noroot, locked: uid 0 without
# a capability): an OS error, said before anything is read or made.
rm -f "$REC"/record.*
setpriv --securebits=+noroot,+noroot_locked --inh-caps=-all --bounding-set=-all \
	${ARGOWEB_WRAP:-} "$ARGOWEB" run "$T/etc/$NAME.yaml" >"$T/out" 2>"$T/err" </dev/null
RC=$?; ERR=$(cat "$T/err")
expect 71 "root with securebits noroot and no capability: 71, it cannot become the service user" \
	"argoweb runs as root without CAP_SETUID and CAP_SETGID" "cannot become user $RUSER"
check "... cloudflared never started" [ ! -e "$REC/record.latest" ]

# 3. Started as a different user: refused before anything is read.
chown "$OTHER_USER" "$T/run"
RUNTIME_DIRECTORY=$T/run setpriv --reuid="$OTHER_USER" --regid="$(id -g "$OTHER_USER")" --clear-groups \
	${ARGOWEB_WRAP:-} "$ARGOWEB" run "$T/etc/$NAME.yaml" >"$T/out" 2>"$T/err" </dev/null
RC=$?; ERR=$(cat "$T/err")
expect 77 "started as another user: refused" "but the config says user: $RUSER"

# 5. The config chooses the credential and the user: root trusts only its
# own file (the caller's, generally), writable by no one else; a lint
# (check --config-only) reads anyone's.
cp "$T/etc/$NAME.yaml" "$T/etc/open.yaml"; chmod 0666 "$T/etc/open.yaml"
rm -f "$REC"/record.*
aw run "$T/etc/open.yaml"
expect 77 "run: a config anyone may write is refused" "$T/etc/open.yaml is writable by others (mode 0666)"
check "run: cloudflared never started for it" [ ! -e "$REC/record.latest" ]
aw check "$T/etc/open.yaml"
expect 77 "check: the same" "is writable by others"
aw check --config-only "$T/etc/open.yaml"
check "check --config-only lints it anyway: exit $RC" [ "$RC" = 0 ]
if [ -n "$OTHER_USER" ]; then
	cp "$T/etc/$NAME.yaml" "$T/etc/theirs.yaml"; chown "$OTHER_USER" "$T/etc/theirs.yaml"
	aw run "$T/etc/theirs.yaml"
	expect 77 "run: another user's config is refused" "$T/etc/theirs.yaml is owned by $OTHER_USER, not by root"
else
	skip "another user's config" "no second unprivileged user on this host"
fi
mkdir -m 1777 "$T/tmp"
cp "$T/etc/$NAME.yaml" "$T/tmp/web.yaml"
aw run "$T/tmp/web.yaml"
expect 77 "run: a config in a 1777 directory (as /tmp) is refused" "parent directory $T/tmp is writable by others"

# 6. Groups: the service user's alone, or refused. First the system's
# groups as they are: it is in none of them.
gid_of() { getent group "$1" | cut -d: -f3; }
for g in disk shadow adm utmp mail staff; do
	[ -n "$(gid_of "$g")" ] || { skip "group: $g" "no group $g here"; continue; }
	printf 'group: %s\n' "$g" | cat "$T/etc/$NAME.yaml" - >"$T/etc/g-$g.yaml"
	aw run "$T/etc/g-$g.yaml"
	expect 77 "run: group: $g, which it is not in, is refused" \
		"group $g (gid $(gid_of "$g"), from group:) " "give it a group of its own"
done
# Then with the service user added to each (a private mount namespace
# shows argoweb a group file where it is): refused for what the group
# shares. Fedora's ssh_keys is made up: a group of that name and a host
# key it may read, on a tmpfs over /srv; and a disk two levels below /dev
# (this host may have none), on a root-only tmpfs over /dev/shm (a sticky
# world-writable directory is not the system's, and not looked into).
cp /etc/passwd "$T/passwd"
awk -F: -v OFS=: -v u="$RUSER" '$1 ~ /^(disk|shadow|adm|utmp|mail|staff)$/ { $4 = $4 == "" ? u : $4 "," u } 1' \
	/etc/group >"$T/group"
echo "ssh_keys:x:4999:$RUSER" >>"$T/group"
in_groups() {
	unshare -m sh -c 'mount --bind "$1" /etc/group && mount -t tmpfs -o mode=0755 srv /srv &&
		touch /srv/ssh_host_ed25519_key && chown root:4999 /srv/ssh_host_ed25519_key &&
		chmod 0640 /srv/ssh_host_ed25519_key && mount -t tmpfs -o mode=0755 shm /dev/shm &&
		mkdir /dev/shm/vd && mknod -m 0660 /dev/shm/vd/sdz b 7 200 && chgrp disk /dev/shm/vd/sdz &&
		shift && exec "$@"' _ "$T/group" "$@"
}
if ! in_groups true 2>/dev/null; then
	skip "groups it was added to" "cannot make a private mount namespace here"
else
	printf 'group: ssh_keys\n' | cat "$T/etc/$NAME.yaml" - >"$T/etc/g-ssh_keys.yaml"
	for g in disk shadow adm utmp mail staff ssh_keys; do
		[ -e "$T/etc/g-$g.yaml" ] || continue
		in_groups "$ARGOWEB" check "$T/etc/g-$g.yaml" >"$T/out" 2>"$T/err"; RC=$?; ERR=$(cat "$T/err")
		gid=$(awk -F: -v g="$g" '$1 == g { print $3 }' "$T/group")
		# What it says the group shares must be true: a user whose primary
		# group it is, or a path the group owns.
		what=$(sed -n 's/.*from group:) \(.*\): the service user.*/\1/p' "$T/err")
		case $what in
		"is also the primary group of user "*)
			[ "$(id -g "${what##* }" 2>/dev/null)" = "$gid" ] && true_=1 || true_=0 ;;
		"may "*" by its ACL") p=${what% by its ACL}; p=/${p#*/}
			python3 -c 'import os, sys; a = os.getxattr(sys.argv[1], "system.posix_acl_access")
sys.exit(all(int.from_bytes(a[i:i+2], "little") != 8 or int.from_bytes(a[i+4:i+8], "little") != int(sys.argv[2])
             for i in range(4, len(a), 8)))' "$p" "$gid" && true_=1 || true_=0 ;;
		"may "*) p=/${what#*/}
			[ "$(in_groups stat -c %g "$p" 2>/dev/null)" = "$gid" ] && true_=1 || true_=0 ;;
		*) true_=0 ;;
		esac
		expect 77 "check: group: $g with $RUSER in it is refused: $what" "group $g (gid $gid, from group:) "
		check "... and what it names is so" [ "$true_" = 1 ]
	done
fi
# 4. Users that must be refused: unknown, and uid/gid 0 under another name
# (a private mount namespace shows argoweb a passwd file with such users).
chown root "$T/etc/web.json"
sed "s/^user: .*/user: no-such-user-$$/" "$T/etc/$NAME.yaml" >"$T/etc/nouser.yaml"
aw check "$T/etc/nouser.yaml"
expect 77 "an unknown user is refused" "user no-such-user-$$: no such user"
aw render "$T/etc/nouser.yaml"
check "render works before the service user exists (a build host): exit $RC" \
	sh -c '[ "$0" = 0 ] && grep -q "^tunnel: \"$1\"" "$2"' "$RC" "$TUNNEL_UUID" "$T/out"
cp /etc/passwd "$T/passwd"; cp /etc/group "$T/group"
echo "toor:x:0:0:root alias:/root:/bin/sh" >>"$T/passwd"
echo "zerog:x:4242:0:gid 0:/:/bin/sh" >>"$T/passwd"
echo "wheel0:x:0:" >>"$T/group"
sed "s/^user: .*/user: toor/" "$T/etc/$NAME.yaml" >"$T/etc/toor.yaml"
sed "s/^user: .*/user: zerog/" "$T/etc/$NAME.yaml" >"$T/etc/zerog.yaml"
printf 'group: wheel0\n' | cat "$T/etc/$NAME.yaml" - >"$T/etc/wheel0.yaml"
with_passwd() { unshare -m sh -c 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"' _ "$T/passwd" "$T/group" "$@"; }
if with_passwd true 2>/dev/null; then
	with_passwd "$ARGOWEB" check "$T/etc/toor.yaml" >"$T/out" 2>"$T/err"; RC=$?; ERR=$(cat "$T/err")
	expect 77 "a user with uid 0 under another name is refused" "user toor has uid 0"
	with_passwd "$ARGOWEB" check "$T/etc/zerog.yaml" >"$T/out" 2>"$T/err"; RC=$?; ERR=$(cat "$T/err")
	expect 77 "a user whose group is gid 0 is refused" "is gid 0"
	with_passwd "$ARGOWEB" check "$T/etc/wheel0.yaml" >"$T/out" 2>"$T/err"; RC=$?; ERR=$(cat "$T/err")
	expect 77 "a group with gid 0 under another name is refused" "group wheel0 is gid 0"
else
	skip "uid/gid 0 aliases" "cannot make a private mount namespace here"
fi
done_testing
