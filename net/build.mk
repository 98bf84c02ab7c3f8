# net/build.mk - what net/ compiles, by feature (see net/Kconfig).
