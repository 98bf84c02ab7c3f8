/* dockerspec-user.c - Config.User ("name", "uid", "uid:gid", "name:group")
 * resolved in the container's own /etc/passwd and /etc/group, read beneath
 * the rootfs (a symlink cannot lead out), as runc's user lookup does, plus
 * HostConfig.GroupAdd. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "path.h"
#include "oci/dockerspec-priv.h"

#define ID_MAX 2147483647L
#define DB_MAX (4u << 20)

/* A whole decimal id, or -1. */
static long parse_id(const char *s, size_t n)
{
	long v = 0;

	if (!n || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= ID_MAX ? v : -1;
}

/* /etc/<name> of the rootfs; *buf NULL when it is missing. */
static int read_db(struct ds *d, const char *name, char **buf)
{
	int root, fd;
	size_t len;
	int r;

	*buf = NULL;
	root = open(d->in->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return err_sys(d->e, errno, "open rootfs %s", d->in->rootfs);
	fd = path_open_beneath(root, name, O_RDONLY, 0, d->e);
	close(root);
	if (fd < 0)
		return d->e->errnum == ENOENT || d->e->errnum == ENOTDIR ? (err_clear(d->e), 0)
									 : -1;
	r = file_read_fd(fd, DB_MAX, buf, &len, d->e);
	close(fd);
	return r;
}

/* Field i (0-based) of a ':'-separated line: start and length. */
static const char *field(const char *line, int i, size_t *n)
{
	const char *p = line, *end;

	while (i-- > 0) {
		p = strpbrk(p, ":\n");
		if (!p || *p == '\n')
			return NULL;
		p++;
	}
	end = strpbrk(p, ":\n");
	*n = end ? (size_t)(end - p) : strlen(p);
	return p;
}

static bool field_is(const char *line, int i, const char *want, size_t wn)
{
	size_t n;
	const char *f = field(line, i, &n);

	return f && n == wn && memcmp(f, want, n) == 0;
}

/* The first line of db whose name (field 0) is want, or whose id (field 2)
 * is id when id >= 0. */
static const char *db_find(const char *db, const char *want, size_t wn, long id)
{
	for (const char *l = db; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t n;
		const char *f;

		if (*l == '#' || *l == '\n')
			continue;
		if (id >= 0) {
			f = field(l, 2, &n);
			if (f && parse_id(f, n) == id)
				return l;
		} else if (field_is(l, 0, want, wn)) {
			return l;
		}
	}
	return NULL;
}

static int push_gid(struct ds *d, cJSON *gids, long gid)
{
	const cJSON *it;
	cJSON *n;

	cJSON_ArrayForEach(it, gids)
	{
		if ((long)it->valuedouble == gid)
			return 0;
	}
	n = cJSON_CreateNumber((double)gid);

	if (!n || !cJSON_AddItemToArray(gids, n)) {
		cJSON_Delete(n);
		return ds_oom(d->e);
	}
	return 0;
}

/* Supplementary groups: every group listing name as a member. */
static int member_groups(struct ds *d, const char *grp, const char *name, size_t nn, cJSON *gids)
{
	for (const char *l = grp; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t n, gn;
		const char *m = field(l, 3, &n), *g = field(l, 2, &gn);

		for (const char *p = m; p && p < m + n;) {
			const char *c = memchr(p, ',', (size_t)(m + n - p));
			size_t len = c ? (size_t)(c - p) : (size_t)(m + n - p);

			if (len == nn && memcmp(p, name, nn) == 0 && parse_id(g, gn) >= 0 &&
			    push_gid(d, gids, parse_id(g, gn)) < 0)
				return -1;
			p = c ? c + 1 : m + n;
		}
	}
	return 0;
}

static int find_group(struct ds *d, const char *grp, const char *g, size_t gn, long *gid)
{
	long num = parse_id(g, gn);
	const char *l = grp ? db_find(grp, g, gn, num) : NULL;
	size_t n;
	const char *f;

	if (l && (f = field(l, 2, &n)) && parse_id(f, n) >= 0) {
		*gid = parse_id(f, n);
		return 0;
	}
	if (num < 0)
		return err_set(d->e, "unable to find group %.*s: no matching entries in group file",
			       (int)gn, g);
	*gid = num;
	return 0;
}

struct who {
	long uid, gid;
	const char *name; /* in the passwd text, or NULL */
	size_t name_len;
};

static int find_user(struct ds *d, const char *pw, const char *u, size_t un, struct who *w)
{
	long num = un ? parse_id(u, un) : 0;
	const char *l = pw ? db_find(pw, u, un, num) : NULL;
	size_t n;
	const char *f;

	if (l) {
		f = field(l, 2, &n);
		w->uid = parse_id(f, n);
		f = field(l, 3, &n);
		w->gid = f ? parse_id(f, n) : -1;
		w->name = field(l, 0, &w->name_len);
		f = field(l, 5, &n);
		if (f && n < sizeof(d->home)) {
			memcpy(d->home, f, n);
			d->home[n] = '\0';
		}
		if (w->uid < 0 || w->gid < 0)
			return err_set(d->e, "unable to find user %.*s: bad passwd entry", (int)un,
				       u);
		return 0;
	}
	if (num < 0)
		return err_set(d->e, "unable to find user %.*s: no matching entries in passwd file",
			       (int)un, u);
	w->uid = num;
	return 0;
}

static int group_add(struct ds *d, const char *grp, cJSON *gids)
{
	const cJSON *it;
	long gid;

	cJSON_ArrayForEach(it, ds_get(d->hc, "GroupAdd"))
	{
		if (find_group(d, grp, it->valuestring, strlen(it->valuestring), &gid) < 0)
			return -1;
		if (push_gid(d, gids, gid) < 0)
			return -1;
	}
	return 0;
}

static int resolve(struct ds *d, const char *pw, const char *grp, cJSON *user)
{
	const char *spec = ds_str(d->cfg, "User"), *colon;
	struct who w = {0, 0, NULL, 0};
	size_t un;
	cJSON *gids;

	spec = spec ? spec : "";
	colon = strchr(spec, ':');
	un = colon ? (size_t)(colon - spec) : strlen(spec);
	if (find_user(d, pw, un ? spec : "0", un ? un : 1, &w) < 0)
		return -1;
	if (colon && find_group(d, grp, colon + 1, strlen(colon + 1), &w.gid) < 0)
		return -1;
	if (ds_num(d, user, "uid", w.uid) < 0 || ds_num(d, user, "gid", w.gid) < 0)
		return -1;
	gids = ds_list(d, user, "additionalGids");
	if (!gids || push_gid(d, gids, w.gid) < 0)
		return -1;
	/* Membership counts only when no group was named, as in runc. */
	if (!colon && w.name && grp && member_groups(d, grp, w.name, w.name_len, gids) < 0)
		return -1;
	return group_add(d, grp, gids);
}

int ds_user(struct ds *d, cJSON *proc)
{
	char *pw = NULL, *grp = NULL;
	cJSON *user = ds_obj(d, proc, "user");
	int r = -1;

	strcpy(d->home, "/");
	if (!user || read_db(d, "/etc/passwd", &pw) < 0 || read_db(d, "/etc/group", &grp) < 0)
		goto out;
	r = resolve(d, pw, grp, user);
out:
	free(pw);
	free(grp);
	return r;
}
