# The packages the installed tests use, built once for them all: sourced
# by tests/testbed/testbed.sh (after lib.sh, whose TOP it needs).

# pkg_build TARGET LOG FILE...: make TARGET (deb, rpm) into build/ unless
# every FILE is there and newer than the sources it is built from; one
# build at a time among the tests that use the packages (a lock). make's
# output goes to LOG, after a first line saying what was done.
pkg_build() {
	target=$1 log=$2
	shift 2
	mkdir -p "$TOP/build"
	(
		flock 9
		for f in "$@"; do
			if [ ! -f "$f" ] || [ -n "$(cd "$TOP" && find Makefile README.md LICENSE src man systemd \
				examples "packaging/$target" -type f -newer "$f" 2>/dev/null | head -n 1)" ]; then
				echo "# make $target (${f##*/} missing or older than its sources)"
				make -C "$TOP" "$target"
				exit
			fi
		done
		echo "# reusing ${1##*/}"
	) 9>"$TOP/build/.packages.lock" >"$log" 2>&1
}
# upgrade_deb_path: the same package at a higher version ($VERSION+test1),
# for the tests of an upgrade; pkg_build_upgrade LOG DEB builds it from a
# scratch copy of the tree with one more changelog entry, when missing or
# older than DEB (the .deb of the tree as it is).
upgrade_deb_path() {
	echo "$TOP/build/pkgtest/argoweb_$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$TOP/Makefile")+test1_$(dpkg-architecture -qDEB_HOST_ARCH).deb"
}
