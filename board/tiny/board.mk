# tiny: the x86_64 toolchain with only the OCI runtime compiled in (see defconfig).
# -Oz (GCC 12) trades a little speed for size where -Os still inlines and
# aligns; it keeps the runtime-only binary under its 200 KiB budget.
BOARD_CFLAGS := -Oz
