/* ctr-create.c - POST /containers/create: check the request, reserve the
 * name, make the root filesystem, write the OCI config and the record. On
 * any failure nothing of the container is left. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/image-info.h"
#include "core/daemon/ctr.h"
#include "core/daemon/volumes.h"
#include "file.h"
#include "json.h"
#include "oci/dockerspec.h"
#include "oci/rmtree.h"

static bool name_ok(const char *n)
{
	if (*n == '/')
		n++;
	if (!isalnum((unsigned char)*n) || strlen(n) < 2 || strlen(n) > 200)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && !strchr("_.-", *n))
			return false;
	return true;
}

static int new_id(char id[65], struct err *e)
{
	unsigned char r[32];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return err_sys(e, errno, "random container id");
	for (int i = 0; i < 32; i++)
		sprintf(id + 2 * i, "%02x", r[i]);
	return 0;
}

/* Docker's names for containers created without --name. */
static void random_name(struct daemon *d, char *out, size_t size)
{
	static const char *const adj[] = {"brave", "calm",   "eager", "fancy", "gentle", "happy",
					  "jolly", "keen",   "lucid", "merry", "nifty",  "quiet",
					  "sharp", "tender", "vivid", "witty"};
	static const char *const noun[] = {
		"ada",   "babbage",  "curie",   "darwin", "euler",   "fermi", "gauss",  "hopper",
		"knuth", "lovelace", "noether", "pascal", "ritchie", "tesla", "turing", "wozniak"};
	unsigned char r[2];

	for (int tries = 0;; tries++) {
		if (getrandom(r, 2, 0) != 2)
			r[0] = r[1] = (unsigned char)tries;
		if (tries < 16)
			snprintf(out, size, "%s_%s", adj[r[0] % 16], noun[r[1] % 16]);
		else
			snprintf(out, size, "%s_%s%d", adj[r[0] % 16], noun[r[1] % 16], tries);
		struct ctr *c = d->ctrs;
		while (c && (c->removed || strcmp(c->name, out)))
			c = c->next;
		if (!c)
			return;
	}
}

/* The image's "config" object, from its config blob. */
static int image_config(struct daemon *d, const char *id, cJSON **root, const cJSON **cfg,
			struct oci_image_rec *rec, struct err *e)
{
	char *buf = NULL;
	size_t len;

	*root = NULL;
	*cfg = NULL;
	if (oci_store_image_get(&d->store, id, rec, e) < 0 ||
	    oci_store_blob_read(&d->store, id, 1 << 20, &buf, &len, e) < 0)
		return -1;
	if (json_parse(buf, len, root, e) < 0) {
		free(buf);
		return err_wrap(e, "image %s: config", id);
	}
	free(buf);
	*cfg = cJSON_GetObjectItemCaseSensitive(*root, "config");
	return 0;
}

static int write_text(const char *dir, const char *name, const char *text, struct err *e)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return file_write_replace(AT_FDCWD, p, text, strlen(text), 0644, e);
}

/* The files of a new container are written without an fsync each, then
 * made durable together before the record (written last, durably) makes
 * the container exist: one journal commit carries them all instead of two
 * commits a file. A crash before the record leaves a folder restore skips. */
static int sync_files(const struct ctr *c, struct err *e)
{
	static const char *const names[] = {"hostname", "hosts", "resolv.conf", "config.json"};
	char p[PATH_MAX + 64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ctr_path(c, names[i], p, sizeof(p));
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return err_sys(e, errno, "container %s: open %s", c->id, names[i]);
		int r = fsync(fd);
		close(fd);
		if (r < 0)
			return err_sys(e, errno, "container %s: fsync %s", c->id, names[i]);
	}
	return file_fsync_dir(c->cdir, e);
}

/* hostname, hosts and resolv.conf, bind-mounted into the container. */
static int etc_files(struct ctr *c, bool host_net, struct err *e)
{
	const cJSON *hn = cJSON_GetObjectItemCaseSensitive(c->config, "Hostname");
	char host[300], hosts[1024];
	char *rc = NULL;
	size_t len;
	int r;

	snprintf(host, sizeof(host), "%s\n", cJSON_IsString(hn) ? hn->valuestring : c->id);
	snprintf(hosts, sizeof(hosts),
		 "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
		 "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
		 "ff02::2\tip6-allrouters\n");
	if (write_text(c->cdir, "hostname", host, e) < 0 ||
	    write_text(c->cdir, "hosts", hosts, e) < 0)
		return -1;
	if (file_read_all("/etc/resolv.conf", 1 << 16, &rc, &len, NULL) < 0)
		rc = NULL;
	(void)host_net;
	r = write_text(c->cdir, "resolv.conf", rc ? rc : "", e);
	free(rc);
	return r;
}

static int vol_get_cb(void *arg, const char *name, char *name_out, size_t name_size, char *path_out,
		      size_t path_size, struct err *e)
{
	return vol_get(arg, name, name_out, name_size, path_out, path_size, e);
}

/* dockerd records the swap a memory limit gets by default (twice the
 * memory) in HostConfig: inspect shows it and update compares with it. */
static void swap_default(cJSON *hc)
{
	const cJSON *m = cJSON_GetObjectItem(hc, "Memory"),
		    *s = cJSON_GetObjectItem(hc, "MemorySwap");

	if (!cJSON_IsNumber(m) || m->valuedouble <= 0 || (cJSON_IsNumber(s) && s->valuedouble != 0))
		return;
	cJSON_DeleteItemFromObject(hc, "MemorySwap");
	cJSON_AddNumberToObject(hc, "MemorySwap", 2 * m->valuedouble);
}

/* inspect shows the log driver in effect: the daemon's when none was asked */
static void log_config_default(struct daemon *d, cJSON *hc)
{
	cJSON *lc = cJSON_GetObjectItemCaseSensitive(hc, "LogConfig");
	const cJSON *t = lc ? cJSON_GetObjectItemCaseSensitive(lc, "Type") : NULL;

	if (cJSON_IsString(t) && *t->valuestring)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(hc, "LogConfig");
	lc = cJSON_AddObjectToObject(hc, "LogConfig");
	cJSON_AddStringToObject(lc, "Type", d->log_driver);
	cJSON_AddItemToObject(lc, "Config", cJSON_CreateObject());
}

static const char *netns_for(const cJSON *hc)
{
	const cJSON *m = hc ? cJSON_GetObjectItemCaseSensitive(hc, "NetworkMode") : NULL;

	if (cJSON_IsString(m) && !strcmp(m->valuestring, "host"))
		return "host";
	return NULL;
}

/* The root filesystem from the image's layers. */
static int prepare_rootfs(struct daemon *d, struct ctr *c, const struct oci_image_rec *rec,
			  struct err *e)
{
	int r;

	c->nchains = rec->nlayers;
	for (size_t i = 0; i < rec->nlayers; i++)
		snprintf(c->chains[i], sizeof(c->chains[i]), "%s", rec->chain[i]);
	snprintf(c->driver, sizeof(c->driver), "%s", d->snap->name);
	r = ctr_mount_rootfs(d, c, e);
	return r;
}

/* Everything on disk: rootfs, /etc files, config.json, the record. */
static int build(struct daemon *d, struct ctr *c, const cJSON *body, const cJSON *img_cfg,
		 const struct oci_image_rec *rec, struct err *e)
{
	struct oci_dspec_volume_ops vops = {vol_get_cb, d};
	char rootfs[PATH_MAX + 128], hn[PATH_MAX + 128], hosts[PATH_MAX + 128],
		resolv[PATH_MAX + 128], p[PATH_MAX + 128];
	struct oci_dspec_in in = {.id = c->id,
				  .image_config = img_cfg,
				  .body = body,
				  .init_path = d->self_exe,
				  .volumes = &vops};
	cJSON *spec = NULL;
	char *txt = NULL;
	size_t len;
	int r = -1;

	if (mkdir(c->cdir, 0700) < 0)
		return err_sys(e, errno, "create container folder %s", c->cdir);
	if (prepare_rootfs(d, c, rec, e) < 0)
		return -1;
	ctr_path(c, "rootfs", rootfs, sizeof(rootfs));
	ctr_path(c, "hostname", hn, sizeof(hn));
	ctr_path(c, "hosts", hosts, sizeof(hosts));
	ctr_path(c, "resolv.conf", resolv, sizeof(resolv));
	in.rootfs = rootfs;
	in.hostname_path = hn;
	in.hosts_path = hosts;
	in.resolv_path = resolv;
	in.netns = netns_for(c->host_config);
	if (etc_files(c, in.netns != NULL, e) < 0 || oci_dspec_build(&in, &spec, &c->mounts, e) < 0)
		return -1;
	if (json_print(spec, true, &txt, &len, e) == 0) {
		ctr_path(c, "config.json", p, sizeof(p));
		r = file_write_replace(AT_FDCWD, p, txt, len, 0600, e);
	}
	free(txt);
	cJSON_Delete(spec);
	if (r == 0)
		r = sync_files(c, e);
	if (r == 0)
		r = ctr_save(d, c, e);
	/* left mounted for the start that usually follows: an overlay
	 * unmount syncs the upper filesystem, tens of ms on a busy disk (the
	 * exit, the removal or the daemon's stop unmounts it) */
	return r;
}

/* Undo a create that failed half-way. */
static void discard(struct daemon *d, struct ctr *c)
{
	ctr_snapshotter(d, c)->remove(c->cdir, NULL);
	ctr_rm_dir(d, c, NULL);
	pthread_mutex_lock(&d->mu);
	c->removed = true;
	pthread_mutex_unlock(&d->mu);
	/* anonymous volumes the build made for it (none when it failed
	 * before they were listed) */
	ctr_remove_anon_volumes(d, c);
	pthread_mutex_lock(&d->mu);
	ctr_put(d, c);
	pthread_mutex_unlock(&d->mu);
}

/* Reserve the name: the container is in the table (creating) from here. */
static int reserve(struct daemon *d, struct ctr *c, const char *name, struct err *e)
{
	struct ctr *other = NULL;

	pthread_mutex_lock(&d->mu);
	if (name && *name) {
		const char *n = name[0] == '/' ? name + 1 : name;
		for (other = d->ctrs; other; other = other->next)
			if (!other->removed && !strcmp(other->name, n))
				break;
		if (other) {
			err_set(e,
				"Conflict. The container name \"/%s\" is already in use by "
				"container "
				"\"%s\". You have to remove (or rename) that container to be able "
				"to "
				"reuse that name.",
				other->name, other->id);
			pthread_mutex_unlock(&d->mu);
			return 409;
		}
		snprintf(c->name, sizeof(c->name), "%s", name[0] == '/' ? name + 1 : name);
	} else {
		random_name(d, c->name, sizeof(c->name));
	}
	c->refs = 1;
	c->creating = true;
	c->next = d->ctrs;
	d->ctrs = c;
	pthread_mutex_unlock(&d->mu);
	return 0;
}

static int find_image(struct daemon *d, const cJSON *body, struct ctr *c, struct err *e)
{
	const cJSON *img = cJSON_GetObjectItemCaseSensitive(body, "Image");

	if (!cJSON_IsString(img) || !*img->valuestring)
		return err_set(e, "No such image: "), 400;
	snprintf(c->image_name, sizeof(c->image_name), "%s", img->valuestring);
	if (oci_image_find(&d->store, img->valuestring, c->image_id, NULL, 0, e) < 0)
		return e->errnum == ENOENT ? 404 : 500;
	return 0;
}

int ctr_create(struct daemon *d, const char *name, const cJSON *body, struct ctr **out,
	       cJSON **warnings, struct err *e)
{
	struct ctr *c;
	struct oci_image_rec *rec = NULL;
	cJSON *img_root = NULL;
	const cJSON *img_cfg = NULL, *hc;
	int st;

	*warnings = cJSON_CreateArray();
	if (name && *name && !name_ok(name))
		return err_set(e,
			       "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
			       "allowed",
			       name),
		       400;
	if (!cJSON_IsObject(body))
		return err_set(e, "config cannot be empty in order to create a container"), 400;
	if (oci_dspec_check(body, e) < 0)
		return 400;
	c = calloc(1, sizeof(*c));
	rec = malloc(sizeof(*rec));
	if (!c || !rec) {
		free(c);
		free(rec);
		return err_sys(e, ENOMEM, "create container"), 500;
	}
	c->shim_fd = -1;
	c->daemon = d;
	if ((st = find_image(d, body, c, e)) || new_id(c->id, e) < 0) {
		free(c);
		free(rec);
		return st ? st : 500;
	}
	if (image_config(d, c->image_id, &img_root, &img_cfg, rec, e) < 0) {
		free(c);
		free(rec);
		return 500;
	}
	hc = cJSON_GetObjectItemCaseSensitive(body, "HostConfig");
	c->host_config = hc ? cJSON_Duplicate(hc, 1) : cJSON_CreateObject();
	log_config_default(d, c->host_config);
	swap_default(c->host_config);
	c->net_config =
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(body, "NetworkingConfig"), 1);
	c->created_ns = daemon_now_ns();
	c->status = CS_CREATED;
	snprintf(c->cdir, sizeof(c->cdir), "%s/%s", d->containers_dir, c->id);
	if (oci_dspec_merge_config(img_cfg, body, c->id, &c->config, e) < 0) {
		st = 400;
		goto fail_early;
	}
	if ((st = reserve(d, c, name, e)))
		goto fail_early;
	if (build(d, c, body, img_cfg, rec, e) < 0) {
		discard(d, c);
		st = 500;
		goto out;
	}
	pthread_mutex_lock(&d->mu);
	c->creating = false;
	const char *attrs[] = {"image", c->image_name, "name", c->name, NULL};
	daemon_event_labels(d, "container", "create", c->id, attrs, ctr_labels(c));
	*out = c;
	pthread_mutex_unlock(&d->mu);
	st = 0;
	goto out;
fail_early:
	cJSON_Delete(c->config);
	cJSON_Delete(c->host_config);
	cJSON_Delete(c->net_config);
	free(c);
out:
	cJSON_Delete(img_root);
	free(rec);
	return st;
}
