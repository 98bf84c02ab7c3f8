/* test_snapshot_live.c - the snapshotters on this machine's real filesystems
 * and overlayfs (needs root; skipped otherwise): hand-made layers in overlay
 * form, the merged view each snapshotter gives, writes, remounts, removal,
 * and an overlay of 100 layers whose lowerdir string is longer than a page. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "oci/rmtree.h"
#include "oci/snapshot.h"
#include "tap.h"

static char top[64];
static char lay[3][128];

static void path(char *out, const char *a, const char *b)
{
	snprintf(out, PATH_MAX, "%s/%s", a, b);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX];
	int fd;

	path(p, dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		diag("write %s: %s", p, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void mk(const char *dir, const char *name)
{
	char p[PATH_MAX];

	path(p, dir, name);
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		diag("mkdir %s: %s", p, strerror(errno));
}

/* The contents of dir/name, or "" when it cannot be read. */
static const char *get(const char *dir, const char *name)
{
	static char buf[256];
	char p[PATH_MAX];
	ssize_t n = -1;
	int fd;

	path(p, dir, name);
	fd = open(p, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static int exists(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	path(p, dir, name);
	return lstat(p, &st) == 0;
}

/* Entries of dir/name, sorted, joined with spaces. */
static const char *list(const char *dir, const char *name)
{
	static char out[512];
	char p[PATH_MAX], *names[32];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	path(p, dir, name);
	out[0] = 0;
	d = opendir(p);
	if (!d)
		return "(none)";
	while ((de = readdir(d)) && n < 32)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names[n++] = strdup(de->d_name);
	closedir(d);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	for (size_t i = 0; i < n; i++) {
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "",
			 names[i]);
		free(names[i]);
	}
	return out;
}

/* Mounts whose mount point is under prefix. */
static int mounts_under(const char *prefix)
{
	char line[4096], mp[4096];
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 &&
		    !strncmp(mp, prefix, strlen(prefix)))
			n++;
	if (f)
		fclose(f);
	return n;
}

/* The superblock options of the mount at mp ("" when none), cut short. */
static const char *mount_opts(const char *mp)
{
	static char out[400];
	char line[8192], m[4096], *sep;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	out[0] = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", m) == 1 && !strcmp(m, mp) &&
		    (sep = strstr(line, " - ")))
			snprintf(out, sizeof(out), "%s", sep + 3);
	if (f)
		fclose(f);
	out[strcspn(out, "\n")] = 0;
	return out;
}

/* Three layers in overlay form (what the unpacker stores), bottom first:
 * 1: a.txt, gone.txt, opq/{old1,sub/old2}, keep/k1, hl1+hl2 (hard links),
 *    esc -> <top>/victim (a symlink out), olddir/x
 * 2: gone.txt whited out (0/0), link -> /etc/passwd, keep/k2, a fifo,
 *    esc/planted (a folder over the symlink), olddir as a file, an opaque
 *    mark on its root
 * 3: a.txt again, opq/ opaque with only new, meta.txt with owner, mode,
 *    times and a user xattr. */
static void make_layers(void)
{
	char p[PATH_MAX];
	struct timespec ts[2] = {{1000000000, 0}, {1234567890, 0}};

	for (int i = 0; i < 3; i++) {
		snprintf(lay[i], sizeof(lay[i]), "%s/l%d", top, i + 1);
		mk(lay[i], "");
	}
	mk(top, "victim");
	put(lay[0], "a.txt", "layer1");
	put(lay[0], "gone.txt", "gone");
	mk(lay[0], "opq");
	mk(lay[0], "opq/sub");
	put(lay[0], "opq/old1", "o");
	put(lay[0], "opq/sub/old2", "o");
	mk(lay[0], "keep");
	put(lay[0], "keep/k1", "k1");
	put(lay[0], "hl1", "hl");
	path(p, lay[0], "hl1");
	char p2[PATH_MAX];
	path(p2, lay[0], "hl2");
	link(p, p2);
	path(p, top, "victim");
	path(p2, lay[0], "esc");
	symlink(p, p2);
	mk(lay[0], "olddir");
	put(lay[0], "olddir/x", "x");

	path(p, lay[1], "gone.txt");
	mknod(p, S_IFCHR | 0, makedev(0, 0));
	path(p, lay[1], "link");
	symlink("/etc/passwd", p);
	mk(lay[1], "keep");
	put(lay[1], "keep/k2", "k2");
	path(p, lay[1], "fifo");
	mkfifo(p, 0600);
	mk(lay[1], "esc");
	put(lay[1], "esc/planted", "p");
	put(lay[1], "olddir", "now a file");
	/* overlayfs never looks at a layer root's opaque mark: neither may copy. */
	setxattr(lay[1], "trusted.overlay.opaque", "y", 1, 0);

	put(lay[2], "a.txt", "layer3");
	mk(lay[2], "opq");
	put(lay[2], "opq/new", "new");
	path(p, lay[2], "opq");
	if (setxattr(p, "trusted.overlay.opaque", "y", 1, 0) < 0)
		diag("set opaque: %s", strerror(errno));
	put(lay[2], "meta.txt", "m");
	path(p, lay[2], "meta.txt");
	chown(p, 1234, 5678);
	chmod(p, 0640);
	setxattr(p, "user.test", "v", 1, 0);
	utimensat(AT_FDCWD, p, ts, 0);
}

/* The view of the three layers through any snapshotter. */
static void check_view(const char *name, const char *root)
{
	char p[PATH_MAX], buf[64];
	struct stat a, b;
	ssize_t n;

	is_str(get(root, "a.txt"), "layer3", "%s: the top layer's a.txt wins", name);
	ok(!exists(root, "gone.txt"), "%s: the whited-out file is gone", name);
	is_str(list(root, "opq"), "new", "%s: the opaque folder has only the upper contents", name);
	is_str(list(root, "keep"), "k1 k2", "%s: other folders merge", name);
	path(p, root, "link");
	n = readlink(p, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	ok(lstat(p, &a) == 0 && S_ISLNK(a.st_mode), "%s: the symlink stays a symlink", name);
	is_str(buf, "/etc/passwd", "%s: with its target as text", name);
	path(p, root, "fifo");
	ok(lstat(p, &a) == 0 && S_ISFIFO(a.st_mode), "%s: the fifo is a fifo", name);
	path(p, root, "meta.txt");
	ok(lstat(p, &a) == 0 && a.st_uid == 1234 && a.st_gid == 5678 &&
		   (a.st_mode & 07777) == 0640 && a.st_mtim.tv_sec == 1234567890,
	   "%s: owner, mode and mtime kept", name);
	n = getxattr(p, "user.test", buf, sizeof(buf));
	ok(n == 1 && buf[0] == 'v', "%s: the user xattr kept", name);
	n = getxattr(p, "trusted.overlay.opaque", buf, sizeof(buf));
	path(p, root, "opq");
	ok(getxattr(p, "trusted.overlay.opaque", buf, sizeof(buf)) < 0,
	   "%s: overlay's own xattrs do not show", name);
	is_str(list(root, "esc"), "planted", "%s: a folder replaced the symlink", name);
	is_str(list(top, "victim"), "", "%s: nothing went through the symlink", name);
	is_str(get(root, "olddir"), "now a file", "%s: a file replaced a folder", name);
	path(p, root, "hl1");
	stat(p, &a);
	path(p, root, "hl2");
	stat(p, &b);
	if (!strcmp(name, "copy"))
		ok(a.st_ino == b.st_ino && a.st_nlink == 2, "%s: the hard links share an inode",
		   name);
	else
		is_str(get(root, "hl2"), "hl", "%s: the hard link reads", name);
}

static void test_overlay_rw(const struct oci_snapshotter *s, const char *cdir, const char *root)
{
	const char *lower[3] = {lay[0], lay[1], lay[2]};
	char upper[PATH_MAX];
	struct err e;

	path(upper, cdir, "upper");
	ok(exists(upper, "w.txt") && !exists(lay[2], "w.txt") && !exists(lay[0], "w.txt"),
	   "overlay: a new file lands in upper");
	is_str(get(lay[2], "a.txt"), "layer3", "overlay: the layer is unchanged");
	is_str(get(upper, "a.txt"), "changed", "overlay: the changed copy is in upper");
	ok(s->prepare(cdir, lower, 3, &e) < 0 && e.errnum == EEXIST,
	   "overlay: prepare again fails (%s)", e.msg);
	is_str(get(root, "a.txt"), "changed", "overlay: ... and leaves the snapshot alone");
	ok(s->unmount(cdir, &e) == 0, "overlay: unmount");
	ok(!exists(root, "a.txt") && mounts_under(root) == 0, "overlay: rootfs is empty");
	ok(s->unmount(cdir, &e) == 0, "overlay: unmount again is fine");
	ok(s->mount(cdir, lower, 3, &e) == 0, "overlay: mount again");
	ok(s->mount(cdir, lower, 3, &e) == 0 && mounts_under(root) == 1,
	   "overlay: mount when mounted does nothing");
	is_str(get(root, "w.txt"), "w", "overlay: writes are still there");
	is_str(get(root, "a.txt"), "changed", "overlay: ... changes too");
}

/* Removal goes through no symlink the container made, and stops at a
 * mount it finds (the copy rootfs is a plain folder that can hold one). */
static void remove_checks(const struct oci_snapshotter *s, const char *name, const char *cdir,
			  const char *root)
{
	char p[PATH_MAX], l[PATH_MAX];
	struct err e;

	mk(top, "victim2");
	put(top, "victim2/keep", "k");
	path(p, top, "victim2");
	path(l, root, "todir");
	symlink(p, l);
	path(p, top, "victim2/keep");
	path(l, root, "tofile");
	symlink(p, l);
	if (!strcmp(name, "copy")) {
		path(p, root, "keep");
		mount("tmpfs", p, "tmpfs", 0, NULL);
		put(p, "inmount", "i");
		ok(s->remove(cdir, &e) < 0 && e.errnum == EBUSY,
		   "copy: remove stops at a mount (%s)", e.msg);
		is_str(get(p, "inmount"), "i", "copy: ... and leaves what is mounted alone");
		umount2(p, MNT_DETACH);
	} else {
		/* a removal cut short (here by a mount in upper) keeps rootfs,
		 * the mark that the snapshot was made, so the next start
		 * mounts instead of preparing over the upper folder */
		s->unmount(cdir, NULL);
		path(p, cdir, "upper");
		mount("tmpfs", p, "tmpfs", 0, NULL);
		ok(s->remove(cdir, &e) < 0, "overlay: remove stops at a mount in upper");
		ok(exists(cdir, "rootfs"), "overlay: ... and rootfs is still there");
		umount2(p, MNT_DETACH);
	}
	err_clear(&e);
	if (!ok(s->remove(cdir, &e) == 0, "%s: remove", name))
		diag("%s", e.msg);
	is_str(list(cdir, ""), "", "%s: nothing left in the container folder", name);
	ok(mounts_under(cdir) == 0, "%s: no mount left", name);
	ok(s->remove(cdir, &e) == 0, "%s: remove again is fine", name);
	is_str(get(top, "victim2/keep"), "k", "%s: removal followed no symlink", name);
	is_str(list(top, "victim2"), "keep", "%s: ... into a folder either", name);
}

static void test_one(const char *name)
{
	const char *lower[3] = {lay[0], lay[1], lay[2]};
	const struct oci_snapshotter *s;
	char cdir[PATH_MAX], root[PATH_MAX];
	struct err e;

	s = oci_snapshotter_pick(top, name, &e);
	if (!s) {
		skip("%s: %s", name, e.msg);
		return;
	}
	snprintf(cdir, sizeof(cdir), "%s/c-%s", top, name);
	mk(cdir, "");
	path(root, cdir, "rootfs");
	if (!ok(s->prepare(cdir, lower, 3, &e) == 0, "%s: prepare", name)) {
		diag("%s", e.msg);
		return;
	}
	if (!strcmp(name, "overlay"))
		diag("mounted as: %s", mount_opts(root));
	check_view(name, root);
	put(root, "w.txt", "w");
	put(root, "a.txt", "changed");
	if (!strcmp(name, "overlay"))
		test_overlay_rw(s, cdir, root);
	else
		ok(s->mount(cdir, lower, 3, &e) == 0 && s->unmount(cdir, &e) == 0,
		   "copy: mount and unmount do nothing");
	is_str(get(lay[0], "a.txt"), "layer1", "%s: the bottom layer is unchanged", name);
	remove_checks(s, name, cdir, root);
}

/* 100 layers under long paths: the plain lowerdir string is over a page. */
static void test_many(const char *name)
{
	static char dirs[100][PATH_MAX];
	const char *lower[100];
	const struct oci_snapshotter *s;
	char cdir[PATH_MAX], root[PATH_MAX], f[16], want[16];
	size_t total = 0;
	struct err e;
	int seen = 0;

	s = oci_snapshotter_pick(top, name, &e);
	if (!s) {
		skip("%s, 100 layers: %s", name, e.msg);
		return;
	}
	mk(top, "layers");
	for (int i = 0; i < 100; i++) {
		snprintf(dirs[i], sizeof(dirs[i]), "%s/layers/%064x", top, i);
		mk(dirs[i], "");
		strcat(dirs[i], "/diff");
		mk(dirs[i], "");
		snprintf(f, sizeof(f), "f%d", i);
		snprintf(want, sizeof(want), "%d", i);
		put(dirs[i], f, want);
		put(dirs[i], "common", want);
		lower[i] = dirs[i];
		total += strlen(dirs[i]) + 1;
	}
	ok(total > 4096, "%s, 100 layers: the plain lowerdir= string would be %zu bytes", name,
	   total);
	snprintf(cdir, sizeof(cdir), "%s/many-%s", top, name);
	mk(cdir, "");
	path(root, cdir, "rootfs");
	if (!ok(s->prepare(cdir, lower, 100, &e) == 0, "%s, 100 layers: prepare", name))
		diag("%s", e.msg);
	if (!strcmp(name, "overlay"))
		diag("mounted as: %s", mount_opts(root));
	for (int i = 0; i < 100; i++) {
		snprintf(f, sizeof(f), "f%d", i);
		seen += exists(root, f);
	}
	is_int(seen, 100, "%s, 100 layers: a file of each layer shows", name);
	is_str(get(root, "common"), "99", "%s, 100 layers: the top layer wins", name);
	ok(s->unmount(cdir, &e) == 0 && s->mount(cdir, lower, 100, &e) == 0 &&
		   !strcmp(get(root, "f0"), "0"),
	   "%s, 100 layers: unmount and mount again", name);
	ok(s->remove(cdir, &e) == 0 && mounts_under(cdir) == 0 && !exists(cdir, "rootfs"),
	   "%s, 100 layers: remove", name);
}

static void test_probes(void)
{
	const char *names[] = {"overlay", "copy"};
	const struct oci_snapshotter *s;
	const char *lower[1] = {lay[0]};
	char cdir[PATH_MAX], root[PATH_MAX];
	struct err e;

	for (int i = 0; i < 2; i++) {
		s = oci_snapshotter_pick(top, names[i], &e);
		diag("probe %s under %s: %s", names[i], top, s ? "usable" : e.msg);
	}
	s = oci_snapshotter_pick(top, NULL, &e);
	if (CFG_SNAPSHOT_OVERLAY || CFG_SNAPSHOT_COPY)
		ok(s != NULL, "a snapshotter is picked (%s)", s ? s->name : e.msg);
	else
		ok(!s && strstr(e.msg, "none compiled in"), "none to pick (%s)", e.msg);
	ok(!oci_snapshotter_pick(top, "zfs", &e) && strstr(e.msg, "not compiled in"),
	   "an unknown one is refused (%s)", e.msg);
	ok(oci_snapshotter_find("nope") == NULL, "find: unknown is NULL");
	is_str(list(top, ""), "l1 l2 l3 victim", "probes leave nothing behind");

	/* A data-root on overlayfs cannot hold upper folders. */
	s = oci_snapshotter_pick(top, "overlay", &e);
	if (!s) {
		skip("overlay on overlay: %s", e.msg);
		return;
	}
	snprintf(cdir, sizeof(cdir), "%s/ovl", top);
	mk(cdir, "");
	path(root, cdir, "rootfs");
	if (s->prepare(cdir, lower, 1, &e) < 0) {
		ok(0, "overlay on overlay: prepare (%s)", e.msg);
		return;
	}
	ok(s->probe(root, &e) < 0 && strstr(e.msg, "overlayfs is not available"),
	   "overlay on overlay: refused (%s)", e.msg);
	if (CFG_SNAPSHOT_COPY) {
		const struct oci_snapshotter *c = oci_snapshotter_pick(root, NULL, &e);

		ok(c && !strcmp(c->name, "copy"), "overlay on overlay: copy is picked instead");
	} else {
		ok(!oci_snapshotter_pick(root, NULL, &e) && strstr(e.msg, "no snapshotter"),
		   "overlay on overlay: none usable (%s)", e.msg);
	}
	s->remove(cdir, &e);
	rmdir(cdir);
}

/* Paths with the characters overlay's option parser splits on. */
static void test_odd_names(void)
{
	const struct oci_snapshotter *s;
	char l[PATH_MAX], cdir[PATH_MAX];
	const char *lower[1] = {l};
	struct err e;

	s = oci_snapshotter_pick(top, "overlay", &e);
	if (!s) {
		skip("overlay, odd names: %s", e.msg);
		return;
	}
	path(l, top, "odd:,\\layer");
	mk(l, "");
	put(l, "file", "odd");
	path(cdir, top, "odd:,\\container");
	mk(cdir, "");
	if (!ok(s->prepare(cdir, lower, 1, &e) == 0, "overlay, odd names: prepare"))
		diag("%s", e.msg);
	is_str(get(cdir, "rootfs/file"), "odd", "overlay, odd names: the layer shows");
	ok(s->remove(cdir, &e) == 0 && rmdir(cdir) == 0, "overlay, odd names: remove");
}

static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

int main(void)
{
	struct err e;
	int fd, fds_before;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (mounts, mknod, chown)\n");
		return 0;
	}
	snprintf(top, sizeof(top), "/tmp/tug-snap-XXXXXX");
	if (!mkdtemp(top)) {
		printf("1..0 # SKIP mkdtemp: %s\n", strerror(errno));
		return 0;
	}
	make_layers();
	fds_before = count_fds();
	test_probes();
	test_one("overlay");
	test_one("copy");
	test_many("overlay");
	test_many("copy");
	test_odd_names();
	is_int(count_fds(), fds_before, "no fd leaked");
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	ok(oci_rm_tree(fd, top + 5, &e) == 0 && !exists(top, ""), "the test folder is removed (%s)",
	   e.msg);
	close(fd);
	return done_testing();
}
