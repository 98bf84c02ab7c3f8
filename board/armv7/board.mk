# armv7: no flags beyond the architecture's toolchain (board/arch/armv7.mk).
BOARD_CFLAGS :=
