/* config-check.h - combinations of features that cannot work, refused at
 * compile time in one place (dropbear's sysoptions.h). Kconfig's depends/select
 * prevent them in menuconfig; this catches hand-edited configurations. */
#ifndef TUG_CONFIG_CHECK_H
#define TUG_CONFIG_CHECK_H

#if CFG_DAEMON && !(CFG_SHIM && CFG_RUNTIME && CFG_IMAGES)
#error "CONFIG_DAEMON needs CONFIG_SHIM, CONFIG_RUNTIME and CONFIG_IMAGES"
#endif
#if CFG_SHIM && !CFG_RUNTIME
#error "CONFIG_SHIM needs CONFIG_RUNTIME (the shim runs containers through it)"
#endif
#if (CFG_CGROUP_V1 || CFG_CGROUP_V2 || CFG_SECCOMP) && !CFG_RUNTIME
#error "cgroup drivers and seccomp are parts of CONFIG_RUNTIME"
#endif
#if (CFG_GZIP || CFG_ZSTD || CFG_SNAPSHOT_OVERLAY || CFG_SNAPSHOT_COPY || CFG_SAVE_LOAD) &&        \
	!CFG_IMAGES
#error "layer formats, snapshotters and save/load are parts of CONFIG_IMAGES"
#endif
#if CFG_REGISTRY && !CFG_IMAGES
#error "CONFIG_REGISTRY needs CONFIG_IMAGES (pulled images go into the store)"
#endif
#if CFG_PUSH && !CFG_REGISTRY
#error "CONFIG_PUSH needs CONFIG_REGISTRY"
#endif
#if CFG_PORT_MAP && !CFG_NET_BRIDGE
#error "CONFIG_PORT_MAP needs CONFIG_NET_BRIDGE"
#endif
#if CFG_PORT_MAP && (CFG_NAT_IPTABLES + CFG_NAT_NFT != 1)
#error "CONFIG_PORT_MAP needs exactly one NAT backend"
#endif
#if CFG_ARCH_X86_64 + CFG_ARCH_AARCH64 + CFG_ARCH_ARMV7 != 1
#error "exactly one CONFIG_ARCH_* must be set"
#endif

#if (CFG_ARCH_X86_64 && !defined(__x86_64__)) || (CFG_ARCH_AARCH64 && !defined(__aarch64__)) ||    \
	(CFG_ARCH_ARMV7 && !defined(__arm__))
#error "the configured CONFIG_ARCH_* is not the CPU this compiler targets"
#endif

#endif
