/* volumes-mount.c - the local driver's options (type, device, o): checked at
 * create, mounted on the volume's _data while containers use it, unmounted
 * after the last one, as dockerd's local driver does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "core/daemon/volumes-priv.h"
#include "core/daemon/volumes.h"
#include "file.h"

/* What is using a volume with mount options (in memory: the mounts
 * themselves are found again in mountinfo after a daemon restart). */
struct vmnt {
	char name[VOL_NAME_MAX + 1];
	unsigned count;
	bool mounted;
	struct vmnt *next;
};

static struct vmnt *mnts; /* under vol_mu */

static const char *opt(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An IPv4 literal; the only address form tug mounts network volumes from. */
static bool is_ipv4(const char *s, size_t n)
{
	int dots = 0, digits = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' && digits) {
			dots++;
			digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			digits++;
		} else {
			return false;
		}
	}
	return dots == 3 && digits;
}

/* dockerd resolves a host name in addr= itself; tug has no resolver for it,
 * so it says so at create rather than failing at the first use. */
static int check_addr(const char *type, const char *o, struct err *e)
{
	const char *a;

	if (!type || (strcmp(type, "nfs") && strcmp(type, "nfs4") && strcmp(type, "cifs")) || !o)
		return 0;
	for (a = o; (a = strstr(a, "addr=")); a++) {
		size_t n;
		if (a != o && a[-1] != ',')
			continue;
		a += 5;
		n = strcspn(a, ",");
		if (!is_ipv4(a, n))
			return err_set(e,
				       "addr=%.*s: tug does not resolve host names for volume "
				       "mounts; give the server's IPv4 address",
				       (int)n, a);
	}
	return 0;
}

int vol_opts_check(const cJSON *opts, struct err *e)
{
	static const char *const need[][3] = {
		{"type", "device", NULL}, {"device", "type", NULL}, {"o", "device", "type"}};
	const cJSON *it;

	if (!opts || cJSON_IsNull(opts) || !cJSON_GetArraySize(opts))
		return 0;
	cJSON_ArrayForEach(it, opts)
	{
		if (strcmp(it->string, "type") && strcmp(it->string, "o") &&
		    strcmp(it->string, "device") && strcmp(it->string, "size"))
			return err_set(e, "invalid option: \"%s\"", it->string);
		if (!cJSON_IsString(it))
			return err_set(e, "option %s: expected a string", it->string);
	}
	/* no quota support: dockerd refuses a size in that case too */
	if (opt(opts, "size") && strspn(opt(opts, "size"), "0") != strlen(opt(opts, "size")))
		return err_set(e, "quota size requested but no quota support");
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!opt(opts, need[i][0]))
			continue;
		for (size_t k = 1; k < 3 && need[i][k]; k++)
			if (!opt(opts, need[i][k]))
				return err_set(e, "missing required option: \"%s\"", need[i][k]);
	}
	return check_addr(opt(opts, "type"), opt(opts, "o"), e);
}

/* mount(8)'s flag words in o=; the others go to the file system as data. */
static const struct {
	const char *name;
	unsigned long set, clear;
} mflags[] = {
	{"ro", MS_RDONLY, 0},
	{"rw", 0, MS_RDONLY},
	{"bind", MS_BIND, 0},
	{"rbind", MS_BIND | MS_REC, 0},
	{"nosuid", MS_NOSUID, 0},
	{"suid", 0, MS_NOSUID},
	{"nodev", MS_NODEV, 0},
	{"dev", 0, MS_NODEV},
	{"noexec", MS_NOEXEC, 0},
	{"exec", 0, MS_NOEXEC},
	{"sync", MS_SYNCHRONOUS, 0},
	{"async", 0, MS_SYNCHRONOUS},
	{"dirsync", MS_DIRSYNC, 0},
	{"noatime", MS_NOATIME, 0},
	{"atime", 0, MS_NOATIME},
	{"nodiratime", MS_NODIRATIME, 0},
	{"diratime", 0, MS_NODIRATIME},
	{"relatime", MS_RELATIME, 0},
	{"norelatime", 0, MS_RELATIME},
	{"strictatime", MS_STRICTATIME, 0},
	{"mand", MS_MANDLOCK, 0},
	{"nomand", 0, MS_MANDLOCK},
	{"defaults", 0, 0},
};

/* Split o into flags and the file system's data (written to data). */
static unsigned long parse_o(const char *o, char *data, size_t size)
{
	unsigned long flags = 0;
	size_t dl = 0;

	data[0] = '\0';
	while (o && *o) {
		size_t n = strcspn(o, ","), i;
		for (i = 0; i < sizeof(mflags) / sizeof(mflags[0]); i++)
			if (strlen(mflags[i].name) == n && !strncmp(mflags[i].name, o, n))
				break;
		if (i < sizeof(mflags) / sizeof(mflags[0]))
			flags = (flags | mflags[i].set) & ~mflags[i].clear;
		else if (n && dl + n + 2 < size)
			dl += (size_t)snprintf(data + dl, size - dl, "%s%.*s", dl ? "," : "",
					       (int)n, o);
		o += n + (o[n] == ',');
	}
	return flags;
}

/* mount(2) as mount(8) does it: a bind first, then a remount for the flags
 * a bind mount ignores. */
static int do_mount(const char *dev, const char *target, const char *type, const char *o,
		    struct err *e)
{
	char data[1024];
	unsigned long flags = parse_o(o, data, sizeof(data));

	if (mount(dev, target, type, flags, data[0] ? data : NULL) < 0)
		return err_sys(e, errno, "mount %s:%s, type %s", dev, target, type);
	if ((flags & MS_BIND) && (flags & ~(MS_BIND | MS_REC)) &&
	    mount(NULL, target, NULL, flags | MS_REMOUNT, NULL) < 0) {
		int en = errno;
		umount2(target, MNT_DETACH);
		return err_sys(e, en, "remount %s", target);
	}
	return 0;
}

/* mountinfo's field 5 with its octal escapes (\040 for a space) undone. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

bool vol_is_mountpoint(const char *path)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len;
	bool found = false;

	if (file_read_all("/proc/self/mountinfo", 16u << 20, &buf, &len, NULL) < 0)
		return false;
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f = line;
		for (int i = 0; i < 4 && f; i++)
			f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
		if (!f)
			continue;
		f[strcspn(f, " ")] = '\0';
		unescape(f);
		found = !strcmp(f, path);
	}
	free(buf);
	return found;
}

static struct vmnt *mnt_find(const char *name, bool make)
{
	struct vmnt *m;

	for (m = mnts; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	if (!make || !(m = calloc(1, sizeof(*m))))
		return NULL;
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->next = mnts;
	mnts = m;
	return m;
}

static void mnt_drop(struct vmnt *gone)
{
	for (struct vmnt **p = &mnts; *p; p = &(*p)->next)
		if (*p == gone) {
			*p = gone->next;
			free(gone);
			return;
		}
}

/* The _data path with symlinks resolved, as mountinfo shows it. */
static int data_path(struct daemon *d, const char *name, char *out, struct err *e)
{
	char p[VOL_PATH_MAX];

	vol_path(d, name, "_data", p, sizeof(p));
	if (!realpath(p, out))
		return err_sys(e, errno, "volume %s: %s", name, p);
	return 0;
}

static int mount_locked(struct daemon *d, const char *name, const cJSON *rec, struct err *e)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "Options");
	char path[PATH_MAX];
	struct vmnt *m;

	if (data_path(d, name, path, e) < 0)
		return -1;
	m = mnt_find(name, true);
	if (!m)
		return err_set(e, "volume %s: out of memory", name);
	if (!m->mounted && vol_is_mountpoint(path))
		m->mounted = true; /* still there from before a daemon restart */
	if (!m->mounted) {
		const char *type = opt(o, "type"), *dev = opt(o, "device");
		if (!dev || do_mount(dev, path, type ? type : "", opt(o, "o"), e) < 0) {
			if (!dev)
				err_set(e, "missing device in volume options");
			if (!m->count)
				mnt_drop(m);
			return err_wrap(
				e, "error while mounting volume '%s': failed to mount local volume",
				path);
		}
		m->mounted = true;
	}
	m->count++;
	return 0;
}

int vol_mount(struct daemon *d, const char *name, struct err *e)
{
	cJSON *rec;
	int rc;

	pthread_mutex_lock(&vol_mu);
	rc = vol_rec_load(d, name, &rec, e) ? -1 : 0;
	if (!rc && vol_needs_mount(rec))
		rc = mount_locked(d, name, rec, e);
	pthread_mutex_unlock(&vol_mu);
	cJSON_Delete(rec);
	return rc;
}

static int unmount_path(const char *name, const char *path, struct err *e)
{
	if (umount2(path, MNT_DETACH) < 0 && vol_is_mountpoint(path))
		return err_sys(e, errno, "volume %s: unmount %s", name, path);
	return 0;
}

int vol_unmount(struct daemon *d, const char *name, struct err *e)
{
	char path[PATH_MAX];
	struct vmnt *m;
	int rc = 0;

	pthread_mutex_lock(&vol_mu);
	m = mnt_find(name, false);
	if (m && m->count)
		m->count--;
	if (m && !m->count) {
		if (m->mounted && (rc = data_path(d, name, path, e)) == 0)
			rc = unmount_path(name, path, e);
		if (!rc)
			mnt_drop(m);
	}
	pthread_mutex_unlock(&vol_mu);
	return rc;
}

int vol_mnt_release(struct daemon *d, const char *name, bool ours, struct err *e)
{
	struct vmnt *m = mnt_find(name, false);
	char path[PATH_MAX];

	if (data_path(d, name, path, NULL) < 0)
		return 0; /* no _data: nothing can be mounted there */
	if (vol_is_mountpoint(path)) {
		/* a mount tug did not make: removing the tree would reach into it */
		if (!ours)
			return err_set(e, "volume has active mounts");
		if (unmount_path(name, path, e) < 0)
			return -1;
	}
	if (m)
		mnt_drop(m);
	return 0;
}
