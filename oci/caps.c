/* caps.c - capability names and the capset/prctl calls that give the
 * container's process exactly the sets its spec names. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci/caps.h"

/* Indexed by capability number. */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};
#define NCAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

int oci_cap_from_name(const char *name)
{
	for (int i = 0; i < NCAPS; i++)
		if (strcmp(name, cap_names[i]) == 0)
			return i;
	return -1;
}

const char *oci_cap_name(int cap)
{
	return cap >= 0 && cap < NCAPS ? cap_names[cap] : NULL;
}

int oci_cap_last_known(void)
{
	return NCAPS - 1;
}

int oci_cap_last_kernel(void)
{
	static int last = -1;
	char buf[16] = "";
	int fd;

	if (last >= 0)
		return last;
	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		close(fd);
	}
	last = (int)strtol(buf, NULL, 10);
	if (!buf[0] || last <= 0 || last > 63)
		last = CAP_LAST_CAP; /* no /proc yet: what the headers knew */
	return last;
}

int oci_caps_apply_bounding(const struct oci_caps *c, struct err *e)
{
	int last = oci_cap_last_kernel();

	for (int cap = 0; cap <= last; cap++) {
		if (c->bounding & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return err_sys(e, errno, "drop %s from the bounding set",
				       oci_cap_name(cap) ? oci_cap_name(cap) : "capability");
	}
	return 0;
}

int oci_caps_apply(const struct oci_caps *c, struct err *e)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	int last = oci_cap_last_kernel();
	/* The kernel refuses bits it does not know; the spec may name newer ones. */
	uint64_t known = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;

	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)((c->effective & known) >> (32 * i));
		data[i].permitted = (uint32_t)((c->permitted & known) >> (32 * i));
		data[i].inheritable = (uint32_t)((c->inheritable & known) >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return err_sys(e, errno, "set capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return err_sys(e, errno, "clear the ambient capabilities");
	for (int cap = 0; cap <= last; cap++) {
		if (!(c->ambient & (1ULL << cap)))
			continue;
		/* Ambient needs the cap in permitted and inheritable; the kernel
		 * says EPERM otherwise, and runc ignores that too. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM)
			return err_sys(e, errno, "raise ambient %s", oci_cap_name(cap));
	}
	return 0;
}
