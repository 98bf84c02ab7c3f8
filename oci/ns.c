/* ns.c - the namespace names of the OCI spec and of /proc, and setns. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "oci/ns.h"

static const struct {
	const char *spec, *proc;
	int type;
} ns_table[] = {
	{"pid", "pid", CLONE_NEWPID},          {"network", "net", CLONE_NEWNET},
	{"mount", "mnt", CLONE_NEWNS},         {"ipc", "ipc", CLONE_NEWIPC},
	{"uts", "uts", CLONE_NEWUTS},          {"user", "user", CLONE_NEWUSER},
	{"cgroup", "cgroup", CLONE_NEWCGROUP}, {"time", "time", CLONE_NEWTIME},
};
#define NNS (sizeof(ns_table) / sizeof(ns_table[0]))

int oci_ns_from_name(const char *name)
{
	for (size_t i = 0; i < NNS; i++)
		if (strcmp(name, ns_table[i].spec) == 0)
			return ns_table[i].type;
	return -1;
}

const char *oci_ns_proc_name(int type)
{
	for (size_t i = 0; i < NNS; i++)
		if (ns_table[i].type == type)
			return ns_table[i].proc;
	return NULL;
}

const char *oci_ns_spec_name(int type)
{
	for (size_t i = 0; i < NNS; i++)
		if (ns_table[i].type == type)
			return ns_table[i].spec;
	return NULL;
}

int oci_ns_join(const char *path, int type, struct err *e)
{
	return oci_ns_join_all(&path, &type, 1, e);
}

int oci_ns_join_all(const char *const *paths, const int *types, size_t n, struct err *e)
{
	int fds[OCI_NS_MAX];
	size_t i, opened = 0;
	int r = 0;

	if (n > OCI_NS_MAX)
		return err_set(e, "too many namespaces to join");
	for (i = 0; i < n; i++, opened++) {
		fds[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			r = err_sys(e, errno, "open %s namespace %s", oci_ns_spec_name(types[i]),
				    paths[i]);
			break;
		}
	}
	for (int pass = 0; r == 0 && pass < 2; pass++)
		for (i = 0; r == 0 && i < n; i++)
			if ((types[i] == CLONE_NEWUSER) == (pass == 0) &&
			    setns(fds[i], types[i]) < 0)
				r = err_sys(e, errno, "join %s namespace %s",
					    oci_ns_spec_name(types[i]), paths[i]);
	for (i = 0; i < opened; i++)
		close(fds[i]);
	return r;
}
