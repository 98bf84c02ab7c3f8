/* cgroup.c - the host's cgroup layout (found at run time from mountinfo), where
 * a container's cgroup lives in each hierarchy, and the driver-neutral half of
 * the cgroup manager: the resources plan, file writes, pids, kill, destroy. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "file.h"
#include "oci/cgroup-priv.h"

#define CG_DEFAULT_ROOT "/sys/fs/cgroup"
#define CG_TEXT_MAX (4u << 20) /* cgroup.procs of a big container, mountinfo of a busy host */

static const char *const v1_names[OCI_CG_NCTRL] = {
	"cpu",  "cpuacct", "cpuset",  "memory",   "devices",    "freezer", "blkio",
	"pids", "hugetlb", "net_cls", "net_prio", "perf_event", "rdma",    "misc",
};

/* cgroup2 has no cpuacct, devices, freezer, net_*: those are core features or gone. */
static const char *const v2_names[OCI_CG_NCTRL] = {
	[OCI_CG_CPU] = "cpu",
	[OCI_CG_CPUSET] = "cpuset",
	[OCI_CG_MEMORY] = "memory",
	[OCI_CG_IO] = "io",
	[OCI_CG_PIDS] = "pids",
	[OCI_CG_HUGETLB] = "hugetlb",
	[OCI_CG_PERF_EVENT] = "perf_event",
	[OCI_CG_RDMA] = "rdma",
	[OCI_CG_MISC] = "misc",
};

const char *oci_cgroup_ctrl_name(int ctrl, bool v2)
{
	if (ctrl < 0 || ctrl >= OCI_CG_NCTRL)
		return NULL;
	return v2 ? v2_names[ctrl] : v1_names[ctrl];
}

static int ctrl_by_name(const char *s, size_t len, bool v2)
{
	for (int c = 0; c < OCI_CG_NCTRL; c++) {
		const char *n = v2 ? v2_names[c] : v1_names[c];

		if (n && strlen(n) == len && memcmp(n, s, len) == 0)
			return c;
	}
	return -1;
}

const char *oci_cgroup_mode_name(enum oci_cgroup_mode m)
{
	switch (m) {
	case OCI_CGROUP_LEGACY:
		return "v1";
	case OCI_CGROUP_HYBRID:
		return "hybrid";
	case OCI_CGROUP_UNIFIED:
		return "v2";
	}
	return "?";
}

/* ---------------------------------------------------------------- layout */

static void hier_free(struct oci_cgroup_hier *h)
{
	free(h->mnt);
	free(h->root);
	free(h->name);
	free(h->own);
	memset(h, 0, sizeof(*h));
}

void oci_cgroup_layout_free(struct oci_cgroup_layout *l)
{
	for (size_t i = 0; i < l->n_v1; i++)
		hier_free(&l->v1[i]);
	hier_free(&l->v2);
	memset(l, 0, sizeof(*l));
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
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

/* A comma list of mount options or of /proc/PID/cgroup controllers. Options
 * that are not controllers (rw, relatime, xattr...) are skipped. */
static unsigned parse_ctrls(const char *list, char *name, size_t name_size)
{
	unsigned mask = 0;

	if (name_size)
		name[0] = '\0';
	while (*list) {
		size_t len = strcspn(list, ",");
		int c = ctrl_by_name(list, len, false);

		if (c >= 0)
			mask |= OCI_CG_BIT(c);
		else if (len > 5 && strncmp(list, "name=", 5) == 0 && len - 5 < name_size)
			snprintf(name, name_size, "%.*s", (int)(len - 5), list + 5);
		list += len;
		if (*list == ',')
			list++;
	}
	return mask;
}

static bool same_hier(const struct oci_cgroup_hier *h, unsigned mask, const char *name)
{
	return h->ctrls == mask && strcmp(h->name ? h->name : "", name) == 0;
}

static int set_hier(struct oci_cgroup_hier *h, const char *mnt, const char *root, unsigned ctrls,
		    const char *name, struct err *e)
{
	hier_free(h);
	h->mnt = strdup(mnt);
	h->root = strdup(root);
	h->name = name && *name ? strdup(name) : NULL;
	h->ctrls = ctrls;
	if (!h->mnt || !h->root || (name && *name && !h->name))
		return err_sys(e, ENOMEM, "cgroup layout");
	return 0;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Of two mounts of one hierarchy, the one below the cgroup root wins (the
 * other may be a tool's private bind mount); otherwise the first seen. */
static bool better_mount(const char *old, const char *mnt, const char *cgroot)
{
	return !under(old, cgroot) && under(mnt, cgroot);
}

/* One mountinfo line: "36 35 98:0 /root /mnt opts [optional...] - fstype src superopts". */
static int mountinfo_line(struct oci_cgroup_layout *l, char *line, const char *cgroot,
			  struct err *e)
{
	char *f[6], *fstype, *superopts, *save = NULL, name[64];
	unsigned mask;
	size_t i;

	for (i = 0; i < 6; i++)
		if (!(f[i] = strtok_r(i ? NULL : line, " ", &save)))
			return 0;
	while ((fstype = strtok_r(NULL, " ", &save)) && strcmp(fstype, "-") != 0)
		;
	fstype = strtok_r(NULL, " ", &save);
	if (!fstype || !strtok_r(NULL, " ", &save) || !(superopts = strtok_r(NULL, " ", &save)))
		return 0;
	unescape(f[3]);
	unescape(f[4]);
	if (strcmp(fstype, "cgroup2") == 0) {
		/* A mount at the root itself makes the host pure v2: it always wins. */
		if (l->has_v2 && strcmp(f[4], cgroot) != 0 &&
		    !better_mount(l->v2.mnt, f[4], cgroot))
			return 0;
		l->has_v2 = true;
		return set_hier(&l->v2, f[4], f[3], 0, NULL, e);
	}
	if (strcmp(fstype, "cgroup") != 0)
		return 0;
	mask = parse_ctrls(superopts, name, sizeof(name));
	if (!mask && !name[0])
		return 0;
	for (i = 0; i < l->n_v1; i++) {
		struct oci_cgroup_hier *h = &l->v1[i];

		if (same_hier(h, mask, name))
			return better_mount(h->mnt, f[4], cgroot)
				       ? set_hier(h, f[4], f[3], mask, name, e)
				       : 0;
	}
	if (l->n_v1 == OCI_CG_MAX_HIER)
		return 0;
	return set_hier(&l->v1[l->n_v1++], f[4], f[3], mask, name, e);
}

static int parse_mountinfo(struct oci_cgroup_layout *l, const char *text, const char *cgroot,
			   struct err *e)
{
	char *copy = strdup(text), *line, *save = NULL;
	int rc = 0;

	if (!copy)
		return err_sys(e, ENOMEM, "mountinfo");
	for (line = strtok_r(copy, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save))
		rc = mountinfo_line(l, line, cgroot, e);
	free(copy);
	return rc;
}

/* /proc/self/cgroup: "4:memory:/a/b", "1:name=systemd:/x", "0::/y". */
static int parse_self_cgroup(struct oci_cgroup_layout *l, const char *text, struct err *e)
{
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[PATH_MAX + 256], *c1, *c2, name[64];
		unsigned mask;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (!(c1 = strchr(line, ':')) || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c2 = '\0';
		if (c1[1] == '\0') {
			if (l->has_v2 && !l->v2.own && !(l->v2.own = strdup(c2 + 1)))
				return err_sys(e, ENOMEM, "cgroup layout");
			continue;
		}
		mask = parse_ctrls(c1 + 1, name, sizeof(name));
		for (size_t i = 0; i < l->n_v1; i++) {
			struct oci_cgroup_hier *h = &l->v1[i];

			if (same_hier(h, mask, name) && !h->own && !(h->own = strdup(c2 + 1)))
				return err_sys(e, ENOMEM, "cgroup layout");
		}
	}
	return 0;
}

static unsigned parse_v2_ctrls(const char *text)
{
	unsigned mask = 0;

	while (*text) {
		size_t len = strcspn(text, " \n");
		int c = ctrl_by_name(text, len, true);

		if (c >= 0)
			mask |= OCI_CG_BIT(c);
		text += len;
		text += strspn(text, " \n");
	}
	return mask;
}

static int decide_mode(struct oci_cgroup_layout *l, const char *cgroot, bool root_is_cgroup2,
		       struct err *e)
{
	if (root_is_cgroup2 || (l->has_v2 && strcmp(l->v2.mnt, cgroot) == 0)) {
		/* Pure v2: stray v1 mounts (a named hierarchy some tool made) are not ours. */
		for (size_t i = 0; i < l->n_v1; i++)
			hier_free(&l->v1[i]);
		l->n_v1 = 0;
		if (!l->has_v2 || strcmp(l->v2.mnt, cgroot) != 0) {
			if (set_hier(&l->v2, cgroot, "/", 0, NULL, e) < 0)
				return -1;
			l->has_v2 = true;
		}
		l->mode = OCI_CGROUP_UNIFIED;
	} else if (l->n_v1) {
		l->mode = l->has_v2 ? OCI_CGROUP_HYBRID : OCI_CGROUP_LEGACY;
	} else if (l->has_v2) {
		l->mode = OCI_CGROUP_UNIFIED; /* cgroup2 mounted somewhere else only */
	} else {
		return err_set(e, "no cgroup hierarchy is mounted (no cgroup or cgroup2 in "
				  "/proc/self/mountinfo)");
	}
	return 0;
}

int oci_cgroup_detect_from(struct oci_cgroup_layout *l, const struct oci_cgroup_probe *p,
			   struct err *e)
{
	const char *cgroot = p->root ? p->root : CG_DEFAULT_ROOT;
	char *mi = NULL, *self = NULL, *ctl = NULL;
	int rc = -1;

	memset(l, 0, sizeof(*l));
	if (!p->mountinfo && file_read_all("/proc/self/mountinfo", CG_TEXT_MAX, &mi, NULL, e) < 0)
		goto out;
	if (!p->self_cgroup && file_read_all("/proc/self/cgroup", CG_TEXT_MAX, &self, NULL, e) < 0)
		goto out;
	if (parse_mountinfo(l, p->mountinfo ? p->mountinfo : mi, cgroot, e) < 0 ||
	    decide_mode(l, cgroot, p->root_is_cgroup2, e) < 0 ||
	    parse_self_cgroup(l, p->self_cgroup ? p->self_cgroup : self, e) < 0)
		goto out;
	if (l->has_v2) {
		const char *text = p->v2_controllers;

		/* Unreadable means none: a cgroup2 mount with no controllers is still
		 * good for grouping, freezing, killing and device filters. */
		if (!text && oci_cgroup_read_file(l->v2.mnt, "cgroup.controllers", &ctl, NULL) == 0)
			text = ctl;
		l->v2.ctrls = text ? parse_v2_ctrls(text) : 0;
	}
	rc = 0;
out:
	free(mi);
	free(self);
	free(ctl);
	if (rc < 0)
		oci_cgroup_layout_free(l);
	return rc;
}

int oci_cgroup_detect(struct oci_cgroup_layout *l, struct err *e)
{
	struct oci_cgroup_probe p = {.root = CG_DEFAULT_ROOT};
	struct statfs sf;

	if (statfs(CG_DEFAULT_ROOT, &sf) < 0) {
		memset(l, 0, sizeof(*l));
		return err_sys(e, errno, "statfs %s", CG_DEFAULT_ROOT);
	}
	p.root_is_cgroup2 = sf.f_type == CGROUP2_SUPER_MAGIC;
	return oci_cgroup_detect_from(l, &p, e);
}

/* ---------------------------------------------------------------- paths */

/* Lexically clean a path: "//", "." and ".." go; ".." never climbs above
 * the start, so a relative path stays below the cgroup it is relative to. */
static char *clean_path(const char *in)
{
	size_t n = strlen(in);
	char *out = malloc(n + 2), *w = out;
	bool abs = in[0] == '/';

	if (!out)
		return NULL;
	while (*in) {
		size_t len;

		in += strspn(in, "/");
		len = strcspn(in, "/");
		if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (w > out && *--w != '/')
				;
		} else if (len && !(len == 1 && in[0] == '.')) {
			if (w > out || abs)
				*w++ = '/';
			memcpy(w, in, len);
			w += len;
		}
		in += len;
	}
	if (abs && w == out)
		*w++ = '/';
	*w = '\0';
	return out;
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a);
	char *s;

	while (la > 0 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (asprintf(&s, "%.*s/%s", (int)la, a, b) < 0)
		return NULL;
	if (!*b && la) /* join("/x", "") is "/x" */
		s[la] = '\0';
	return s;
}

/* "slice:prefix:name" with no '/', what runc and crun take with --systemd-cgroup. */
static bool systemd_form(const char *p)
{
	const char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	return c2 && !strchr(c2 + 1, ':') && !strchr(p, '/');
}

/* The folder of a cgroup given in hierarchy terms: the mount shows the
 * hierarchy from its root down (a container's bind mount shows less). */
static int set_slot(struct oci_cgroup *cg, int s, const struct oci_cgroup_hier *h, char *path,
		    struct err *e)
{
	size_t rl = strlen(h->root);

	while (rl > 0 && h->root[rl - 1] == '/')
		rl--;
	cg->path[s] = path;
	if (!path)
		return err_sys(e, ENOMEM, "cgroup path");
	if (strcmp(path, "/") == 0 || strcmp(path, h->root) == 0)
		return err_set(e,
			       "cgroup path %s is the root of the hierarchy at %s; refusing to "
			       "manage it as a container's cgroup",
			       path, h->mnt);
	if (strncmp(path, h->root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0'))
		return err_set(e, "cgroup %s is outside what %s shows of its hierarchy (%s)", path,
			       h->mnt, h->root);
	if (!(cg->dir[s] = join(h->mnt, path + rl)))
		return err_sys(e, ENOMEM, "cgroup path");
	return 0;
}

/* v2 starts a relative path at the parent of our own cgroup: a cgroup with
 * processes in it cannot hand controllers down (runc does the same). */
static int resolve(struct oci_cgroup *cg, int s, const struct oci_cgroup_hier *h, const char *clean,
		   bool v2, struct err *e)
{
	const char *label = s == OCI_CG_V2SLOT ? "cgroup2" : h->mnt;
	char *base, *path;

	if (clean[0] == '/')
		return set_slot(cg, s, h, join(h->root, clean), e);
	if (!h->own)
		return err_set(e,
			       "cgroupsPath \"%s\" is relative, but this process's cgroup in %s "
			       "is not in /proc/self/cgroup",
			       clean, label);
	if (!(base = strdup(h->own)))
		return err_sys(e, ENOMEM, "cgroup path");
	if (v2) {
		char *slash = strrchr(base, '/');

		if (slash)
			slash[slash == base] = '\0';
	}
	path = join(base, clean);
	free(base);
	return set_slot(cg, s, h, path, e);
}

static int bind_ops(struct oci_cgroup *cg, struct err *e)
{
	if (cg->l->mode == OCI_CGROUP_UNIFIED)
		return oci_cgroup_v2_bind(cg, e);
	return oci_cgroup_v1_bind(cg, e);
}

int oci_cgroup_open(const struct oci_cgroup_layout *l, const char *cgroups_path, const char *id,
		    struct oci_cgroup **out, struct err *e)
{
	const char *given = cgroups_path && *cgroups_path ? cgroups_path : id;
	struct oci_cgroup *cg;
	char *clean = NULL;
	int rc = -1;

	*out = NULL;
	if (!given || !*given)
		return err_set(e, "cgroup: no cgroupsPath and no container id");
	if (systemd_form(given))
		return err_set(e,
			       "cgroupsPath \"%s\": systemd cgroup paths need --systemd-cgroup, "
			       "which this build does not support",
			       given);
	if (!(cg = calloc(1, sizeof(*cg))) || !(clean = clean_path(given))) {
		free(cg);
		return err_sys(e, ENOMEM, "cgroup");
	}
	cg->l = l;
	if (clean[0] == '\0') {
		err_set(e, "cgroupsPath \"%s\" names tug's own cgroup", given);
		goto out;
	}
	if (bind_ops(cg, e) < 0)
		goto out;
	for (size_t i = 0; i < l->n_v1; i++)
		if (resolve(cg, (int)i, &l->v1[i], clean, false, e) < 0)
			goto out;
	if (CFG_CGROUP_V2 && l->has_v2 && resolve(cg, OCI_CG_V2SLOT, &l->v2, clean, true, e) < 0)
		goto out;
	rc = 0;
out:
	free(clean);
	if (rc < 0)
		oci_cgroup_free(cg);
	else
		*out = cg;
	return rc;
}

static int saved_line(struct oci_cgroup *cg, const char *ctrls, const char *path, struct err *e)
{
	const struct oci_cgroup_layout *l = cg->l;
	char name[64];
	unsigned mask;

	if (path[0] != '/')
		return err_set(e, "saved cgroup path \"%s\" is not absolute", path);
	if (!*ctrls) {
		if (!CFG_CGROUP_V2 || !l->has_v2 || cg->path[OCI_CG_V2SLOT])
			return 0;
		return set_slot(cg, OCI_CG_V2SLOT, &l->v2, clean_path(path), e);
	}
	mask = parse_ctrls(ctrls, name, sizeof(name));
	for (size_t i = 0; i < l->n_v1; i++)
		if (same_hier(&l->v1[i], mask, name) && !cg->path[i])
			return set_slot(cg, (int)i, &l->v1[i], clean_path(path), e);
	return 0; /* a hierarchy this host no longer mounts */
}

int oci_cgroup_open_saved(const struct oci_cgroup_layout *l, const char *text,
			  struct oci_cgroup **out, struct err *e)
{
	struct oci_cgroup *cg = calloc(1, sizeof(*cg));
	const char *p = text;
	int found = 0;

	*out = NULL;
	if (!cg)
		return err_sys(e, ENOMEM, "cgroup");
	cg->l = l;
	if (bind_ops(cg, e) < 0)
		goto fail;
	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[PATH_MAX + 256], *c1, *c2;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (!(c1 = strchr(line, ':')) || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c2 = '\0';
		if (saved_line(cg, c1 + 1, c2 + 1, e) < 0)
			goto fail;
	}
	for (int s = 0; s < OCI_CG_NSLOT; s++)
		found += cg->dir[s] != NULL;
	if (!found) {
		err_set(e, "saved cgroup paths name no hierarchy mounted on this host");
		goto fail;
	}
	*out = cg;
	return 0;
fail:
	oci_cgroup_free(cg);
	return -1;
}

static void ctrls_string(const struct oci_cgroup_hier *h, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int c = 0; c < OCI_CG_NCTRL; c++)
		if (h->ctrls & OCI_CG_BIT(c))
			n += snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "," : "",
				      v1_names[c]);
	if (h->name)
		snprintf(buf + n, n < size ? size - n : 0, "%sname=%s", n ? "," : "", h->name);
}

/* Two passes: the length, then the text. */
static size_t save_text(const struct oci_cgroup *cg, char *buf, size_t size)
{
	char ctrls[256];
	size_t n = 0;

	for (size_t i = 0; i < cg->l->n_v1; i++) {
		if (!cg->path[i])
			continue;
		ctrls_string(&cg->l->v1[i], ctrls, sizeof(ctrls));
		n += snprintf(buf + n, n < size ? size - n : 0, "%zu:%s:%s\n", i + 1, ctrls,
			      cg->path[i]);
	}
	if (cg->path[OCI_CG_V2SLOT])
		n += snprintf(buf + n, n < size ? size - n : 0, "0::%s\n", cg->path[OCI_CG_V2SLOT]);
	return n;
}

int oci_cgroup_save(const struct oci_cgroup *cg, char **text, struct err *e)
{
	size_t n = save_text(cg, NULL, 0);

	if (!(*text = malloc(n + 1)))
		return err_sys(e, ENOMEM, "cgroup save");
	(*text)[0] = '\0';
	save_text(cg, *text, n + 1);
	return 0;
}

void oci_cgroup_free(struct oci_cgroup *cg)
{
	if (!cg)
		return;
	for (int s = 0; s < OCI_CG_NSLOT; s++) {
		free(cg->path[s]);
		free(cg->dir[s]);
	}
	free(cg);
}

int oci_cgroup_v1_slot(const struct oci_cgroup_layout *l, int ctrl)
{
	if (l->mode == OCI_CGROUP_UNIFIED || ctrl < 0)
		return -1;
	for (size_t i = 0; i < l->n_v1; i++)
		if (l->v1[i].ctrls & OCI_CG_BIT(ctrl))
			return (int)i;
	return -1;
}

const char *oci_cgroup_dir(const struct oci_cgroup *cg, int ctrl)
{
	int s = ctrl < 0 ? OCI_CG_V2SLOT : oci_cgroup_v1_slot(cg->l, ctrl);

	if (s < 0 && cg->l->has_v2 && (cg->l->v2.ctrls & OCI_CG_BIT(ctrl)))
		s = OCI_CG_V2SLOT;
	return s < 0 ? NULL : cg->dir[s];
}

const char *oci_cgroup_driver(const struct oci_cgroup *cg)
{
	return cg->ops->name;
}

/* ---------------------------------------------------------------- the plan */

int oci_cgroup_writes_add(struct oci_cgroup_writes *w, int ctrl, unsigned flags, const char *what,
			  const char *file, struct err *e, const char *fmt, ...)
{
	struct oci_cgroup_write *x;
	va_list ap;
	int n;

	if (strlen(file) >= sizeof(x->file))
		return err_set(e, "%s: cgroup file name \"%s\" is too long", what, file);
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct oci_cgroup_write *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return err_sys(e, ENOMEM, "%s", what);
		w->v = v;
		w->cap = cap;
	}
	x = &w->v[w->n];
	memset(x, 0, sizeof(*x));
	x->ctrl = (signed char)ctrl;
	x->flags = (unsigned char)flags;
	x->slot = -1;
	x->what = what;
	strcpy(x->file, file);
	va_start(ap, fmt);
	n = vasprintf(&x->value, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_sys(e, ENOMEM, "%s", what);
	w->n++;
	return 0;
}

void oci_cgroup_writes_free(struct oci_cgroup_writes *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].value);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

void oci_cgroup_plan_free(struct oci_cgroup_plan *p)
{
	oci_cgroup_writes_free(&p->w);
	memset(p, 0, sizeof(*p));
}

static int take(struct oci_cgroup_plan *p, struct oci_cgroup_write *x, int slot, struct err *e)
{
	struct oci_cgroup_writes *w = &p->w;

	if (x->flags & OCI_CGW_ERROR)
		return err_set(e, "%s: %s", x->what, x->value);
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct oci_cgroup_write *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return err_sys(e, ENOMEM, "cgroup plan");
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n] = *x;
	w->v[w->n++].slot = (short)slot;
	x->value = NULL; /* moved */
	return 0;
}

/* A controller some write asks for that no hierarchy offers. */
static int missing_ctrl(const struct oci_cgroup_layout *l, const struct oci_cgroup_write *x,
			struct err *e)
{
	const char *name = oci_cgroup_ctrl_name(x->ctrl, l->mode == OCI_CGROUP_UNIFIED);
	const char *why;

	if (oci_cgroup_v1_slot(l, x->ctrl) >= 0)
		return err_set(e,
			       "%s: %s is a cgroup v2 file, but this host has the %s controller "
			       "on a cgroup v1 hierarchy",
			       x->what, x->file, name ? name : "?");
	if (l->mode == OCI_CGROUP_UNIFIED)
		why = "it is not in cgroup.controllers of the cgroup2 mount";
	else if (!l->has_v2)
		why = "no cgroup v1 hierarchy has it mounted";
	else if (!CFG_CGROUP_V2)
		why = "no cgroup v1 hierarchy has it, and cgroup v2 support is compiled out";
	else
		why = "neither a cgroup v1 hierarchy nor the cgroup2 mount has it";
	return err_set(e,
		       "%s: needs the %s cgroup controller, which this host does not offer "
		       "(%s)",
		       x->what, name ? name : "?", why);
}

/* Keep each raw write whose controller lives where this raw list is for:
 * v1 writes go to the v1 hierarchy with the controller, v2 writes go to
 * cgroup2 only for controllers no v1 hierarchy has. */
static int sort_writes(const struct oci_cgroup_layout *l, struct oci_cgroup_writes *raw, bool v2,
		       struct oci_cgroup_plan *p, unsigned *placed, unsigned *wanted,
		       const struct oci_cgroup_write **first, struct err *e)
{
	for (size_t i = 0; i < raw->n; i++) {
		struct oci_cgroup_write *x = &raw->v[i];
		int c = x->ctrl, s = oci_cgroup_v1_slot(l, c);

		if (c >= 0 && !(x->flags & OCI_CGW_BEST_EFFORT) && !(*wanted & OCI_CG_BIT(c))) {
			*wanted |= OCI_CG_BIT(c);
			first[c] = x;
		}
		if (!v2 && s >= 0) {
			*placed |= OCI_CG_BIT(c);
			if (take(p, x, s, e) < 0)
				return -1;
		} else if (v2 && (c < 0 || (s < 0 && (l->v2.ctrls & OCI_CG_BIT(c))))) {
			if (c >= 0) {
				*placed |= OCI_CG_BIT(c);
				p->v2_need |= OCI_CG_BIT(c);
			}
			if (take(p, x, OCI_CG_V2SLOT, e) < 0)
				return -1;
		}
	}
	return 0;
}

int oci_cgroup_plan(const struct oci_cgroup_layout *l, const struct oci_resources *r,
		    struct oci_cgroup_plan *p, struct err *e)
{
	struct oci_cgroup_writes raw1 = {0}, raw2 = {0};
	const struct oci_cgroup_write *first[OCI_CG_NCTRL] = {0};
	bool v1 = l->mode != OCI_CGROUP_UNIFIED, v2 = CFG_CGROUP_V2 && l->has_v2;
	unsigned placed = 0, wanted = 0;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (!r)
		return 0;
	if (r->n_unified && !v2) {
		return err_set(e, "linux.resources.unified needs cgroup v2, and %s",
			       l->has_v2 ? "cgroup v2 support is compiled out"
					 : "this host has no cgroup2 mount");
	}
	if ((v1 && oci_cgroup_v1_map(r, &raw1, e) < 0) ||
	    (v2 && oci_cgroup_v2_map(r, &raw2, e) < 0))
		goto out;
	if (sort_writes(l, &raw1, false, p, &placed, &wanted, first, e) < 0 ||
	    sort_writes(l, &raw2, true, p, &placed, &wanted, first, e) < 0)
		goto out;
	if (r->n_devices && oci_cgroup_v1_slot(l, OCI_CG_DEVICES) < 0) {
		if (!v2) {
			err_set(e, "linux.resources.devices: no devices cgroup is mounted%s",
				l->has_v2 ? " and cgroup v2 support (BPF device filter) is "
					    "compiled out"
					  : "");
			goto out;
		}
		p->bpf_devices = true;
		placed |= OCI_CG_BIT(OCI_CG_DEVICES);
		wanted |= OCI_CG_BIT(OCI_CG_DEVICES);
	}
	for (int c = 0; c < OCI_CG_NCTRL; c++)
		if ((wanted & ~placed) & OCI_CG_BIT(c)) {
			missing_ctrl(l, first[c], e);
			goto out;
		}
	rc = 0;
out:
	oci_cgroup_writes_free(&raw1);
	oci_cgroup_writes_free(&raw2);
	if (rc < 0)
		oci_cgroup_plan_free(p);
	return rc;
}

/* Why a file a write needs may be missing, for the one-line error. */
static const char *missing_hint(const char *file)
{
	if (strncmp(file, "memory.memsw.", 13) == 0)
		return "swap accounting is off in this kernel (boot with swapaccount=1, or drop "
		       "linux.resources.memory.swap)";
	if (strncmp(file, "hugetlb.", 8) == 0)
		return "the kernel has no huge pages of that size";
	if (strncmp(file, "cpu.rt_", 7) == 0)
		return "the kernel is built without CONFIG_RT_GROUP_SCHED";
	if (strcmp(file, "memory.swap.max") == 0)
		return "the kernel has no swap accounting";
	return "the kernel does not support it";
}

/* One write. 1: skipped as missing (allowed by its flags), 0: done. */
static int apply_one(const char *dir, const struct oci_cgroup_write *x, struct err *e)
{
	char path[PATH_MAX];
	size_t len = strlen(x->value);
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, x->file) >= sizeof(path))
		return err_set(e, "%s: path too long under %s", x->what, dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && (x->flags & (OCI_CGW_OPTIONAL | OCI_CGW_BEST_EFFORT)))
		return 1;
	if (fd < 0 && errno == ENOENT)
		return err_set(e, "%s: %s does not exist: %s", x->what, path,
			       missing_hint(x->file));
	if (fd < 0)
		return err_sys(e, errno, "%s: open %s", x->what, path);
	/* One write(2) per value: cgroup files parse each write on its own. */
	n = write(fd, x->value, len);
	if (n < 0) {
		int err = errno;

		close(fd);
		if ((err == EINVAL && (x->flags & OCI_CGW_SOFT_EINVAL)) ||
		    (x->flags & OCI_CGW_BEST_EFFORT))
			return 0;
		return err_sys(e, err, "%s: write \"%s\" to %s", x->what, x->value, path);
	}
	close(fd);
	if ((size_t)n != len)
		return err_set(e, "%s: short write of \"%s\" to %s", x->what, x->value, path);
	return 0;
}

int oci_cgroup_apply(struct oci_cgroup *cg, const struct oci_cgroup_plan *p, struct err *e)
{
	bool skipped = false;

	for (size_t i = 0; i < p->w.n; i++) {
		const struct oci_cgroup_write *x = &p->w.v[i];
		const char *dir = x->slot >= 0 ? cg->dir[x->slot] : NULL;
		int r;

		if (!dir || ((x->flags & OCI_CGW_ALT) && !skipped)) {
			skipped = false;
			continue;
		}
		if ((r = apply_one(dir, x, e)) < 0)
			return -1;
		skipped = r == 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- files */

static int cg_path(char *buf, size_t size, const char *dir, const char *file, struct err *e)
{
	if ((size_t)snprintf(buf, size, "%s/%s", dir, file) >= size)
		return err_set(e, "cgroup path too long: %s/%s", dir, file);
	return 0;
}

int oci_cgroup_write_file(const char *dir, const char *file, const char *value, struct err *e)
{
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd, err;

	if (cg_path(path, sizeof(path), dir, file, e) < 0)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return err_sys(e, errno, "open %s", path);
	n = write(fd, value, len);
	err = errno;
	close(fd);
	if (n < 0)
		return err_sys(e, err, "write \"%s\" to %s", value, path);
	if ((size_t)n != len)
		return err_set(e, "short write of \"%s\" to %s", value, path);
	return 0;
}

int oci_cgroup_read_file(const char *dir, const char *file, char **text, struct err *e)
{
	char path[PATH_MAX];

	*text = NULL;
	if (cg_path(path, sizeof(path), dir, file, e) < 0)
		return -1;
	return file_read_all(path, CG_TEXT_MAX, text, NULL, e);
}

int oci_cgroup_read_u64(const char *dir, const char *file, uint64_t *v, struct err *e)
{
	char *text, *end;
	int rc = 0;

	if (oci_cgroup_read_file(dir, file, &text, e) < 0)
		return -1;
	if (strncmp(text, "max", 3) == 0) {
		*v = UINT64_MAX;
	} else {
		errno = 0;
		*v = strtoull(text, &end, 10);
		if (errno || end == text)
			rc = err_set(e, "%s/%s: not a number: \"%.20s\"", dir, file, text);
	}
	free(text);
	return rc;
}

bool oci_cgroup_has_file(const char *dir, const char *file)
{
	char path[PATH_MAX];

	return cg_path(path, sizeof(path), dir, file, NULL) == 0 && access(path, F_OK) == 0;
}

const char *oci_cgroup_parse_devnum(const char *p, unsigned *maj, unsigned *min)
{
	char *end;

	if (*p < '0' || *p > '9')
		return NULL;
	*maj = (unsigned)strtoul(p, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return NULL;
	*min = (unsigned)strtoul(end + 1, &end, 10);
	if (*end != ' ' && *end != '\0')
		return NULL;
	return end + strspn(end, " ");
}

bool oci_cgroup_kv(const char *text, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
			*v = strncmp(p + kl + 1, "max", 3) == 0 ? UINT64_MAX
								: strtoull(p + kl + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

void oci_cgroup_parse_memstat(const char *text, struct oci_cgroup_stats *st)
{
	const char *p = text;

	st->memory.nstat = 0;
	while (p && *p && st->memory.nstat < OCI_CG_STAT_MAX_MEMSTAT) {
		size_t kl = strcspn(p, " \n");
		struct oci_cgroup_kv *kv = &st->memory.stat[st->memory.nstat];

		if (p[kl] == ' ' && kl > 0 && kl < sizeof(kv->key)) {
			memcpy(kv->key, p, kl);
			kv->key[kl] = '\0';
			kv->v = strtoull(p + kl + 1, NULL, 10);
			st->memory.nstat++;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
}

uint64_t oci_cgroup_memstat(const struct oci_cgroup_stats *st, const char *key)
{
	for (size_t i = 0; i < st->memory.nstat; i++)
		if (strcmp(st->memory.stat[i].key, key) == 0)
			return st->memory.stat[i].v;
	return 0;
}

/* ---------------------------------------------------------------- folders */

int oci_cgroup_mkdirs(struct oci_cgroup *cg, int slot, oci_cgroup_level_fn level, void *arg,
		      struct err *e)
{
	const struct oci_cgroup_hier *h = slot == OCI_CG_V2SLOT ? &cg->l->v2 : &cg->l->v1[slot];
	const char *dir = cg->dir[slot], *rest;
	char cur[PATH_MAX], parent[PATH_MAX];
	size_t n = strlen(h->mnt);

	if (strncmp(dir, h->mnt, n) != 0 || n >= sizeof(cur))
		return err_set(e, "cgroup %s is not below %s", dir, h->mnt);
	memcpy(cur, dir, n);
	cur[n] = '\0';
	rest = dir + n;
	while (*(rest += strspn(rest, "/"))) {
		size_t len = strcspn(rest, "/");
		bool made;

		memcpy(parent, cur, n + 1);
		if (n + 1 + len >= sizeof(cur))
			return err_set(e, "cgroup path too long: %s", dir);
		cur[n] = '/';
		memcpy(cur + n + 1, rest, len);
		cur[n + 1 + len] = '\0';
		made = mkdir(cur, 0755) == 0;
		if (!made && errno != EEXIST)
			return err_sys(e, errno, "mkdir %s", cur);
		if (made && !cg->made[slot])
			cg->made[slot] = n;
		n += 1 + len;
		rest += len;
		if (level && level(cg, slot, parent, cur, made, arg, e) < 0)
			return -1;
	}
	return 0;
}

void oci_cgroup_unmake(struct oci_cgroup *cg)
{
	char buf[PATH_MAX];

	for (int s = 0; s < OCI_CG_NSLOT; s++) {
		size_t stop = cg->made[s];

		if (!stop || !cg->dir[s] || strlen(cg->dir[s]) >= sizeof(buf))
			continue;
		strcpy(buf, cg->dir[s]);
		while (strlen(buf) > stop) {
			rmdir(buf);
			*strrchr(buf, '/') = '\0';
		}
		cg->made[s] = 0;
	}
}

/* Sub-cgroups first: a cgroup folder goes only when it has no children. */
static int rm_tree(const char *dir, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : err_sys(e, errno, "open %s", dir);
	while ((de = readdir(d)) && rc == 0) {
		char sub[PATH_MAX];

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (cg_path(sub, sizeof(sub), dir, de->d_name, e) < 0)
			rc = -1;
		else
			rc = rm_tree(sub, e);
	}
	closedir(d);
	if (rc == 0 && rmdir(dir) < 0 && errno != ENOENT)
		rc = err_sys(e, errno, "remove cgroup %s", dir);
	return rc;
}

/* ---------------------------------------------------------------- shared ops */

/* The same for both drivers once the folders exist: the plan knows where
 * each write goes, the device program goes to the cgroup2 part when there
 * is one, then pid (0: nobody) moves in. */
int oci_cgroup_common_finish(struct oci_cgroup *cg, const struct oci_resources *r,
			     const struct oci_cgroup_plan *p, pid_t pid, struct err *e)
{
	if (oci_cgroup_apply(cg, p, e) < 0)
		return -1;
	if (p->bpf_devices && cg->dir[OCI_CG_V2SLOT] &&
	    oci_cgroup_bpf_apply(cg->dir[OCI_CG_V2SLOT], r->devices, r->n_devices, e) < 0)
		return -1;
	return pid > 0 ? oci_cgroup_common_enter(cg, pid, e) : 0;
}

int oci_cgroup_common_update(struct oci_cgroup *cg, const struct oci_resources *r, struct err *e)
{
	struct oci_cgroup_plan p;
	int rc;

	if (oci_cgroup_plan(cg->l, r, &p, e) < 0)
		return -1;
	rc = oci_cgroup_common_finish(cg, r, &p, 0, e);
	oci_cgroup_plan_free(&p);
	return rc;
}

int oci_cgroup_common_enter(struct oci_cgroup *cg, pid_t pid, struct err *e)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (int s = 0; s < OCI_CG_NSLOT; s++) {
		if (!cg->dir[s] || oci_cgroup_write_file(cg->dir[s], "cgroup.procs", buf, e) == 0)
			continue;
		if (s == OCI_CG_V2SLOT && e && e->errnum == EBUSY)
			err_wrap(e,
				 "move pid %d (the cgroup has sub-cgroups with controllers on: "
				 "cgroup2 allows processes only in leaves)",
				 (int)pid);
		else
			err_wrap(e, "move pid %d into its cgroup", (int)pid);
		return -1;
	}
	return 0;
}

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static int add_pids(struct pid_list *pl, const char *text, struct err *e)
{
	const char *p = text;
	char *end;

	for (long v; (v = strtol(p, &end, 10)), end != p; p = end) {
		if (pl->n == pl->cap) {
			size_t cap = pl->cap ? pl->cap * 2 : 64;
			pid_t *nv = realloc(pl->v, cap * sizeof(*nv));

			if (!nv)
				return err_sys(e, ENOMEM, "cgroup pids");
			pl->v = nv;
			pl->cap = cap;
		}
		pl->v[pl->n++] = (pid_t)v;
	}
	return 0;
}

/* cgroup.procs of dir and of every sub-cgroup below it. */
static int read_procs(const char *dir, struct pid_list *pl, struct err *e)
{
	struct dirent *de;
	struct err tmp;
	char *text;
	DIR *d;
	int rc;

	if (oci_cgroup_read_file(dir, "cgroup.procs", &text, &tmp) < 0) {
		if (tmp.errnum == ENOENT) /* removed under us */
			return 0;
		if (e)
			*e = tmp;
		return -1;
	}
	rc = add_pids(pl, text, e);
	free(text);
	if (rc < 0 || !(d = opendir(dir)))
		return rc;
	while ((de = readdir(d)) && rc == 0) {
		char sub[PATH_MAX];

		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    cg_path(sub, sizeof(sub), dir, de->d_name, e) == 0)
			rc = read_procs(sub, pl, e);
	}
	closedir(d);
	return rc;
}

/* Every hierarchy holds every process of the container; read one that any
 * v1 host is likely to have, the cgroup2 one on pure v2 hosts. */
static const char *procs_dir(struct oci_cgroup *cg)
{
	static const int pref[] = {OCI_CG_PIDS, OCI_CG_FREEZER, OCI_CG_MEMORY, OCI_CG_CPU};

	if (cg->l->mode == OCI_CGROUP_UNIFIED)
		return cg->dir[OCI_CG_V2SLOT];
	for (size_t i = 0; i < sizeof(pref) / sizeof(pref[0]); i++) {
		int s = oci_cgroup_v1_slot(cg->l, pref[i]);

		if (s >= 0 && cg->dir[s])
			return cg->dir[s];
	}
	for (int s = 0; s < OCI_CG_NSLOT; s++)
		if (cg->dir[s])
			return cg->dir[s];
	return NULL;
}

int oci_cgroup_common_pids(struct oci_cgroup *cg, pid_t **pids, size_t *n, struct err *e)
{
	struct pid_list pl = {0};
	const char *dir = procs_dir(cg);

	*pids = NULL;
	*n = 0;
	if (dir && read_procs(dir, &pl, e) < 0) {
		free(pl.v);
		return -1;
	}
	*pids = pl.v;
	*n = pl.n;
	return 0;
}

static int signal_all(struct oci_cgroup *cg, int sig, struct err *e)
{
	pid_t *pids;
	size_t n;
	int rc = 0;

	if (cg->ops->pids(cg, &pids, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH && rc == 0)
			rc = err_sys(e, errno, "kill pid %d with signal %d", (int)pids[i], sig);
	free(pids);
	return rc;
}

int oci_cgroup_common_kill_all(struct oci_cgroup *cg, int sig, struct err *e)
{
	const char *v2 = cg->dir[OCI_CG_V2SLOT];
	struct err tmp;
	bool froze;
	int rc;

	if (sig == SIGKILL && v2) {
		if ((rc = oci_cgroup_v2_kill(v2, e)) < 0)
			return -1;
		/* On hybrid hosts also walk v1: a process may be in v1 cgroups only. */
		if (rc == 1 && cg->l->mode == OCI_CGROUP_UNIFIED)
			return 0;
	}
	/* Frozen, nobody forks past the walk; a container paused by the user
	 * stays paused. Without a freezer the walk is the best there is. */
	froze = cg->ops->freezer(cg, OCI_CG_QUERY, &tmp) == 0 &&
		cg->ops->freezer(cg, OCI_CG_FREEZE, &tmp) == 0;
	rc = signal_all(cg, sig, e);
	if (froze && cg->ops->freezer(cg, OCI_CG_THAW, rc < 0 ? &tmp : e) < 0 && rc == 0)
		rc = -1;
	return rc;
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void pause_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int oci_cgroup_common_destroy(struct oci_cgroup *cg, struct err *e)
{
	struct timespec t0;
	struct err tmp;
	bool killed = false;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int busy = 0;

		for (int s = 0; s < OCI_CG_NSLOT; s++) {
			if (!cg->dir[s] || rm_tree(cg->dir[s], &tmp) == 0)
				continue;
			if (tmp.errnum != EBUSY && tmp.errnum != ENOTEMPTY) {
				if (e)
					*e = tmp;
				return -1;
			}
			busy = 1;
		}
		if (!busy)
			return 0;
		if (!killed) {
			/* v1 frozen tasks die only once thawed. */
			cg->ops->freezer(cg, OCI_CG_THAW, NULL);
			cg->ops->kill_all(cg, SIGKILL, NULL);
			killed = true;
		}
		if (elapsed(&t0) > 1.0)
			return err_set(e, "%s: processes remain after SIGKILL", tmp.msg);
		pause_us(10000);
	}
}

int oci_cgroup_wait_state(const char *dir,
			  int (*state_of)(const char *dir, bool want_frozen, struct err *e),
			  bool want_frozen, struct err *e)
{
	struct timespec t0;
	long us = 100;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int r = state_of(dir, want_frozen, e);

		if (r != 0)
			return r < 0 ? -1 : 0;
		if (elapsed(&t0) > 2.0)
			return err_set(e, "%s %s: the kernel did not report it %s within 2 s",
				       want_frozen ? "freeze" : "thaw", dir,
				       want_frozen ? "frozen" : "thawed");
		pause_us(us);
		us = us < 10000 ? us * 2 : 10000;
	}
}

/* ---------------------------------------------------------------- conversions */

uint64_t oci_cgroup_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t oci_cgroup_blkio_to_io_weight(uint64_t w)
{
	if (w == 0)
		return 0;
	if (w < 10)
		w = 10;
	if (w > 1000)
		w = 1000;
	return 1 + ((w - 10) * 9999) / 990;
}

/* ---------------------------------------------------------------- public */

int oci_cgroup_create(struct oci_cgroup *cg, const struct oci_resources *r, pid_t pid,
		      struct err *e)
{
	memset(cg->made, 0, sizeof(cg->made));
	if (cg->ops->create(cg, r, pid, e) == 0)
		return 0;
	oci_cgroup_unmake(cg);
	return -1;
}

int oci_cgroup_enter(struct oci_cgroup *cg, pid_t pid, struct err *e)
{
	return cg->ops->enter(cg, pid, e);
}

int oci_cgroup_update(struct oci_cgroup *cg, const struct oci_resources *r, struct err *e)
{
	return cg->ops->update(cg, r, e);
}

int oci_cgroup_freeze(struct oci_cgroup *cg, struct err *e)
{
	return cg->ops->freezer(cg, OCI_CG_FREEZE, e);
}

int oci_cgroup_thaw(struct oci_cgroup *cg, struct err *e)
{
	return cg->ops->freezer(cg, OCI_CG_THAW, e);
}

int oci_cgroup_frozen(struct oci_cgroup *cg, int *frozen, struct err *e)
{
	int r = cg->ops->freezer(cg, OCI_CG_QUERY, e);

	*frozen = r > 0;
	return r < 0 ? -1 : 0;
}

int oci_cgroup_pids(struct oci_cgroup *cg, pid_t **pids, size_t *n, struct err *e)
{
	return cg->ops->pids(cg, pids, n, e);
}

int oci_cgroup_kill_all(struct oci_cgroup *cg, int sig, struct err *e)
{
	return cg->ops->kill_all(cg, sig, e);
}

int oci_cgroup_stats(struct oci_cgroup *cg, struct oci_cgroup_stats *st, struct err *e)
{
	memset(st, 0, sizeof(*st));
	return cg->ops->stats(cg, st, e);
}

int oci_cgroup_destroy(struct oci_cgroup *cg, struct err *e)
{
	return cg->ops->destroy(cg, e);
}
