/* test_volumes.c - the daemon's local volumes on real files in a temp folder:
 * names, records, create/inspect/list/remove/prune, the answers and events
 * dockerd gives, crash leftovers, and (as root) tmpfs and bind mounts. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/daemon/ctr.h"
#include "core/daemon/volumes-priv.h"
#include "core/daemon/volumes.h"
#include "file.h"
#include "json.h"
#include "tap.h"

static struct daemon D;
static char base[64];

/* The daemon's side, stubbed: the last event, and who uses which volume. */
static char ev_last[512];
static int ev_count;
static const char *user_of; /* the volume "in use" */

void daemon_event(struct daemon *d, const char *type, const char *action, const char *id,
		  const char *const *attrs)
{
	size_t n;

	(void)d;
	n = (size_t)snprintf(ev_last, sizeof(ev_last), "%s %s %s", type, action, id);
	for (size_t i = 0; attrs && attrs[i] && attrs[i + 1] && n < sizeof(ev_last); i += 2)
		n += (size_t)snprintf(ev_last + n, sizeof(ev_last) - n, " %s=%s", attrs[i],
				      attrs[i + 1]);
	ev_count++;
}

int ctr_volume_users(struct daemon *d, const char *volume, char first[65])
{
	(void)d;
	if (!user_of || strcmp(user_of, volume))
		return 0;
	if (first)
		snprintf(first, 65, "%064d", 7);
	return 1;
}

static bool exists(const char *rel)
{
	char p[VOL_PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", D.volumes_dir, rel);
	return stat(p, &st) == 0;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "(not a string)";
}

static void test_names(void)
{
	const char *good[] = {"ab", "a.b_c-d", "0x", "Z9", "x..", NULL};
	const char *bad[] = {"a", "", "-ab", ".ab", "_ab", "a/b", "a b", "..", "a\\b", "é1", NULL};
	char longname[300];

	for (int i = 0; good[i]; i++)
		ok(vol_name_valid(good[i]), "valid name %s", good[i]);
	for (int i = 0; bad[i]; i++)
		ok(!vol_name_valid(bad[i]), "invalid name '%s'", bad[i]);
	memset(longname, 'a', 256);
	longname[256] = '\0';
	ok(!vol_name_valid(longname), "a name longer than a folder name is refused");
}

static void test_create(void)
{
	struct err e = {0};
	cJSON *v = NULL, *v2 = NULL, *labels;
	char mp[VOL_PATH_MAX];
	int n;

	ev_count = 0;
	is_int(vol_create(&D, "anchorvol", "local", NULL, NULL, &v, &e), 0, "create anchorvol");
	is_str(str(v, "Name"), "anchorvol", "Name");
	is_str(str(v, "Driver"), "local", "Driver");
	is_str(str(v, "Scope"), "local", "Scope");
	snprintf(mp, sizeof(mp), "%s/anchorvol/_data", D.volumes_dir);
	is_str(str(v, "Mountpoint"), mp, "Mountpoint is <volumes>/<name>/_data");
	ok(cJSON_IsNull(cJSON_GetObjectItem(v, "Labels")), "Labels null when none given");
	ok(cJSON_IsNull(cJSON_GetObjectItem(v, "Options")), "Options null when none given");
	ok(strlen(str(v, "CreatedAt")) == 20 && str(v, "CreatedAt")[19] == 'Z',
	   "CreatedAt in RFC 3339 seconds: %s", str(v, "CreatedAt"));
	ok(exists("anchorvol/_data") && exists("anchorvol/opts.json"), "_data and opts.json made");
	is_str(ev_last, "volume create anchorvol driver=local", "create event");
	{
		char *s = NULL;
		size_t len;
		json_print(v, false, &s, &len, NULL);
		ok(s && !strncmp(s, "{\"CreatedAt\":", 13) && strstr(s, "\"Scope\":\"local\"}"),
		   "fields in dockerd's order: %s", s ? s : "");
		free(s);
	}

	labels = cJSON_Parse("{\"a\":\"b\"}");
	n = ev_count;
	is_int(vol_create(&D, "anchorvol", NULL, NULL, labels, &v2, &e), 0, "create again");
	is_str(str(v2, "CreatedAt"), str(v, "CreatedAt"), "the existing volume comes back");
	ok(cJSON_IsNull(cJSON_GetObjectItem(v2, "Labels")), "its labels unchanged");
	is_int(ev_count, n, "no second create event");
	cJSON_Delete(v2);
	cJSON_Delete(v);

	is_int(vol_create(&D, "lab", NULL, NULL, labels, &v, &e), 0, "create with labels");
	is_str(str(cJSON_GetObjectItem(v, "Labels"), "a"), "b", "label kept");
	cJSON_Delete(v);
	cJSON_Delete(labels);
}

static void test_create_errors(void)
{
	struct err e = {0};
	cJSON *o;

	is_int(vol_create(&D, "a", NULL, NULL, NULL, NULL, &e), 400, "one-letter name: 400");
	is_str(e.msg,
	       "create a: volume name is too short, names should be at least two alphanumeric "
	       "characters",
	       "its message");
	is_int(vol_create(&D, "x/y", NULL, NULL, NULL, NULL, &e), 400, "a slash: 400");
	is_str(e.msg,
	       "create x/y: \"x/y\" includes invalid characters for a local volume name, only "
	       "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
	       "directory, use absolute path",
	       "its message");
	ok(!exists("x"), "nothing made");
	is_int(vol_create(&D, "pv", "foo", NULL, NULL, NULL, &e), 404, "unknown driver: 404");
	is_str(e.msg, "create pv: error looking up volume plugin foo: plugin \"foo\" not found",
	       "its message");
	o = cJSON_Parse("{\"colour\":\"red\"}");
	is_int(vol_create(&D, "ov", NULL, o, NULL, NULL, &e), 400, "unknown option: 400");
	is_str(e.msg, "create ov: invalid option: \"colour\"", "its message");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"type\":\"tmpfs\"}");
	is_int(vol_create(&D, "ov", NULL, o, NULL, NULL, &e), 400, "type without device: 400");
	is_str(e.msg, "create ov: missing required option: \"device\"", "its message");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"o\":\"size=1m\",\"device\":\"tmpfs\"}");
	is_int(vol_create(&D, "ov", NULL, o, NULL, NULL, &e), 400, "o and device without type");
	is_str(e.msg, "create ov: missing required option: \"type\"", "its message");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"size\":\"10m\"}");
	is_int(vol_create(&D, "ov", NULL, o, NULL, NULL, &e), 400, "size without quotas: 400");
	is_str(e.msg, "create ov: quota size requested but no quota support", "its message");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"type\":\"nfs\",\"device\":\":/x\",\"o\":\"addr=nas.lan,rw\"}");
	is_int(vol_create(&D, "ov", NULL, o, NULL, NULL, &e), 400, "nfs by host name: 400");
	ok(strstr(e.msg, "does not resolve host names") != NULL, "says why: %s", e.msg);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"type\":\"nfs\",\"device\":\":/x\",\"o\":\"addr=10.0.0.2,rw\"}");
	is_int(vol_create(&D, "nfsv", NULL, o, NULL, NULL, &e), 0, "nfs by address: made");
	cJSON_Delete(o);
	ok(!exists("ov"), "no refused volume was made");
}

static void test_anonymous_and_get(void)
{
	struct err e = {0};
	char name[80], path[VOL_PATH_MAX], want[VOL_PATH_MAX], name2[80], path2[VOL_PATH_MAX];
	cJSON *v = NULL;

	is_int(vol_get(&D, NULL, name, sizeof(name), path, sizeof(path), &e), 0, "anonymous get");
	ok(strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64, "64-hex name %s", name);
	snprintf(want, sizeof(want), "%s/%s/_data", D.volumes_dir, name);
	is_str(path, want, "its path");
	is_int(vol_inspect(&D, name, &v, &e), 0, "inspect it");
	ok(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "Labels"), VOL_ANON_LABEL) != NULL,
	   "labelled anonymous");
	cJSON_Delete(v);
	is_int(vol_get_op(&D, "named1", name2, sizeof(name2), path2, sizeof(path2), &e), 0,
	       "get of a missing named volume makes it");
	is_str(name2, "named1", "its name");
	ok(exists("named1/_data"), "made on first use");
	is_int(vol_get(&D, "named1", name2, sizeof(name2), path2, sizeof(path2), &e), 0,
	       "second get");
	is_int(vol_get(&D, "b@d", name2, sizeof(name2), path2, sizeof(path2), &e), -1,
	       "get of an invalid name fails");
	is_int(vol_create(&D, "", NULL, NULL, NULL, &v, &e), 0, "create without a name");
	ok(strlen(str(v, "Name")) == 64, "is anonymous too");
	cJSON_Delete(v);
}

static void test_inspect_list(void)
{
	struct err e = {0};
	cJSON *v = NULL, *l = NULL, *it;
	const char *prev = "";
	int n = 0, sorted = 1;
	char p[VOL_PATH_MAX];

	is_int(vol_inspect(&D, "nosuch", &v, &e), 404, "inspect missing: 404");
	is_str(e.msg, "get nosuch: no such volume", "its message");
	is_int(vol_inspect(&D, "../volumes", &v, &e), 404, "a path is no volume name");
	/* leftovers and strays */
	snprintf(p, sizeof(p), "%s/.tmp-1234", D.volumes_dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/stray", D.volumes_dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/olddocker", D.volumes_dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/olddocker/_data", D.volumes_dir);
	mkdir(p, 0755);
	is_int(vol_list(&D, &l, &e), 0, "list");
	cJSON_ArrayForEach(it, l)
	{
		if (strcmp(prev, str(it, "Name")) >= 0)
			sorted = 0;
		prev = str(it, "Name");
		n++;
		ok(strcmp(str(it, "Name"), "stray") && strncmp(str(it, "Name"), ".tmp", 4),
		   "listed %s is a volume", str(it, "Name"));
	}
	ok(sorted, "sorted by name");
	ok(n >= 5, "all volumes listed (%d)", n);
	cJSON_Delete(l);
	is_int(vol_inspect(&D, "olddocker", &v, &e), 0, "a folder with _data but no record");
	is_str(str(v, "Driver"), "local", "is a local volume");
	cJSON_Delete(v);
	is_int(vol_init(&D, &e), 0, "init");
	ok(!exists(".tmp-1234"), "init drops a half-made volume");
}

static void test_remove(void)
{
	struct err e = {0};
	char want[200];

	vol_create(&D, "busy", NULL, NULL, NULL, NULL, &e);
	user_of = "busy";
	is_int(vol_remove(&D, "busy", false, &e), 409, "remove in use: 409");
	snprintf(want, sizeof(want), "remove busy: volume is in use - [%064d]", 7);
	is_str(e.msg, want, "its message");
	is_int(vol_remove(&D, "busy", true, &e), 409, "force does not remove one in use");
	ok(exists("busy/_data"), "still there");
	user_of = NULL;
	is_int(vol_remove(&D, "busy", false, &e), 0, "remove");
	ok(!exists("busy"), "gone");
	is_str(ev_last, "volume destroy busy driver=local", "destroy event");
	is_int(vol_remove(&D, "busy", false, &e), 404, "remove missing: 404");
	is_str(e.msg, "get busy: no such volume", "its message");
	is_int(vol_remove(&D, "busy", true, &e), 0, "force: a missing one is no error");
}

static int put(const char *vol, const char *file, size_t size)
{
	char p[VOL_PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/_data/%s", D.volumes_dir, vol, file);
	f = fopen(p, "w");
	if (!f)
		return -1;
	for (size_t i = 0; i < size; i++)
		fputc('x', f);
	return fclose(f);
}

static bool in(const cJSON *arr, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr) if (!strcmp(it->valuestring, name)) return true;
	return false;
}

static bool keep_labelled(const cJSON *v, void *arg)
{
	const cJSON *l = cJSON_GetObjectItem(v, "Labels");

	return cJSON_GetObjectItem(l, arg) != NULL;
}

static void test_prune(void)
{
	struct err e = {0};
	cJSON *del = NULL, *v = NULL, *o, *l;
	char anon1[80], anon2[80], p[VOL_PATH_MAX];
	uint64_t rec = 0;

	vol_get(&D, NULL, anon1, sizeof(anon1), p, sizeof(p), &e);
	vol_get(&D, NULL, anon2, sizeof(anon2), p, sizeof(p), &e);
	put(anon1, "f", 1000);
	put(anon2, "g", 24);
	vol_create(&D, "keepme", NULL, NULL, NULL, NULL, &e);
	put("keepme", "h", 5);
	o = cJSON_Parse("{\"type\":\"tmpfs\",\"device\":\"tmpfs\"}");
	vol_create(&D, "withopts", NULL, o, NULL, NULL, &e);
	cJSON_Delete(o);
	l = cJSON_Parse("{\"" VOL_ANON_LABEL "\":\"\",\"spare\":\"1\"}");
	vol_create(&D, "spared", NULL, NULL, l, NULL, &e);
	cJSON_Delete(l);
	user_of = anon2;
	is_int(vol_prune(&D, false, keep_labelled, "spare", &del, &rec, &e), 0, "prune");
	ok(in(del, anon1), "an unused anonymous volume goes");
	ok(!in(del, anon2), "one in use stays");
	ok(!in(del, "keepme"), "a named one stays");
	ok(!in(del, "spared"), "the filter spares one");
	is_int((long long)rec, 1000, "space reclaimed");
	is_str(ev_last, "volume prune  reclaimed=1000", "prune event");
	cJSON_Delete(del);
	user_of = NULL;
	is_int(vol_prune(&D, true, NULL, NULL, &del, &rec, &e), 0, "prune all");
	ok(in(del, anon2) && in(del, "keepme") && in(del, "spared"), "named ones go too");
	ok(!in(del, "withopts"), "not one with mount options");
	is_int((long long)rec, 29, "their space");
	ok(vol_inspect(&D, "withopts", &v, &e) == 0, "withopts is still there");
	cJSON_Delete(v);
	cJSON_Delete(del);
	is_int(vol_prune(&D, true, NULL, NULL, &del, &rec, &e), 0, "prune with nothing to do");
	ok(cJSON_IsArray(del) && cJSON_GetArraySize(del) == 0, "VolumesDeleted is []");
	cJSON_Delete(del);
}

static bool mounted(const char *vol)
{
	char p[VOL_PATH_MAX], r[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s/_data", D.volumes_dir, vol);
	return realpath(p, r) && vol_is_mountpoint(r);
}

static void test_tmpfs(void)
{
	struct err e = {0};
	cJSON *o = cJSON_Parse("{\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=1m,nodev\"}");

	is_int(vol_create(&D, "tv", NULL, o, NULL, NULL, &e), 0, "tmpfs volume");
	cJSON_Delete(o);
	ok(!mounted("tv"), "not mounted before use");
	is_int(vol_mount(&D, "tv", &e), 0, "first use mounts: %s", e.msg);
	ok(mounted("tv"), "tmpfs on _data");
	is_int(vol_mount(&D, "tv", &e), 0, "second use");
	is_int(vol_unmount(&D, "tv", &e), 0, "one use ends");
	ok(mounted("tv"), "still mounted for the other");
	is_int(vol_unmount(&D, "tv", &e), 0, "the last use ends");
	ok(!mounted("tv"), "unmounted");
	vol_mount(&D, "tv", &e);
	is_int(vol_remove(&D, "tv", false, &e), 0, "remove a mounted one (no users)");
	ok(!exists("tv"), "unmounted and gone");
	vol_create(&D, "plain", NULL, NULL, NULL, NULL, &e);
	is_int(vol_mount(&D, "plain", &e), 0, "a volume without options: nothing to mount");
	ok(!mounted("plain"), "and nothing mounted");
	is_int(vol_unmount(&D, "plain", &e), 0, "nor to unmount");
	is_int(vol_mount(&D, "nosuch", &e), -1, "mount of a missing volume fails");
}

static void test_bind(void)
{
	struct err e = {0};
	char src[128], json[512], f[VOL_PATH_MAX];
	cJSON *o;

	snprintf(src, sizeof(src), "%s/host", base);
	mkdir(src, 0755);
	snprintf(f, sizeof(f), "%s/keep.txt", src);
	file_write_atomic(AT_FDCWD, f, "k", 1, 0644, NULL);
	snprintf(json, sizeof(json), "{\"type\":\"none\",\"device\":\"%s\",\"o\":\"bind,ro\"}",
		 src);
	o = cJSON_Parse(json);
	is_int(vol_create(&D, "bv", NULL, o, NULL, NULL, &e), 0, "bind volume");
	cJSON_Delete(o);
	is_int(vol_mount(&D, "bv", &e), 0, "mount it: %s", e.msg);
	ok(exists("bv/_data/keep.txt"), "the host folder shows");
	snprintf(f, sizeof(f), "%s/bv/_data/new", D.volumes_dir);
	ok(file_write_atomic(AT_FDCWD, f, "n", 1, 0644, NULL) < 0, "read-only (remounted)");
	is_int(vol_remove(&D, "bv", false, &e), 0, "remove it");
	snprintf(f, sizeof(f), "%s/keep.txt", src);
	ok(access(f, F_OK) == 0, "the host folder's files survive the removal");

	snprintf(json, sizeof(json), "{\"type\":\"none\",\"device\":\"%s/nosuch\",\"o\":\"bind\"}",
		 base);
	o = cJSON_Parse(json);
	vol_create(&D, "badbind", NULL, o, NULL, NULL, &e);
	cJSON_Delete(o);
	is_int(vol_mount(&D, "badbind", &e), -1, "a missing bind source fails at use");
	ok(strstr(e.msg, "error while mounting volume '") && strstr(e.msg, "No such file"),
	   "says so: %s", e.msg);
	ok(!mounted("badbind"), "nothing mounted");

	/* a mount tug did not make on a plain volume: removal must not reach in */
	vol_create(&D, "foreign", NULL, NULL, NULL, NULL, &e);
	snprintf(f, sizeof(f), "%s/foreign/_data", D.volumes_dir);
	mount(src, f, NULL, MS_BIND, NULL);
	is_int(vol_remove(&D, "foreign", false, &e), 500, "a foreign mount blocks removal");
	is_str(e.msg, "remove foreign: volume has active mounts", "its message");
	ok(exists("foreign/_data/keep.txt"), "nothing removed");
	umount2(f, MNT_DETACH);
	is_int(vol_remove(&D, "foreign", false, &e), 0, "removable once unmounted");
}

int main(void)
{
	struct err e = {0};
	char cmd[128];

	snprintf(base, sizeof(base), "/tmp/test_volumes.XXXXXX");
	if (!mkdtemp(base))
		return 1;
	snprintf(D.data_root, sizeof(D.data_root), "%s", base);
	snprintf(D.volumes_dir, sizeof(D.volumes_dir), "%s/volumes", base);
	ok(vol_init(&D, &e) == 0, "init makes the folder");
	test_names();
	test_create();
	test_create_errors();
	test_anonymous_and_get();
	test_inspect_list();
	test_remove();
	test_prune();
	if (geteuid() != 0 || mount("tmpfs", base, "tmpfs", 0, "size=4m") < 0) {
		skip("mounts need root (and the right to mount)");
	} else {
		umount2(base, MNT_DETACH);
		test_tmpfs();
		test_bind();
	}
	snprintf(cmd, sizeof(cmd), "rm -rf --one-file-system '%s'", base);
	if (system(cmd) != 0)
		diag("could not remove %s", base);
	return done_testing();
}
