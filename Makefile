# tug - the only build entry point.
#
#   make                      build build/<board>/tug for the current .config
#                             (a fresh checkout gets the x86_64 defconfig)
#   make <board>_defconfig    start from board/<board>/defconfig
#   make menuconfig | olddefconfig | savedefconfig | allnoconfig | allyesconfig | randconfig
#   make test                 unit + integration tests through prove
#   make test-cross           aarch64 and armv7 binaries and unit tests under qemu-user
#   make debug                ASan/UBSan build with the host's gcc (build/debug/)
#   make size                 stripped size per defconfig and each library's share
#   make fmt | fmt-check      clang-format
#
# Variables: KCONFIG_CONFIG (default .config), O (output folder, default
# build/<board>), BUILD_DIR (default build), V=1 (show commands).

BUILD_DIR ?= build
KCONFIG_CONFIG ?= .config
export KCONFIG_CONFIG
VERSION := $(shell cat VERSION)
GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

ifeq ($(V),1)
Q :=
else
Q := @
endif

KCONFIG_FILES := Kconfig $(wildcard */Kconfig)

BOARDS := $(patsubst board/%/defconfig,%,$(wildcard board/*/defconfig))
CONFIG_GOALS := menuconfig olddefconfig savedefconfig allnoconfig allyesconfig \
	randconfig alldefconfig $(addsuffix _defconfig,$(BOARDS))
NOCONFIG_GOALS := $(CONFIG_GOALS) clean distclean fmt fmt-check help setup size \
	test-cross debug test-debug sweep fuzz

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

# ---------------------------------------------------------------- configuration

# A build with no configuration starts from the x86_64 defconfig; a changed
# Kconfig brings new symbols in at their defaults (the kernel's syncconfig).
$(KCONFIG_CONFIG): $(KCONFIG_FILES)
	$(Q)scripts/setup-host --ensure
	$(Q)mkdir -p $(dir $@)
	$(Q)if [ -f $@ ]; then kconfig-conf -s --olddefconfig Kconfig; \
	else echo "  CONFIG  $@ (from board/x86_64/defconfig)"; \
		kconfig-conf -s --defconfig=board/x86_64/defconfig Kconfig; fi
	$(Q)touch $@

$(addsuffix _defconfig,$(BOARDS)): %_defconfig: board/%/defconfig scripts/setup-host
	$(Q)scripts/setup-host --ensure
	$(Q)kconfig-conf -s --defconfig=$< Kconfig
	@echo "  CONFIG  $(KCONFIG_CONFIG) from $<"

menuconfig:
	$(Q)scripts/setup-host --ensure
	$(Q)kconfig-mconf Kconfig

olddefconfig allnoconfig allyesconfig alldefconfig:
	$(Q)scripts/setup-host --ensure
	$(Q)kconfig-conf -s --$@ Kconfig

# KCONFIG_SEED=<n> makes a random configuration reproducible.
randconfig:
	$(Q)scripts/setup-host --ensure
	$(Q)kconfig-conf -s --randconfig Kconfig

savedefconfig: $(KCONFIG_CONFIG)
	$(Q)kconfig-conf -s --savedefconfig=defconfig Kconfig
	@echo "  SAVE    defconfig (copy it to board/<board>/defconfig)"

.PHONY: $(CONFIG_GOALS)

# ---------------------------------------------------------------- the build

# Everything below needs a configuration; config-only goals skip it.
ifneq ($(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
NEED_CONFIG := 1
endif

ifdef NEED_CONFIG
-include $(KCONFIG_CONFIG)
BOARD := $(patsubst "%",%,$(CONFIG_BOARD))
ifeq ($(BOARD),)
BOARD := x86_64
endif
ARCH := $(if $(CONFIG_ARCH_AARCH64),aarch64,$(if $(CONFIG_ARCH_ARMV7),armv7,x86_64))
include board/arch/$(ARCH).mk
-include board/$(BOARD)/board.mk
O ?= $(BUILD_DIR)/$(BOARD)
DEPS_ARCH ?= $(ARCH)
LIBC_VERSION ?= musl $(shell dpkg-query -W -f='$${Version}' musl-dev:$(DEBIAN_ARCH) 2>/dev/null)
SYSROOT := $(BUILD_DIR)/sysroot/$(DEPS_ARCH)

# Source lists: each folder says what it compiles, by feature.
lib-y :=
bin-y :=
test-y :=
include core/build.mk oci/build.mk registry/build.mk net/build.mk tests/unit/build.mk

LIBS-y := -lcjson -lm
LIBS-$(CONFIG_IMAGES) += -larchive -lzstd -lz -lbearssl
LIBS-$(CONFIG_TLS) += -lbearssl
LIBS := $(sort $(LIBS-y))
LIBS := $(filter -larchive,$(LIBS)) $(filter-out -larchive -lcjson,$(LIBS)) -lcjson

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
CPPFLAGS := -D_GNU_SOURCE -I$(O)/include -I$(SYSROOT)/include -Icore/lib -I. \
	-include $(O)/include/cfg.h
# A static binary is not relocated: -fno-pie saves the GOT indirections
# Debian's gcc adds by default.
CFLAGS := -std=gnu11 -Os -g -fno-pie -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-ident \
	$(WARN) $(ARCH_CFLAGS) $(BOARD_CFLAGS) $(EXTRA_CFLAGS)
STATIC ?= -static
# noseparate-code: no page of padding between headers, code and data.
# norelro: musl applies RELRO only in its dynamic linker, never in a static
# binary, so the page alignment it asks for would be padding for nothing.
LDFLAGS := $(STATIC) -no-pie -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,noseparate-code -Wl,-z,norelro \
	-Wl,-z,common-page-size=64 \
	-L$(SYSROOT)/lib $(EXTRA_LDFLAGS)

# sorted: a file two features need is listed twice
LIB_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(sort $(lib-y)))
BIN_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(bin-y))
TESTS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(test-y))

all: $(O)/tug
	@echo "  DONE    $(O)/tug ($(ARCH), $$(stat -c %s $(O)/tug) bytes)"

# The generated header: every feature as CFG_<NAME> 0/1, rewritten only when
# it changes so that an unchanged configuration rebuilds nothing.
$(O)/include/cfg.h: $(KCONFIG_CONFIG) $(KCONFIG_FILES) scripts/gen-config
	$(Q)mkdir -p $(dir $@)
	$(Q)scripts/gen-config $(KCONFIG_CONFIG) $(KCONFIG_FILES) > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "  GEN     $@"; fi

# The third-party libraries, built once per architecture.
$(SYSROOT)/.done: deps/build deps/pins
	$(Q)CC=$(CC) AR=$(AR) STRIP=$(STRIP) CROSS_HOST=$(CROSS_HOST) BUILD_DIR=$(BUILD_DIR) \
		deps/build $(DEPS_ARCH)

# The table of faces and commands, made from the //applet: lines of the
# sources that are compiled in.
$(O)/include/applets.h: $(bin-y) scripts/gen-applets
	$(Q)mkdir -p $(dir $@)
	$(Q)scripts/gen-applets decls $(bin-y) > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "  GEN     $@"; fi

$(O)/include/applet-table.h: $(bin-y) scripts/gen-applets
	$(Q)mkdir -p $(dir $@)
	$(Q)scripts/gen-applets table $(bin-y) > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "  GEN     $@"; fi

$(O)/include/version.h: FORCE
	$(Q)mkdir -p $(dir $@)
	$(Q)printf '#define TUG_VERSION "%s"\n#define TUG_GIT_REV "%s"\n#define TUG_LIBC_VERSION "%s"\n' \
		'$(VERSION)' '$(GIT_REV)' '$(LIBC_VERSION)' > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(O)/obj/%.o: %.c $(O)/include/cfg.h $(SYSROOT)/.done $(wildcard board/$(BOARD)/board.mk)
	@echo "  CC      $<"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/obj/core/main.o: $(O)/include/applet-table.h
$(BIN_OBJS): $(O)/include/applets.h $(O)/include/version.h

$(O)/libtug.a: $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(O)/tug.debug: $(BIN_OBJS) $(O)/libtug.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -Wl,-Map=$(O)/tug.map -o $@ $(BIN_OBJS) $(O)/libtug.a $(LIBS)

$(O)/tug: $(O)/tug.debug
	@echo "  STRIP   $@"
	$(Q)$(STRIP) --strip-all -R .comment -o $@ $<

$(O)/tests/%: tests/unit/%.c $(O)/libtug.a tests/unit/tap.h $(O)/include/cfg.h
	@echo "  CC      $@"
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(O)/libtug.a $(LIBS)

unit: $(TESTS)

-include $(LIB_OBJS:.o=.d) $(BIN_OBJS:.o=.d)
endif

FORCE:
.PHONY: all unit FORCE fuzz fuzz-run

# ---------------------------------------------------------------- tests

PROVE := prove --norc
# Integration tests find the binary and the configuration through these.
test: all unit
	$(Q)scripts/setup-host --ensure
	$(Q)TUG=$(abspath $(O)/tug) TUG_CONFIG=$(abspath $(KCONFIG_CONFIG)) \
		$(PROVE) $(TESTS) $(sort $(wildcard tests/integration/*.bats))

# Each cross board's binary and unit tests under qemu-user, in its own folder
# with its own configuration (made from the board's defconfig each time).
# The *_live tests work on the real kernel (cgroups, freezing their own
# children), which qemu-user emulates only in part: they run natively.
test-cross:
	$(Q)scripts/setup-host --ensure
	$(Q)for b in aarch64 armv7; do \
		mkdir -p $(BUILD_DIR)/$$b && \
		KCONFIG_CONFIG=$(BUILD_DIR)/$$b/.config \
			kconfig-conf -s --defconfig=board/$$b/defconfig Kconfig && \
		$(MAKE) --no-print-directory KCONFIG_CONFIG=$(BUILD_DIR)/$$b/.config \
			O=$(BUILD_DIR)/$$b run-unit-under-qemu || exit 1; done

run-unit-under-qemu: all unit
	$(Q)file $(O)/tug | grep -q "statically linked" || { file $(O)/tug; exit 1; }
	$(Q)$(RUN_TARGET) $(O)/tug --version
	$(Q)$(PROVE) --exec '$(RUN_TARGET)' $(filter-out %_live,$(TESTS))

run-unit: all unit
	$(Q)$(PROVE) $(TESTS)

.PHONY: test test-cross run-unit-under-qemu run-unit

# ---------------------------------------------------------------- debug build

# Sanitizers do not link statically with musl: this build uses the host's
# gcc and glibc, with the same dependency versions built for the host, and
# every feature on (allyesconfig) so that every module's tests run.
DEBUG_VARS := O=$(BUILD_DIR)/debug KCONFIG_CONFIG=$(BUILD_DIR)/debug/.config \
	CC=gcc AR=ar STRIP=strip DEPS_ARCH=host CROSS_HOST= STATIC= LIBC_VERSION="glibc (debug build)" \
	EXTRA_CFLAGS="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer" \
	EXTRA_LDFLAGS="-fsanitize=address,undefined"

debug:
	$(Q)mkdir -p $(BUILD_DIR)/debug
	$(Q)test -f $(BUILD_DIR)/debug/.config || \
		KCONFIG_CONFIG=$(BUILD_DIR)/debug/.config kconfig-conf -s --allyesconfig Kconfig
	$(Q)$(MAKE) --no-print-directory $(DEBUG_VARS) all unit

test-debug: debug
	$(Q)UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(MAKE) --no-print-directory $(DEBUG_VARS) run-unit

# libFuzzer harnesses (tests/fuzz/fuzz_*.c), each linked with the library
# built by clang with the fuzzer's instrumentation, run FUZZ_TIME seconds
# each from a corpus under build/fuzz/corpus-<name>.
FUZZ_TIME ?= 10
FUZZ_VARS := O=$(BUILD_DIR)/fuzz KCONFIG_CONFIG=$(BUILD_DIR)/fuzz/.config \
	CC=clang AR=ar STRIP=strip DEPS_ARCH=host CROSS_HOST= STATIC= LIBC_VERSION="glibc (fuzz build)" \
	EXTRA_CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -Wno-unknown-warning-option" \
	EXTRA_LDFLAGS="-fsanitize=address,undefined"
FUZZERS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

fuzz:
	$(Q)mkdir -p $(BUILD_DIR)/fuzz
	$(Q)test -f $(BUILD_DIR)/fuzz/.config || \
		KCONFIG_CONFIG=$(BUILD_DIR)/fuzz/.config kconfig-conf -s --allyesconfig Kconfig
	$(Q)$(MAKE) --no-print-directory $(FUZZ_VARS) fuzz-run

fuzz-run: $(O)/libtug.a
	$(Q)for f in $(FUZZERS); do \
		echo "  FUZZ    $$f ($(FUZZ_TIME) s)"; \
		$(CC) $(CPPFLAGS) -O1 -g -fno-pie -no-pie -fsanitize=fuzzer,address,undefined -o $(O)/$$f \
			tests/fuzz/$$f.c $(O)/libtug.a -L$(SYSROOT)/lib $(LIBS) -lpthread || exit 1; \
		mkdir -p $(O)/corpus-$$f; \
		$(O)/$$f -max_total_time=$(FUZZ_TIME) -rss_limit_mb=1024 $(O)/corpus-$$f \
			>$(O)/$$f.log 2>&1 || { tail -40 $(O)/$$f.log; exit 1; }; \
		grep -E "^(Done|#[0-9]+ *DONE)" $(O)/$$f.log | tail -1; \
	done

# ---------------------------------------------------------------- reports

size:
	$(Q)scripts/size-report $(BOARDS)

# The configuration sweep CI runs: every board, allno, allyes, randconfigs.
sweep:
	$(Q)scripts/config-sweep

fmt:
	$(Q)git ls-files --cached --others --exclude-standard '*.c' '*.h' | xargs clang-format -i

fmt-check:
	$(Q)git ls-files --cached --others --exclude-standard '*.c' '*.h' | xargs clang-format --dry-run --Werror

setup:
	$(Q)scripts/setup-host

clean:
	rm -rf $(BUILD_DIR)/x86_64 $(BUILD_DIR)/aarch64 $(BUILD_DIR)/armv7 $(BUILD_DIR)/tiny \
		$(BUILD_DIR)/debug $(BUILD_DIR)/size $(BUILD_DIR)/sweep

distclean:
	rm -rf $(BUILD_DIR) .config .config.old defconfig

help:
	@sed -n '2,16p' Makefile | sed 's/^# \{0,1\}//'

# The README's first command: build, start the daemon, run a web server.
run:
	$(Q)scripts/demo

.PHONY: debug test-debug size sweep fmt fmt-check setup clean distclean help run
