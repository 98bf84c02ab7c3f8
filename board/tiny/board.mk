# tiny: the x86_64 toolchain with only the OCI runtime compiled in (see defconfig).
BOARD_CFLAGS :=
