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

/* Unlink every non-directory in dirfd; the first subdirectory's name goes
 * to sub. Returns 1 when there is one, 0 when dirfd is now empty. */
static int clear_files(int dirfd, char sub[NAME_MAX + 1], struct err *e)
{
	struct dirent *de;
	struct stat st;
	int fd = dup(dirfd), isdir, found = 0;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return err_sys(e, errno, "read a folder to remove");
	}
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		isdir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN)
			isdir = fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				S_ISDIR(st.st_mode);
		if (isdir) {
			memcpy(sub, de->d_name, strlen(de->d_name) + 1);
			found = 1;
			break;
		}
		if (unlinkat(dirfd, de->d_name, 0) < 0 && errno != ENOENT) {
			err_sys(e, errno, "remove %s", de->d_name);
			closedir(d);
			return -1;
		}
	}
	if (!found && errno) {
		err_sys(e, errno, "read a folder to remove");
		closedir(d);
		return -1;
	}
	closedir(d);
	return found;
}

/* Depth first without recursion: go down into the first subdirectory, and
 * back up through ".." once a folder is empty. Nothing else writes to the
 * tree while a layer is unpacked, so ".." is the folder we came from. */
static int rmtree_dir(int dirfd, const char *name, struct err *e)
{
	char rel[PATH_MAX], sub[NAME_MAX + 1];
	size_t len = 0, slen;
	int cur, fd, r;

	cur = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cur < 0)
		return err_sys(e, errno, "open %s to remove it", name);
	for (;;) {
		r = clear_files(cur, sub, e);
		if (r < 0)
			goto fail;
		if (r == 1) {
			slen = strlen(sub);
			if (len + slen + 2 > sizeof(rel)) {
				err_sys(e, ENAMETOOLONG, "remove %s: tree too deep", name);
				goto fail;
			}
			rel[len++] = '/';
			memcpy(rel + len, sub, slen + 1);
			len += slen;
			fd = openat(cur, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				err_sys(e, errno, "open %s%s to remove it", name, rel);
				goto fail;
			}
			close(cur);
			cur = fd;
			continue;
		}
		if (len == 0)
			break;
		fd = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			err_sys(e, errno, "remove %s%s", name, rel);
			goto fail;
		}
		close(cur);
		cur = fd;
		while (rel[len - 1] != '/')
			len--;
		rel[len - 1] = '\0';
		if (unlinkat(cur, rel + len, AT_REMOVEDIR) < 0) {
			err_sys(e, errno, "remove %s%s/%s", name, rel, rel + len);
			goto fail;
		}
		len--;
	}
	close(cur);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		return err_sys(e, errno, "remove %s", name);
	return 0;
fail:
	close(cur);
	return -1;
}

int unpack_rmtree(int dirfd, const char *name, struct err *e)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "remove %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return err_sys(e, errno, "remove %s", name);
		return 0;
	}
	return rmtree_dir(dirfd, name, e);
}

int unpack_empty_dir(int dirfd, struct err *e)
{
	char name[NAME_MAX + 1];
	struct dirent *de;
	int fd, ret = 0;
	DIR *d;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return err_sys(e, errno, "open the folder to empty it");
	}
	while (ret == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		memcpy(name, de->d_name, strlen(de->d_name) + 1);
		ret = unpack_rmtree(dirfd, name, e);
	}
	closedir(d);
	return ret;
}
