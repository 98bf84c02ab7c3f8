# aarch64: gcc-aarch64-linux-gnu with musl-dev:arm64's specs wrapper.
ARCH         := aarch64
CC           := aarch64-linux-musl-gcc
CROSS_HOST   := aarch64-linux-musl
CROSS_PREFIX := aarch64-linux-gnu-
AR           := $(CROSS_PREFIX)ar
STRIP        := $(CROSS_PREFIX)strip
NM           := $(CROSS_PREFIX)nm
DEBIAN_ARCH  := arm64
RUN_TARGET   := qemu-aarch64-static
include board/arch/common.mk
