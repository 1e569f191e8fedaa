# argoweb — build, test and install. Packagers may override CC, CFLAGS,
# LDFLAGS, PREFIX, DESTDIR; hardening stays on unless HARDEN= is emptied.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/argoweb
LIBEXECDIR ?= $(PREFIX)/libexec
DESTDIR   ?=
# systemd's own idea of its directories, with the usual fallbacks.
SD_VAR     = $(shell $(PKG_CONFIG) --variable=$(1) systemd 2>/dev/null)
UNITDIR   ?= $(or $(call SD_VAR,systemdsystemunitdir),/lib/systemd/system)
SYSUSERSDIR ?= $(or $(call SD_VAR,sysusersdir),/usr/lib/sysusers.d)
TMPFILESDIR ?= $(or $(call SD_VAR,tmpfilesdir),/usr/lib/tmpfiles.d)
# RestartSteps= and RestartMaxDelaySec= exist from systemd 254 on; older
# ones would log an unknown-key warning on every load.
SYSTEMD_VERSION ?= $(or $(shell $(PKG_CONFIG) --modversion systemd 2>/dev/null | sed 's/[^0-9].*//'),$(shell systemctl --version 2>/dev/null | sed -n '1s/^systemd \([0-9]*\).*/\1/p'),0)

CC        ?= cc
PKG_CONFIG ?= pkg-config
B         ?= build
CFLAGS    ?= -O2 -g
WERROR    ?= -Werror
HARDEN    ?= -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fstack-clash-protection -fPIE
HARDEN_LD ?= -pie -Wl,-z,relro,-z,now
PKGS      := yaml-0.1 libcap
# libsystemd is not linked: the health monitor dlopen()s it, where it uses
# sd_notify, so argoweb starts without it (see src/monitor.c). Packages
# depend on it all the same. A system without a library search path (Nix)
# sets the full path.
LIBSYSTEMD ?= libsystemd.so.0

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# A packager's CPPFLAGS (say -D_FORTIFY_SOURCE=2) come first, so our
# hardening, when on, is what stands.
ALL_CFLAGS = -std=gnu11 -Wall -Wextra $(WERROR) -Wshadow -Wformat=2 -Wvla \
             $(CPPFLAGS) $(HARDEN) -DARGOWEB_VERSION='"$(VERSION)"' \
             -DLIBSYSTEMD='"$(LIBSYSTEMD)"' $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(HARDEN_LD) $(LDFLAGS)

SRCS := $(sort $(wildcard src/*.c))
OBJS := $(SRCS:src/%.c=$(B)/obj/%.o)
LIBOBJS := $(filter-out $(B)/obj/main.o,$(OBJS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNITS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

.PHONY: deps-build deb rpm all units fake check check-unit check-system check-asan check-valgrind \
        check-asan-unit check-asan-system check-valgrind-unit check-valgrind-system \
        deps demo install clean bench fuzz fresh-machine help

GENUNITS := $(B)/systemd/argoweb-active@.service $(B)/systemd/argoweb-handover@.service

all: $(B)/argoweb $(GENUNITS) ## the launcher and the generated units, in build/

$(B)/obj/%.o: src/%.c $(wildcard src/*.h) | $(B)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/argoweb: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/obj $(B)/tests $(B)/systemd:
	mkdir -p $@

# argoweb-active@.service and argoweb-handover@.service are argoweb@.service,
# sandbox and all, with their fragment's additions and [Install] section
# (or none) in place of its own: the hardening is written once.
$(B)/systemd/argoweb-%@.service: systemd/argoweb@.service systemd/argoweb-%.fragment | $(B)/systemd
	{ echo '# Generated from systemd/argoweb@.service and systemd/argoweb-$*.fragment.'; \
	  awk '/^\[/ { skip = ($$0 == "[Install]") } !skip' systemd/argoweb@.service; \
	  cat systemd/argoweb-$*.fragment; } >$@.tmp && mv $@.tmp $@

# A unit test #includes the module it tests (to reach its statics), so it
# links every other module but that one.
$(B)/tests/test_%: tests/unit/test_%.c $(LIBOBJS) $(wildcard tests/unit/*.h) | $(B)/tests
	$(CC) $(ALL_CFLAGS) -Isrc $(ALL_LDFLAGS) -o $@ $< \
	    $(filter-out $(B)/obj/$*.o,$(LIBOBJS)) $(PKG_LIBS)

$(B)/tests/fake-cloudflared: tests/fake-cloudflared.c | $(B)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(PKG_LIBS)

$(B)/tests/notify-recorder: tests/notify-recorder.c | $(B)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

$(B)/tests/listener: tests/listener.c | $(B)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

$(B)/tests/origin: tests/origin.c | $(B)/tests
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# --- tests ---------------------------------------------------------------
# `make check` is the one test command: dependencies, unit and system tests
# on the normal build, then the same under ASan/UBSan and valgrind, then a
# bounded fuzz run (tests/run-all.sh runs the targets below, each a stage).
check: deps ## the README's second command: deps, then every stage of the suite (tests/run-all.sh)
	@tests/run-all.sh

units: $(UNITS) ## build the unit tests
fake: $(B)/tests/fake-cloudflared $(B)/tests/notify-recorder $(B)/tests/listener $(B)/tests/origin ## build the test stand-ins (fake-cloudflared, notify-recorder, listener, origin)

check-unit: $(UNITS) ## the unit tests
	@tests/run-unit.sh $(UNITS)

check-system: $(B)/argoweb fake ## the system tests (REAL_CLOUDFLARED, CF_EDGE: the real connector; as root: the booted ones)
	@ARGOWEB=$(abspath $(B)/argoweb) FAKE=$(abspath $(B)/tests/fake-cloudflared) \
	    RECORDER=$(abspath $(B)/tests/notify-recorder) LISTENER=$(abspath $(B)/tests/listener) \
	    ORIGIN=$(abspath $(B)/tests/origin) \
	    tests/run-system.sh

# The same tests on a build with AddressSanitizer and UBSan (clang), and
# under valgrind. The tests tagged "installed" run a package's own build,
# or the binary as systemd execs it from the unit (no wrapper; LeakSanitizer
# needs the ptrace the unit's seccomp filter refuses): these stages leave
# them out and say so; the normal stage runs them.
SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_MAKE  = $(MAKE) -s B=$(B)/asan CC=clang CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" HARDEN=-fPIE
ASAN_ENV   = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
             UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
VALGRIND  := valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full \
             --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect

check-asan: check-asan-unit check-asan-system ## the suite on an ASan/UBSan build
check-asan-unit:
	@$(ASAN_MAKE) all fake units >/dev/null
	@$(ASAN_ENV) $(ASAN_MAKE) check-unit
check-asan-system:
	@$(ASAN_MAKE) all fake units >/dev/null
	@$(ASAN_ENV) SYSTEM_EXCLUDE=installed $(ASAN_MAKE) check-system

check-valgrind: check-valgrind-unit check-valgrind-system ## the suite under valgrind
check-valgrind-unit: $(UNITS)
	@UNIT_WRAP="$(VALGRIND)" tests/run-unit.sh $(UNITS)
check-valgrind-system: $(B)/argoweb fake
	@ARGOWEB_WRAP="$(VALGRIND)" VALGRIND=1 SYSTEM_EXCLUDE=installed $(MAKE) -s check-system

# libFuzzer on the config and credential parsers, FUZZ_SECONDS in all.
FUZZ_SECONDS ?= 60
fuzz: ## libFuzzer on the parsers for FUZZ_SECONDS
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

deps: ## install what building and testing need (apt)
	@tests/deps.sh

deps-build:
	@tests/deps.sh build

# --- the README's first command -----------------------------------------
demo: deps-build all fake ## the README's first command: build and run the shipped example
	@examples/demo.sh $(abspath $(B)/argoweb)

# The README's first command in a minimal Debian 12 container (root).
fresh-machine: ## the README's commands in minimal Debian 12 and 13 containers (root)
	@tests/fresh-machine.sh

bench: all ## the benchmarks (results in bench/README.md)
	@bench/run.sh $(abspath $(B)/argoweb)

# --- packages (build/argoweb_VERSION_ARCH.deb, build/argoweb-VERSION-RELEASE.ARCH.rpm)
deb: ## build/argoweb_VERSION_ARCH.deb
	@packaging/debian/build.sh $(VERSION)

rpm: ## build/argoweb-VERSION-RELEASE.ARCH.rpm
	@packaging/rpm/build.sh $(VERSION)

# --- install -------------------------------------------------------------
install: $(B)/argoweb $(GENUNITS) ## install into DESTDIR, under PREFIX
	install -D -m 0755 $(B)/argoweb $(DESTDIR)$(BINDIR)/argoweb
	install -D -m 0644 examples/web.yaml $(DESTDIR)$(DOCDIR)/examples/web.yaml
	for m in man/*.[1-8]; do \
	    s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; \
	done
	install -d $(DESTDIR)$(UNITDIR)
	for u in systemd/argoweb@.service $(GENUNITS); do \
	    sed 's#/usr/bin/argoweb#$(BINDIR)/argoweb#' $$u >$(DESTDIR)$(UNITDIR)/$${u##*/} && \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	install -m 0644 systemd/argoweb-active.target systemd/argoweb.slice $(DESTDIR)$(UNITDIR)/
	if [ "$(SYSTEMD_VERSION)" -ge 254 ]; then \
	    for u in argoweb@ argoweb-active@ argoweb-handover@; do \
	        install -D -m 0644 systemd/backoff.conf $(DESTDIR)$(UNITDIR)/$$u.service.d/backoff.conf || exit 1; \
	    done; \
	fi
	install -D -m 0755 systemd/vrrp-notify $(DESTDIR)$(LIBEXECDIR)/argoweb/vrrp-notify
	install -D -m 0644 systemd/argoweb.sysusers $(DESTDIR)$(SYSUSERSDIR)/argoweb.conf
	install -D -m 0644 systemd/argoweb.tmpfiles $(DESTDIR)$(TMPFILESDIR)/argoweb.conf
	install -m 0644 systemd/argoweb@.service.d/*.example systemd/argoweb.slice.d/*.example \
	    $(DESTDIR)$(DOCDIR)/examples/

clean: ## remove build/
	rm -rf $(B) build

# What each target is for: the "## " note on its line.
help: ## this list
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/\1\t\2/p' $(firstword $(MAKEFILE_LIST)) | expand -t 16
