/* mountopt.c - the option names mount(8), runc and crun accept for OCI mounts. */
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>

#include "oci/mountopt.h"

#ifndef MS_LAZYTIME
#define MS_LAZYTIME (1 << 25)
#endif

enum { SET, CLEAR, PROP, REC_SET, REC_CLEAR, BIND, IGNORE };

static const struct {
	const char *name;
	unsigned char kind;
	unsigned long flag;
} opts[] = {
	{"defaults", IGNORE, 0},
	{"ro", SET, MS_RDONLY},
	{"rw", CLEAR, MS_RDONLY},
	{"nosuid", SET, MS_NOSUID},
	{"suid", CLEAR, MS_NOSUID},
	{"nodev", SET, MS_NODEV},
	{"dev", CLEAR, MS_NODEV},
	{"noexec", SET, MS_NOEXEC},
	{"exec", CLEAR, MS_NOEXEC},
	{"sync", SET, MS_SYNCHRONOUS},
	{"async", CLEAR, MS_SYNCHRONOUS},
	{"dirsync", SET, MS_DIRSYNC},
	{"remount", SET, MS_REMOUNT},
	{"mand", SET, MS_MANDLOCK},
	{"nomand", CLEAR, MS_MANDLOCK},
	{"noatime", SET, MS_NOATIME},
	{"atime", CLEAR, MS_NOATIME},
	{"nodiratime", SET, MS_NODIRATIME},
	{"diratime", CLEAR, MS_NODIRATIME},
	{"relatime", SET, MS_RELATIME},
	{"norelatime", CLEAR, MS_RELATIME},
	{"strictatime", SET, MS_STRICTATIME},
	{"nostrictatime", CLEAR, MS_STRICTATIME},
	{"lazytime", SET, MS_LAZYTIME},
	{"nolazytime", CLEAR, MS_LAZYTIME},
	{"silent", SET, MS_SILENT},
	{"loud", CLEAR, MS_SILENT},
	{"iversion", SET, MS_I_VERSION},
	{"noiversion", CLEAR, MS_I_VERSION},
	{"bind", BIND, 0},
	{"rbind", BIND, MS_REC},
	{"private", PROP, MS_PRIVATE},
	{"rprivate", PROP, MS_PRIVATE | MS_REC},
	{"shared", PROP, MS_SHARED},
	{"rshared", PROP, MS_SHARED | MS_REC},
	{"slave", PROP, MS_SLAVE},
	{"rslave", PROP, MS_SLAVE | MS_REC},
	{"unbindable", PROP, MS_UNBINDABLE},
	{"runbindable", PROP, MS_UNBINDABLE | MS_REC},
	{"rro", REC_SET, MOUNT_ATTR_RDONLY},
	{"rrw", REC_CLEAR, MOUNT_ATTR_RDONLY},
	{"rnosuid", REC_SET, MOUNT_ATTR_NOSUID},
	{"rsuid", REC_CLEAR, MOUNT_ATTR_NOSUID},
	{"rnodev", REC_SET, MOUNT_ATTR_NODEV},
	{"rdev", REC_CLEAR, MOUNT_ATTR_NODEV},
	{"rnoexec", REC_SET, MOUNT_ATTR_NOEXEC},
	{"rexec", REC_CLEAR, MOUNT_ATTR_NOEXEC},
	{"rnoatime", REC_SET, MOUNT_ATTR_NOATIME},
	{"rnodiratime", REC_SET, MOUNT_ATTR_NODIRATIME},
	{"rrelatime", REC_SET, MOUNT_ATTR_RELATIME},
	{"rstrictatime", REC_SET, MOUNT_ATTR_STRICTATIME},
	/* runc's "copy the image's files into the new tmpfs": done by the caller. */
	{"tmpcopyup", IGNORE, 0},
};

int oci_mountopt_parse(const char *opt, struct oci_mountopts *o)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (strcmp(opt, opts[i].name) != 0)
			continue;
		switch (opts[i].kind) {
		case SET:
			o->flags |= opts[i].flag;
			o->clear_flags &= ~opts[i].flag;
			break;
		case CLEAR:
			o->clear_flags |= opts[i].flag;
			o->flags &= ~opts[i].flag;
			break;
		case PROP:
			o->propagation = opts[i].flag;
			break;
		case REC_SET:
			o->rec_set |= opts[i].flag;
			o->rec_clear &= ~opts[i].flag;
			break;
		case REC_CLEAR:
			o->rec_clear |= opts[i].flag;
			o->rec_set &= ~opts[i].flag;
			break;
		case BIND:
			o->bind = true;
			o->recursive = opts[i].flag != 0;
			break;
		}
		return 1;
	}
	if (strcmp(opt, "idmap") == 0 || strcmp(opt, "ridmap") == 0)
		return -1;
	return 0;
}
