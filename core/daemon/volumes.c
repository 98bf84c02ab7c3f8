/* volumes.c - local volume records: made in a temp folder and renamed into
 * place (a crash leaves a whole volume or none), read back as dockerd's API
 * answers them. The folder is the truth: nothing is cached in memory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon/volumes-priv.h"
#include "core/daemon/volumes.h"
#include "file.h"
#include "json.h"
#include "oci/rmtree.h"
#include "sort.h"
#include "timefmt.h"

#define REC_FILE "opts.json"
#define REC_MAX (1u << 20)

pthread_mutex_t vol_mu = PTHREAD_MUTEX_INITIALIZER;

void vol_path(struct daemon *d, const char *name, const char *sub, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s%s%s", d->volumes_dir, name, sub ? "/" : "", sub ? sub : "");
}

/* dockerd's names.RestrictedNamePattern; the first character rules out "."
 * and "..", and with no '/' a name is always one folder under volumes/. */
bool vol_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 2 || n > VOL_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alnum =
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || !strchr("_.-", c)))
			return false;
	}
	return true;
}

static int random_hex(char *out, size_t nbytes, struct err *e)
{
	unsigned char r[32];

	if (nbytes > sizeof(r) || getrandom(r, nbytes, 0) != (ssize_t)nbytes)
		return err_sys(e, errno, "random volume name");
	for (size_t i = 0; i < nbytes; i++)
		sprintf(out + 2 * i, "%02x", r[i]);
	return 0;
}

static void time_str(const struct timespec *ts, char *buf, size_t size)
{
	timefmt_rfc3339(buf, size, ts, 0);
}

/* A folder with _data but no record (made by another tool, or an older
 * layout) is still a volume, as for dockerd: it gets a plain record. */
static int rec_synth(struct daemon *d, const char *name, cJSON **rec, struct err *e)
{
	char p[VOL_PATH_MAX], t[40];
	struct stat st;

	vol_path(d, name, "_data", p, sizeof(p));
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(e, "get %s: no such volume", name), 404;
	vol_path(d, name, NULL, p, sizeof(p));
	if (stat(p, &st) < 0)
		return err_set(e, "get %s: no such volume", name), 404;
	time_str(&st.st_ctim, t, sizeof(t));
	*rec = cJSON_CreateObject();
	if (!*rec || !cJSON_AddStringToObject(*rec, "Name", name) ||
	    !cJSON_AddStringToObject(*rec, "Driver", "local") ||
	    !cJSON_AddStringToObject(*rec, "CreatedAt", t) ||
	    !cJSON_AddNullToObject(*rec, "Labels") || !cJSON_AddNullToObject(*rec, "Options"))
		return err_set(e, "get %s: out of memory", name), 500;
	return 0;
}

int vol_rec_load(struct daemon *d, const char *name, cJSON **rec, struct err *e)
{
	char p[VOL_PATH_MAX], *buf = NULL;
	size_t len;
	int rc;

	*rec = NULL;
	if (!vol_name_valid(name))
		return err_set(e, "get %s: no such volume", name), 404;
	vol_path(d, name, REC_FILE, p, sizeof(p));
	if (file_read_all(p, REC_MAX, &buf, &len, e) < 0) {
		if (e->errnum == ENOENT)
			return rec_synth(d, name, rec, e);
		return err_wrap(e, "get %s", name), 500;
	}
	rc = json_parse(buf, len, rec, e);
	free(buf);
	if (rc < 0 || json_as_object(*rec, "", e) < 0) {
		cJSON_Delete(*rec);
		*rec = NULL;
		return err_wrap(e, "get %s: %s", name, p), 500;
	}
	return 0;
}

bool vol_needs_mount(const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "Options");

	return cJSON_IsObject(o) && (cJSON_GetObjectItemCaseSensitive(o, "type") ||
				     cJSON_GetObjectItemCaseSensitive(o, "device"));
}

static cJSON *dup_or_null(const cJSON *v)
{
	return v && !cJSON_IsNull(v) ? cJSON_Duplicate(v, true) : cJSON_CreateNull();
}

/* The API's Volume object, its fields in dockerd's order. */
static cJSON *rec_to_api(struct daemon *d, const cJSON *rec)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(rec, "Name");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(rec, "CreatedAt");
	cJSON *v = cJSON_CreateObject();
	char mp[VOL_PATH_MAX];

	if (!v || !cJSON_IsString(name))
		return cJSON_Delete(v), NULL;
	vol_path(d, name->valuestring, "_data", mp, sizeof(mp));
	cJSON_AddStringToObject(v, "CreatedAt", cJSON_IsString(at) ? at->valuestring : "");
	cJSON_AddStringToObject(v, "Driver", "local");
	cJSON_AddItemToObject(v, "Labels",
			      dup_or_null(cJSON_GetObjectItemCaseSensitive(rec, "Labels")));
	cJSON_AddStringToObject(v, "Mountpoint", mp);
	cJSON_AddStringToObject(v, "Name", name->valuestring);
	cJSON_AddItemToObject(v, "Options",
			      dup_or_null(cJSON_GetObjectItemCaseSensitive(rec, "Options")));
	if (!cJSON_AddStringToObject(v, "Scope", "local"))
		return cJSON_Delete(v), NULL;
	return v;
}

/* The record as written to opts.json. */
static cJSON *rec_new(const char *name, const cJSON *opts, const cJSON *labels, bool anon)
{
	struct timespec now;
	char t[40];
	cJSON *r = cJSON_CreateObject(), *l;

	clock_gettime(CLOCK_REALTIME, &now);
	time_str(&now, t, sizeof(t));
	if (!r)
		return NULL;
	cJSON_AddStringToObject(r, "Name", name);
	cJSON_AddStringToObject(r, "Driver", "local");
	cJSON_AddStringToObject(r, "CreatedAt", t);
	l = dup_or_null(labels);
	if (anon && l && !cJSON_IsObject(l)) {
		cJSON_Delete(l);
		l = cJSON_CreateObject();
	}
	if (anon && l && !cJSON_GetObjectItemCaseSensitive(l, VOL_ANON_LABEL))
		cJSON_AddStringToObject(l, VOL_ANON_LABEL, "");
	cJSON_AddItemToObject(r, "Labels", l);
	if (!cJSON_AddItemToObject(r, "Options", dup_or_null(opts)) || !l)
		return cJSON_Delete(r), NULL;
	return r;
}

/* Write the volume in a temp folder, then rename it into place. Returns 0,
 * 1 when a volume of that name appeared meanwhile, -1 with e. */
static int rec_make(struct daemon *d, const char *name, const cJSON *rec, struct err *e)
{
	char tmp[32] = ".tmp-", p[VOL_PATH_MAX], *s = NULL;
	size_t len;
	int dfd, rc = -1;

	if (random_hex(tmp + 5, 8, e) < 0 || json_print(rec, false, &s, &len, e) < 0)
		return -1;
	dfd = open(d->volumes_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		err_sys(e, errno, "open %s", d->volumes_dir);
		goto out;
	}
	vol_path(d, tmp, NULL, p, sizeof(p));
	if (mkdirat(dfd, tmp, 0701) < 0 || fchmodat(dfd, tmp, 0701, 0) < 0) {
		err_sys(e, errno, "error while creating volume root path '%s'", p);
		goto out;
	}
	vol_path(d, tmp, "_data", p, sizeof(p));
	if (mkdir(p, 0755) < 0 || chmod(p, 0755) < 0) {
		err_sys(e, errno, "error while creating volume data path '%s'", p);
		goto rm;
	}
	vol_path(d, tmp, REC_FILE, p, sizeof(p));
	if (file_write_atomic(AT_FDCWD, p, s, len, 0600, e) < 0)
		goto rm;
	if (renameat(dfd, tmp, dfd, name) < 0) {
		rc = errno == EEXIST || errno == ENOTEMPTY ? 1 : -1;
		if (rc < 0)
			err_sys(e, errno, "rename %s to %s", tmp, name);
		goto rm;
	}
	rc = file_fsync_dir(d->volumes_dir, e);
	goto out;
rm:
	oci_rm_tree(dfd, tmp, NULL);
out:
	if (dfd >= 0)
		close(dfd);
	free(s);
	return rc;
}

/* Leftovers of a crash: folders half made (.tmp-) or half removed (.rm-). */
static void drop_leftovers(struct daemon *d)
{
	DIR *dir = opendir(d->volumes_dir);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (!strncmp(de->d_name, ".tmp-", 5) || !strncmp(de->d_name, ".rm-", 4))
			oci_rm_tree(dirfd(dir), de->d_name, NULL);
	}
	closedir(dir);
}

int vol_init(struct daemon *d, struct err *e)
{
	if (file_mkdir_p(d->volumes_dir, 0701, e) < 0)
		return -1;
	pthread_mutex_lock(&vol_mu);
	drop_leftovers(d);
	pthread_mutex_unlock(&vol_mu);
	return 0;
}

static int check_create(const char *name, const char *driver, const cJSON *opts, struct err *e)
{
	if (driver && *driver && strcmp(driver, "local") != 0)
		return err_set(e,
			       "create %s: error looking up volume plugin %s: plugin \"%s\" not "
			       "found",
			       name, driver, driver),
		       404;
	if (strlen(name) == 1)
		return err_set(e,
			       "create %s: volume name is too short, names should be at least two "
			       "alphanumeric characters",
			       name),
		       400;
	if (!vol_name_valid(name))
		return err_set(e,
			       "create %s: \"%s\" includes invalid characters for a local volume "
			       "name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you "
			       "intended "
			       "to pass a host directory, use absolute path",
			       name, name),
		       400;
	if (vol_opts_check(opts, e) < 0)
		return err_wrap(e, "create %s", name), 400;
	return 0;
}

/* vol_mu held. *created tells whether this call made it (for the event). */
static int create_locked(struct daemon *d, const char *name, const cJSON *opts, const cJSON *labels,
			 bool anon, cJSON **rec, bool *created, struct err *e)
{
	cJSON *r;
	int rc;

	*created = false;
	rc = vol_rec_load(d, name, rec, e);
	if (rc != 404)
		return rc; /* there already (dockerd returns it as it is), or broken */
	r = rec_new(name, opts, labels, anon);
	if (!r)
		return err_set(e, "create %s: out of memory", name), 500;
	rc = rec_make(d, name, r, e);
	if (rc == 1) {
		cJSON_Delete(r);
		return vol_rec_load(d, name, rec, e);
	}
	if (rc < 0) {
		cJSON_Delete(r);
		return err_wrap(e, "create %s", name), 500;
	}
	*rec = r;
	*created = true;
	return 0;
}

static void event(struct daemon *d, const char *action, const char *name)
{
	const char *attrs[] = {"driver", "local", NULL};

	daemon_event(d, "volume", action, name, attrs);
}

int vol_create(struct daemon *d, const char *name, const char *driver, const cJSON *opts,
	       const cJSON *labels, cJSON **out, struct err *e)
{
	char anon[65];
	cJSON *rec = NULL;
	bool created;
	int rc;

	if (out)
		*out = NULL;
	if (!name || !*name) {
		if (random_hex(anon, 32, e) < 0)
			return 500;
		name = anon;
	}
	rc = check_create(name, driver, opts, e);
	if (rc)
		return rc;
	pthread_mutex_lock(&vol_mu);
	rc = create_locked(d, name, opts, labels, name == anon, &rec, &created, e);
	pthread_mutex_unlock(&vol_mu);
	if (rc)
		return rc;
	if (created)
		event(d, "create", name);
	if (out && !(*out = rec_to_api(d, rec)))
		rc = (err_set(e, "create %s: out of memory", name), 500);
	cJSON_Delete(rec);
	return rc;
}

int vol_inspect(struct daemon *d, const char *name, cJSON **out, struct err *e)
{
	cJSON *rec;
	int rc;

	pthread_mutex_lock(&vol_mu);
	rc = vol_rec_load(d, name, &rec, e);
	pthread_mutex_unlock(&vol_mu);
	if (rc)
		return rc;
	*out = rec_to_api(d, rec);
	cJSON_Delete(rec);
	return *out ? 0 : (err_set(e, "get %s: out of memory", name), 500);
}

static int by_name(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(cJSON_GetObjectItemCaseSensitive(x, "Name")->valuestring,
		      cJSON_GetObjectItemCaseSensitive(y, "Name")->valuestring);
}

/* The API objects of every volume, unsorted, into arr. vol_mu held. */
static int collect(struct daemon *d, cJSON *arr, struct err *e)
{
	DIR *dir = opendir(d->volumes_dir);
	struct dirent *de;
	struct err skip;

	if (!dir)
		return errno == ENOENT ? 0 : (err_sys(e, errno, "list %s", d->volumes_dir), 500);
	while ((de = readdir(dir))) {
		cJSON *rec, *v;
		if (!vol_name_valid(de->d_name) || vol_rec_load(d, de->d_name, &rec, &skip))
			continue; /* temp folders, strays: not volumes */
		v = rec_to_api(d, rec);
		cJSON_Delete(rec);
		if (v)
			cJSON_AddItemToArray(arr, v);
	}
	closedir(dir);
	return 0;
}

int vol_list(struct daemon *d, cJSON **out, struct err *e)
{
	cJSON *arr = cJSON_CreateArray(), **v = NULL, *it;
	size_t n = 0;
	int rc;

	if (!arr)
		return err_set(e, "list volumes: out of memory"), 500;
	pthread_mutex_lock(&vol_mu);
	rc = collect(d, arr, e);
	pthread_mutex_unlock(&vol_mu);
	n = (size_t)cJSON_GetArraySize(arr);
	if (!rc && n > 1 && (v = calloc(n, sizeof(*v)))) {
		size_t i = 0;
		while ((it = cJSON_DetachItemFromArray(arr, 0)))
			v[i++] = it;
		sort_heap(v, n, sizeof(*v), by_name);
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, v[i]);
		free(v);
	}
	if (rc)
		return cJSON_Delete(arr), rc;
	*out = arr;
	return 0;
}

int vol_get(struct daemon *d, const char *name, char *name_out, size_t name_size, char *path_out,
	    size_t path_size, struct err *e)
{
	cJSON *v = NULL;
	const cJSON *n, *mp;

	if (vol_create(d, name, NULL, NULL, NULL, &v, e) != 0)
		return -1;
	n = cJSON_GetObjectItemCaseSensitive(v, "Name");
	mp = cJSON_GetObjectItemCaseSensitive(v, "Mountpoint");
	if ((size_t)snprintf(name_out, name_size, "%s", n->valuestring) >= name_size ||
	    (size_t)snprintf(path_out, path_size, "%s", mp->valuestring) >= path_size) {
		cJSON_Delete(v);
		return err_set(e, "volume %s: path too long", n->valuestring);
	}
	cJSON_Delete(v);
	return 0;
}

int vol_get_op(void *daemon, const char *name, char *name_out, size_t name_size, char *path_out,
	       size_t path_size, struct err *e)
{
	return vol_get(daemon, name, name_out, name_size, path_out, path_size, e);
}
