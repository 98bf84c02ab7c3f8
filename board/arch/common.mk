# board/arch/common.mk - what every toolchain fragment shares (the BearSSL conf/*.mk idea):
# the arch fragment names the compiler, then includes this for the rest.

ARCH_CFLAGS  ?=
CROSS_PREFIX ?=
AR      ?= $(CROSS_PREFIX)ar
STRIP   ?= $(CROSS_PREFIX)strip
NM      ?= $(CROSS_PREFIX)nm
# Command that runs a target binary on this machine (empty: natively).
RUN_TARGET ?=
