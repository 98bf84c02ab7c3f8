/* cgroup-mount.c - a container's /sys/fs/cgroup: cgroup2 on unified hosts;
 * on v1 and hybrid hosts a tmpfs with one folder per hierarchy, mounted fresh
 * inside a cgroup namespace (its root is the container's cgroup) or bound
 * from the container's cgroup folders without one. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"
#include "oci/cgroup.h"

static int hier_dir_fd(int rootfd, const char *dest, const char *name, struct err *e)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/%s", dest, name);
	return path_open_beneath(rootfd, rel, O_PATH | O_DIRECTORY, 0, e);
}

/* The first controller of a hierarchy names the container's folder in it. */
static const char *container_dir(const struct oci_cgroup *cg, const struct oci_cgroup_hier *h)
{
	for (int c = 0; c < OCI_CG_NCTRL; c++)
		if (h->ctrls & OCI_CG_BIT(c))
			return oci_cgroup_dir(cg, c);
	return NULL;
}

static int mount_hier(int rootfd, const char *dest, int tmpfd, const struct oci_cgroup *cg,
		      const struct oci_cgroup_hier *h, unsigned long flags, bool cgroupns,
		      struct err *e)
{
	char fp[32], data[64];
	const char *name = strrchr(h->mnt, '/') ? strrchr(h->mnt, '/') + 1 : h->mnt;
	const char *src = cgroupns ? NULL : container_dir(cg, h);
	int fd, r;

	if (!cgroupns && !src)
		return 0; /* a named hierarchy we made no cgroup in */
	if (mkdirat(tmpfd, name, 0755) < 0 && errno != EEXIST)
		return err_sys(e, errno, "mkdir %s/%s", dest, name);
	fd = hier_dir_fd(rootfd, dest, name, e);
	if (fd < 0)
		return -1;
	snprintf(fp, sizeof(fp), "/proc/self/fd/%d", fd);
	if (cgroupns) {
		snprintf(data, sizeof(data), "%s%s", h->name ? "none,name=" : "", name);
		r = mount("cgroup", fp, "cgroup", flags, data);
	} else {
		r = mount(src, fp, NULL, MS_BIND, NULL);
		/* The remount goes through a fresh fd: the old one names the
		 * folder under the new mount. */
		close(fd);
		fd = r == 0 && (flags & MS_RDONLY) ? hier_dir_fd(rootfd, dest, name, e) : -1;
		if (fd >= 0) {
			snprintf(fp, sizeof(fp), "/proc/self/fd/%d", fd);
			r = mount(NULL, fp, NULL, MS_BIND | MS_REMOUNT | flags, NULL);
		}
	}
	if (r < 0)
		err_sys(e, errno, "mount the %s cgroup hierarchy on %s/%s", name, dest, name);
	if (fd >= 0)
		close(fd);
	/* cpu,cpuacct is also reachable as cpu and cpuacct, as on the host. */
	if (r == 0 && strchr(name, ',')) {
		char parts[64], *save, *tok;

		snprintf(parts, sizeof(parts), "%s", name);
		for (tok = strtok_r(parts, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			symlinkat(name, tmpfd, tok);
	}
	return r < 0 ? -1 : 0;
}

int oci_cgroup_mount(const struct oci_cgroup *cg, const struct oci_cgroup_layout *l, int rootfd,
		     const char *dest, unsigned long flags, bool cgroupns, struct err *e)
{
	char fp[32];
	int fd, tmpfd, r = 0;

	fd = path_open_beneath(rootfd, dest, O_PATH | O_DIRECTORY, 0, e);
	if (fd < 0)
		return -1;
	snprintf(fp, sizeof(fp), "/proc/self/fd/%d", fd);
	if (l->mode == OCI_CGROUP_UNIFIED) {
		if (mount("cgroup2", fp, "cgroup2", flags, NULL) < 0)
			r = err_sys(e, errno, "mount cgroup2 on %s", dest);
		close(fd);
		return r;
	}
	r = mount("tmpfs", fp, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
	close(fd);
	if (r < 0)
		return err_sys(e, errno, "mount tmpfs on %s", dest);
	tmpfd = path_open_beneath(rootfd, dest, O_PATH | O_DIRECTORY, 0, e);
	if (tmpfd < 0)
		return -1;
	for (size_t i = 0; r == 0 && i < l->n_v1; i++)
		r = mount_hier(rootfd, dest, tmpfd, cg, &l->v1[i], flags, cgroupns, e);
	snprintf(fp, sizeof(fp), "/proc/self/fd/%d", tmpfd);
	if (r == 0 && (flags & MS_RDONLY) &&
	    mount(NULL, fp, NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
		  "mode=755") < 0)
		r = err_sys(e, errno, "make %s read-only", dest);
	close(tmpfd);
	return r;
}
