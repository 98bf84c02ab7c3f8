/* unpack-fs.c - the file system side of layer unpacking: entry names made
 * relative and safe, walks that refuse symlinked parents, tree removal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/unpack-priv.h"

int unpack_clean_path(const char *in, char *out, size_t *base, struct err *e)
{
	size_t w = 0, len;
	const char *s;

	*base = 0;
	while (*in) {
		for (s = in; *in && *in != '/'; in++)
			;
		len = (size_t)(in - s);
		if (*in)
			in++;
		if (len == 0 || (len == 1 && s[0] == '.'))
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.')
			return err_set(e, "path has a \"..\" component");
		if (len > NAME_MAX)
			return err_sys(e, ENAMETOOLONG, "path component longer than %d bytes",
				       NAME_MAX);
		if (w + (w ? 1 : 0) + len >= PATH_MAX)
			return err_sys(e, ENAMETOOLONG, "path longer than %d bytes", PATH_MAX - 1);
		if (w)
			out[w++] = '/';
		*base = w;
		memcpy(out + w, s, len);
		w += len;
	}
	out[w] = '\0';
	return 0;
}

/* Why name in dirfd cannot be entered as a directory. */
static int not_a_dir(int dirfd, const char *name, int err, struct err *e)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		err = ELOOP,
		err_set(e, "parent %s is a symlink (never followed while unpacking)", name);
	else if (err == ENOTDIR || err == ELOOP)
		err = ENOTDIR, err_set(e, "parent %s is not a folder", name);
	else
		return err_sys(e, err, "open parent %s", name);
	e->errnum = err;
	return -1;
	return err_sys(e, err, "open parent %s", name);
}

/* One step: the directory name inside cur, made first when create says so. */
static int step(int cur, const char *name, int create, struct err *e)
{
	int fd, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT)
			return not_a_dir(cur, name, errno, e);
		if (!create)
			return err_sys(e, ENOENT, "parent %s", name);
		if (mkdirat(cur, name, 0755) < 0 && errno != EEXIST)
			return err_sys(e, errno, "create parent %s", name);
	}
	return err_sys(e, ENOENT, "parent %s", name);
}

int unpack_walk(int root, const char *dir, size_t len, int create, struct err *e)
{
	char name[NAME_MAX + 1];
	size_t i = 0, s;
	int cur, fd;

	cur = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return err_sys(e, errno, "open the layer folder");
	while (i < len) {
		for (s = i; i < len && dir[i] != '/'; i++)
			;
		if (i - s > NAME_MAX) {
			close(cur);
			return err_sys(e, ENAMETOOLONG, "path component too long");
		}
		memcpy(name, dir + s, i - s);
		name[i - s] = '\0';
		i++;
		if (!name[0])
			continue;
		fd = step(cur, name, create, e);
		close(cur);
		if (fd < 0)
			return -1;
		cur = fd;
	}
	return cur;
}
