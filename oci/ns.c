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
	{ "pid", "pid", CLONE_NEWPID },	     { "network", "net", CLONE_NEWNET },
	{ "mount", "mnt", CLONE_NEWNS },     { "ipc", "ipc", CLONE_NEWIPC },
	{ "uts", "uts", CLONE_NEWUTS },	     { "user", "user", CLONE_NEWUSER },
	{ "cgroup", "cgroup", CLONE_NEWCGROUP }, { "time", "time", CLONE_NEWTIME },
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
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_sys(e, errno, "open %s namespace %s", oci_ns_spec_name(type), path);
	if (setns(fd, type) < 0) {
		int saved = errno;

		close(fd);
		return err_sys(e, saved, "join %s namespace %s", oci_ns_spec_name(type), path);
	}
	close(fd);
	return 0;
}
