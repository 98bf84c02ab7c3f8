# x86_64: no flags beyond the architecture's toolchain (board/arch/x86_64.mk).
BOARD_CFLAGS :=
