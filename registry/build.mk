# registry/build.mk - what registry/ compiles, by feature (see registry/Kconfig).
