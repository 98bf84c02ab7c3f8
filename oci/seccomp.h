/* seccomp.h - the spec's linux.seccomp compiled into a classic BPF program and
 * loaded, as runc does through libseccomp, without libseccomp. */
#ifndef TUG_OCI_SECCOMP_H
#define TUG_OCI_SECCOMP_H

#include <stdint.h>

#include "err.h"
#include "oci/spec.h"

struct sock_filter;

/* A compiled filter, ready for the kernel. insns is owned by the struct:
 * oci_seccomp_free releases it. flags are the SECCOMP_FILTER_FLAG_* bits the
 * spec asked for, checked at compile time so that loading does no parsing. */
struct oci_bpf {
	struct sock_filter *insns;
	unsigned short len;
	unsigned int flags;
};

#if CFG_SECCOMP

/* Compile s into *out (zeroed first; on failure nothing is left to free).
 * Errors name the JSON path of the culprit:
 *   linux.seccomp.syscalls[3].args[0].index: 6 is out of range (0-5)
 * Semantics follow runc with libseccomp (see docs in seccomp.c): names unknown
 * on an arch are skipped, arches no kernel running this binary can report
 * (mips, ppc, s390, ...) are accepted and left out, SCMP_ACT_NOTIFY is
 * refused (tug has no seccomp agent support). */
int oci_seccomp_compile(const struct oci_seccomp *s, struct oci_bpf *out, struct err *e);

/* Load f for the calling thread (all threads with SECCOMP_FILTER_FLAG_TSYNC).
 * The caller has set no_new_privs or holds CAP_SYS_ADMIN. Allocates nothing,
 * so it is safe in a child between fork and exec. */
int oci_seccomp_load(const struct oci_bpf *f, struct err *e);

/* Release f->insns; f may be zeroed or already freed. */
void oci_seccomp_free(struct oci_bpf *f);

/* The number of syscall name on arch ("SCMP_ARCH_X32"), as the kernel puts
 * it in seccomp_data.nr (x32 numbers carry the x32 bit); -1 when the arch or
 * the name is unknown here. Only the arches of this build's CPU family are
 * known: x86_64, x86, x32 on x86; aarch64, arm on arm. */
long oci_seccomp_syscall_nr(const char *arch, const char *name);

#else

static inline int oci_seccomp_compile(const struct oci_seccomp *s, struct oci_bpf *out,
				      struct err *e)
{
	(void)s;
	*out = (struct oci_bpf){0};
	return err_set(e, "linux.seccomp: this tug is built without seccomp (CONFIG_SECCOMP)");
}

static inline int oci_seccomp_load(const struct oci_bpf *f, struct err *e)
{
	(void)f;
	return err_set(e, "seccomp: this tug is built without seccomp (CONFIG_SECCOMP)");
}

static inline void oci_seccomp_free(struct oci_bpf *f)
{
	(void)f;
}

static inline long oci_seccomp_syscall_nr(const char *arch, const char *name)
{
	(void)arch;
	(void)name;
	return -1;
}

#endif
#endif
