#!/bin/sh
# make rpm: build argoweb-VERSION-1.ARCH.rpm into build/ from a tarball of
# the source tree (uncommitted changes included; never build/ or .git),
# with rpmbuild's tree in build/rpm/. Where rpm has no systemd macros
# (Debian), packaging/rpm/macros.argoweb supplies them, and the build
# dependencies, which rpm cannot see there, are not checked (--nodeps).
set -eu
# A calling make's flags (say -s) must not reach the package build: its
# log has to show every compiler command (blhc reads it).
unset MAKEFLAGS MFLAGS MAKELEVEL
VERSION=${1:?usage: build.sh VERSION}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$TOP/build
WORK=$OUT/rpm
SPEC=$TOP/packaging/rpm/argoweb.spec

command -v rpmbuild >/dev/null 2>&1 || {
	echo "build.sh: rpmbuild is missing (apt-get install rpm, or dnf install rpm-build)" >&2
	exit 69
}
SPECVER=$(sed -n 's/^Version:[[:space:]]*//p' "$SPEC")
if [ "$SPECVER" != "$VERSION" ]; then
	echo "build.sh: argoweb.spec is at $SPECVER, not $VERSION" >&2
	exit 65
fi

rm -rf "$WORK"
mkdir -p "$WORK/SOURCES" "$WORK/tar/argoweb-$VERSION"
(cd "$TOP" && tar -cf - --exclude=./build --exclude=./.git --exclude-vcs .) |
	(cd "$WORK/tar/argoweb-$VERSION" && tar -xf -)
tar -C "$WORK/tar" --owner=0 --group=0 --numeric-owner --sort=name \
	-czf "$WORK/SOURCES/argoweb-$VERSION.tar.gz" "argoweb-$VERSION"
rm -rf "$WORK/tar"
cp "$TOP/systemd/argoweb.sysusers" "$TOP/systemd/argoweb.tmpfiles" "$WORK/SOURCES/"

set -- --define "_topdir $WORK" --define '_sharedstatedir /var/lib'
if [ -z "$(rpm --eval '%{?_unitdir}')" ]; then
	# rpm's own macro files first, then ours.
	set -- "$@" --load "$TOP/packaging/rpm/macros.argoweb" --nodeps
fi
rpmbuild -bb "$@" "$SPEC"

ARCH=$(rpm --eval '%{_arch}')
RPM=$WORK/RPMS/$ARCH/argoweb-$VERSION-1.$ARCH.rpm
[ -f "$RPM" ] || RPM=$(ls "$WORK"/RPMS/*/argoweb-"$VERSION"-*.rpm | grep -v -e debuginfo -e debugsource | head -n1)
cp -f "$RPM" "$OUT/"
echo "build.sh: $OUT/$(basename "$RPM")"
