# aarch64: no flags beyond the architecture's toolchain (board/arch/aarch64.mk).
BOARD_CFLAGS :=
