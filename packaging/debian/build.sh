#!/bin/sh
# make deb: build the Debian package argoweb_VERSION_ARCH.deb into build/.
# The source tree (without build/ and VCS data) is copied to
# build/deb/argoweb-VERSION/, packaging/debian becomes its debian/, and
# dpkg-buildpackage builds the binary package there. The .deb, its -dbgsym,
# .changes and .buildinfo end up in build/, with the build log beside them
# as argoweb_VERSION_ARCH.build (for blhc).
set -eu
# A calling make's flags (say -s) must not reach the package build: its
# log has to show every compiler command (blhc reads it).
unset MAKEFLAGS MFLAGS MAKELEVEL
VERSION=${1:?usage: build.sh VERSION}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$TOP/build
WORK=$OUT/deb
SRC=$WORK/argoweb-$VERSION

for tool in dpkg-buildpackage dpkg-parsechangelog dh; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "build.sh: $tool is missing (apt-get install dpkg-dev debhelper)" >&2
		exit 69
	}
done
CHVER=$(dpkg-parsechangelog -l "$TOP/packaging/debian/changelog" -S Version)
if [ "$CHVER" != "$VERSION" ]; then
	echo "build.sh: packaging/debian/changelog is at $CHVER, not $VERSION: add an entry (dch -v $VERSION)" >&2
	exit 65
fi
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)

rm -rf "$WORK"
mkdir -p "$SRC"
# The tree as it is, uncommitted changes included; never build/ or .git.
(cd "$TOP" && tar -cf - --exclude=./build --exclude=./.git --exclude-vcs .) | (cd "$SRC" && tar -xf -)
rm -rf "$SRC/debian"
cp -R "$TOP/packaging/debian" "$SRC/debian"
rm -f "$SRC/debian/build.sh"

LOG=$WORK/argoweb_${VERSION}_$ARCH.build
rc=0
{ (cd "$SRC" && dpkg-buildpackage -us -uc -b -Jauto) 2>&1 || echo $? >"$WORK/rc"; } | tee "$LOG"
[ -f "$WORK/rc" ] && rc=$(cat "$WORK/rc")
if [ "$rc" != 0 ]; then
	echo "build.sh: dpkg-buildpackage failed ($rc); log: $LOG" >&2
	exit "$rc"
fi

CHANGES=$WORK/argoweb_${VERSION}_$ARCH.changes
# Everything the .changes lists, with it, so that lintian can read them.
for f in $(sed -n '/^Files:/,/^[^ ]/s/^ [0-9a-f]\{32\} [0-9]* [^ ]* [^ ]* //p' "$CHANGES"); do
	mv -f "$WORK/$f" "$OUT/"
done
mv -f "$CHANGES" "$LOG" "$OUT/"
echo "build.sh: $OUT/argoweb_${VERSION}_$ARCH.deb"
