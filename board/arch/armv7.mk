# armv7: gcc-arm-linux-gnueabihf with musl-dev:armhf's specs wrapper
# (Debian armhf: ARMv7-A, VFPv3-D16, Thumb-2, hard float).
ARCH         := armv7
CC           := arm-linux-musleabihf-gcc
CROSS_HOST   := arm-linux-musleabihf
CROSS_PREFIX := arm-linux-gnueabihf-
AR           := $(CROSS_PREFIX)ar
STRIP        := $(CROSS_PREFIX)strip
NM           := $(CROSS_PREFIX)nm
DEBIAN_ARCH  := armhf
RUN_TARGET   := qemu-arm-static
include board/arch/common.mk
