# x86_64: Debian's musl-tools wrapper around the host gcc.
ARCH        := x86_64
CC          := x86_64-linux-musl-gcc
CROSS_HOST  := x86_64-linux-musl
AR          := ar
STRIP       := strip
NM          := nm
DEBIAN_ARCH := amd64
include board/arch/common.mk
