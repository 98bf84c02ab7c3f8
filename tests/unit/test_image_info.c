/* test_image_info.c - images as docker shows and removes them
 * (oci/image-info.h) on stores made here, and the store shared by threads:
 * concurrent names are all kept, a hold keeps a pull's layers from removal. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "oci/image-info.h"
#include "tap.h"

static char base[64];
static int nroot;

static int new_store(struct oci_store *s)
{
	char root[128];
	struct err e = {0};

	snprintf(root, sizeof(root), "%s/s%d", base, nroot++);
	if (oci_store_open(s, root, OCI_STORE_EXCLUSIVE, true, &e) < 0) {
		diag("open: %s", e.msg);
		return -1;
	}
	return 0;
}

/* A one-file layer made from seed on top of parent. */
static int make_layer(struct oci_store *s, const char *parent, const char *seed, char *chain,
		      char *diff, struct err *e)
{
	struct oci_layer_tx tx;
	int fd;

	digest_buf(seed, strlen(seed), diff);
	oci_chain_id(parent, diff, chain);
	if (oci_layer_tx_begin(s, &tx, e) < 0)
		return -1;
	fd = openat(tx.diff_fd, "seed", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, seed, strlen(seed)) < 0) {
		oci_layer_tx_abort(&tx);
		return err_sys(e, errno, "layer");
	}
	close(fd);
	return oci_layer_tx_commit(&tx, chain, diff, parent, e);
}

/* An image with one layer per seed and a config holding created and a
 * label; names are tagged in refs.json; repo_digest (may be NULL) goes in
 * the record. */
static int make_image(struct oci_store *s, const char *created, const char *label,
		      const char *const *seeds, size_t n, const char *repo_digest,
		      struct oci_image_rec *rec)
{
	char text[512];
	struct err e = {0};

	memset(rec, 0, sizeof(*rec));
	for (size_t i = 0; i < n; i++) {
		if (make_layer(s, i ? rec->chain[i - 1] : NULL, seeds[i], rec->chain[i],
			       rec->diff[i], &e) < 0)
			goto fail;
		snprintf(text, sizeof(text), "blob %s", seeds[i]);
		if (oci_store_blob_put(s, text, strlen(text), NULL, rec->blob[i], &e) < 0)
			goto fail;
		rec->blob_size[i] = (int64_t)strlen(text);
		strcpy(rec->blob_media_type[i], "application/vnd.oci.image.layer.v1.tar+gzip");
	}
	rec->nlayers = n;
	snprintf(text, sizeof(text),
		 "{\"created\":\"%s\",\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":"
		 "{\"Labels\":{\"app\":\"%s\"}},\"rootfs\":{\"type\":\"layers\"},\"s\":\"%s\"}",
		 created, label, seeds[0]);
	if (oci_store_blob_put(s, text, strlen(text), NULL, rec->id, &e) < 0 ||
	    oci_store_blob_put(s, seeds[0], strlen(seeds[0]), NULL, rec->manifest, &e) < 0)
		goto fail;
	strcpy(rec->manifest_media_type, "application/vnd.oci.image.manifest.v1+json");
	if (repo_digest) {
		snprintf(rec->repo_digests[0], 512, "%s@%s", repo_digest, rec->manifest);
		rec->nrepo_digests = 1;
	}
	if (oci_store_image_put(s, rec, &e) < 0)
		goto fail;
	return 0;
fail:
	diag("make_image: %s", e.msg);
	return -1;
}

static int tag(struct oci_store *s, const char *name, const char *id)
{
	struct err e = {0};

	return oci_store_ref_set(s, name, id, &e);
}

/* report collects "Kind value" lines. */
struct lines {
	char text[4096];
	int running, users;
};

static void report(const char *kind, const char *value, const char *image, void *arg)
{
	struct lines *l = arg;

	(void)image;
	snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text), "%s %s\n", kind,
		 value);
}

static int users(const char *id, bool *running, char first[65], void *arg)
{
	struct lines *l = arg;

	(void)id;
	*running = l->running;
	strcpy(first, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	return l->users;
}

static void test_find(void)
{
	struct oci_store s;
	struct oci_image_rec rec;
	const char *seeds[] = {"find-a"};
	char id[DIGEST_STR_MAX], name[512], pre[16];
	struct err e = {0};

	if (new_store(&s) < 0 ||
	    make_image(&s, "2024-01-02T03:04:05Z", "x", seeds, 1, NULL, &rec) < 0)
		return (void)ok(0, "store");
	tag(&s, "docker.io/library/busybox:latest", rec.id);
	ok(oci_image_find(&s, "busybox", id, name, sizeof(name), &e) == 0 && !strcmp(id, rec.id),
	   "by name");
	is_str(name, "docker.io/library/busybox:latest", "the normalized name");
	snprintf(pre, sizeof(pre), "%.6s", digest_hex(rec.id));
	ok(oci_image_find(&s, pre, id, name, sizeof(name), &e) == 0 && !name[0], "by id prefix");
	ok(oci_image_find(&s, "nosuch", id, NULL, 0, &e) < 0 && e.errnum == ENOENT, "not found");
	is_str(e.msg, "No such image: nosuch:latest", "dockerd's words");
	oci_store_close(&s);
}

static cJSON *summary(struct oci_store *s, const struct oci_image_rec *rec,
		      const struct oci_image_filter *f)
{
	struct oci_image_refs refs;
	struct err e;
	cJSON *o;

	if (oci_image_refs_load(s, &refs, &e) < 0)
		return NULL;
	o = oci_image_summary(s, rec, &refs, f);
	oci_image_refs_free(&refs);
	return o;
}

static void test_summary(void)
{
	struct oci_store s;
	struct oci_image_rec a, b;
	const char *sa[] = {"sum-a"}, *sb[] = {"sum-b"};
	const char *web[] = {"*/web", NULL}, *lab[] = {"app=one", NULL}, *key[] = {"app", NULL};
	struct oci_image_filter f = {.dangling = -1};
	cJSON *o;

	if (new_store(&s) < 0 ||
	    make_image(&s, "2024-01-01T00:00:00Z", "one", sa, 1, "docker.io/me/web", &a) < 0 ||
	    make_image(&s, "2025-01-01T00:00:00Z", "two", sb, 1, NULL, &b) < 0)
		return (void)ok(0, "store");
	tag(&s, "docker.io/me/web:1", a.id);
	o = summary(&s, &a, &f);
	ok(o && !strcmp(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "RepoTags"), 0)->valuestring,
			"me/web:1"),
	   "RepoTags familiar");
	ok(o && cJSON_GetObjectItem(o, "Created")->valuedouble == 1704067200,
	   "Created from config");
	ok(o && !strncmp(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "RepoDigests"), 0)->valuestring,
			 "me/web@sha256:", 14),
	   "RepoDigests from the record");
	cJSON_Delete(o);
	o = summary(&s, &b, &f);
	ok(o && !strcmp(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "RepoTags"), 0)->valuestring,
			"<none>:<none>"),
	   "no name at all: <none>:<none>");
	cJSON_Delete(o);
	f.dangling = 0;
	ok(!(o = summary(&s, &b, &f)), "dangling=false leaves a nameless image out");
	cJSON_Delete(o);
	f.dangling = 1;
	ok(!(o = summary(&s, &a, &f)), "dangling=true leaves a tagged image out");
	cJSON_Delete(o);
	f.dangling = -1;
	f.refs = web;
	ok((o = summary(&s, &a, &f)) != NULL, "reference=*/web matches me/web");
	cJSON_Delete(o);
	ok(!(o = summary(&s, &b, &f)), "and not a nameless image");
	cJSON_Delete(o);
	f.refs = NULL;
	f.labels = lab;
	ok((o = summary(&s, &a, &f)) != NULL && !summary(&s, &b, &f), "label=app=one");
	cJSON_Delete(o);
	f.labels = key;
	ok((o = summary(&s, &b, &f)) != NULL, "label=app");
	cJSON_Delete(o);
	f.labels = NULL;
	f.before = 1735689600; /* b's created */
	ok((o = summary(&s, &a, &f)) != NULL && !summary(&s, &b, &f), "before");
	cJSON_Delete(o);
	f.before = 0;
	f.since = 1704067200;
	ok(!summary(&s, &a, &f) && (o = summary(&s, &b, &f)) != NULL, "since");
	cJSON_Delete(o);
	oci_store_close(&s);
}

static void test_delete(void)
{
	struct oci_store s;
	struct oci_image_rec a;
	const char *sa[] = {"del-a", "del-b"};
	struct lines l = {{0}, 0, 0};
	struct oci_rmi_ops o = {users, report, &l};
	struct err e = {0};
	char want[2048];

	if (new_store(&s) < 0 ||
	    make_image(&s, "2024-01-01T00:00:00Z", "x", sa, 2, "example.org/app", &a) < 0)
		return (void)ok(0, "store");
	tag(&s, "example.org/app:1", a.id);
	tag(&s, "docker.io/mine/app:v1", a.id);
	ok(oci_image_delete(&s, "mine/app:v1", false, &o, &e) == 0, "untag one name");
	is_str(l.text, "Untagged mine/app:v1\n", "just that name");
	tag(&s, "docker.io/mine/app:v1", a.id);
	l.text[0] = '\0';
	ok(oci_image_delete(&s, digest_hex(a.id), false, &o, &e) < 0 && e.errnum == EBUSY,
	   "by id with two repositories: a conflict");
	ok(strstr(e.msg, "(must be forced) - image is referenced in multiple repositories") != NULL,
	   "worded as dockerd: %s", e.msg);
	l.users = 1;
	ok(oci_image_delete(&s, "mine/app:v1", false, &o, &e) == 0,
	   "a tag of two goes even in use");
	l.text[0] = '\0';
	ok(oci_image_delete(&s, "example.org/app:1", false, &o, &e) < 0 && e.errnum == EBUSY &&
		   strstr(e.msg, "unable to remove repository reference") != NULL,
	   "the last name of an image in use: must force");
	l.running = 1;
	ok(oci_image_delete(&s, a.id, true, &o, &e) < 0 &&
		   strstr(e.msg, "(cannot be forced) - image is being used by running container "
				 "abcdef012345") != NULL,
	   "a running container: cannot be forced (%s)", e.msg);
	l.running = 0;
	l.users = 0;
	l.text[0] = '\0';
	ok(oci_image_delete(&s, "example.org/app:1", false, &o, &e) == 0, "the last tag");
	snprintf(want, sizeof(want),
		 "Untagged example.org/app:1\nUntagged example.org/app@%s\nDeleted %s\nDeleted "
		 "%s\nDeleted %s\n",
		 a.manifest, a.id, a.chain[1], a.chain[0]);
	is_str(l.text, want, "its digest too, the image, its layers top first");
	oci_store_close(&s);
}

static void test_prune(void)
{
	struct oci_store s;
	struct oci_image_rec a, b;
	const char *sa[] = {"pr-a"}, *sb[] = {"pr-b"};
	struct lines l = {{0}, 0, 0};
	struct oci_rmi_ops o = {NULL, report, &l};
	struct err e = {0};
	uint64_t freed = 0;

	if (new_store(&s) < 0 || make_image(&s, "2024-01-01T00:00:00Z", "x", sa, 1, NULL, &a) < 0 ||
	    make_image(&s, "2024-01-01T00:00:00Z", "y", sb, 1, NULL, &b) < 0)
		return (void)ok(0, "store");
	tag(&s, "docker.io/library/keep:1", a.id);
	ok(oci_image_prune(&s, false, NULL, &o, &freed, &e) == 0, "prune dangling");
	ok(strstr(l.text, b.id) && !strstr(l.text, a.id), "the untagged one only");
	ok(freed > 0, "bytes given back: %llu", (unsigned long long)freed);
	oci_store_close(&s);
}

/* ---- threads ---- */

struct worker {
	struct oci_store *s;
	const char *id;
	int n;
	int failed;
};

static void *tagger(void *arg)
{
	struct worker *w = arg;
	char name[64];

	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "docker.io/library/t%d:%d", w->n, i);
		w->failed |= tag(w->s, name, w->id) < 0;
	}
	return NULL;
}

static void test_threads(void)
{
	struct oci_store s;
	struct oci_image_rec a, b;
	struct oci_image_refs refs;
	const char *sa[] = {"th-a"}, *sb[] = {"th-b"};
	struct worker w[8];
	pthread_t t[8];
	struct err e = {0};
	uint64_t freed = 0;
	int failed = 0;

	if (new_store(&s) < 0 || make_image(&s, "2024-01-01T00:00:00Z", "x", sa, 1, NULL, &a) < 0)
		return (void)ok(0, "store");
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){&s, a.id, i, 0};
		pthread_create(&t[i], NULL, tagger, &w[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		failed |= w[i].failed;
	}
	ok(!failed && oci_image_refs_load(&s, &refs, &e) == 0 && refs.n == 160,
	   "8 threads x 20 names: every one kept (%zu)", refs.n);
	oci_image_refs_free(&refs);
	/* a pull in flight: its committed layer is nobody's yet */
	oci_store_hold(&s);
	if (make_image(&s, "2024-01-01T00:00:00Z", "y", sb, 1, NULL, &b) < 0)
		return (void)ok(0, "image b");
	ok(oci_store_image_remove(&s, b.id, &freed, &e) == 0 && oci_store_layer_has(&s, b.chain[0]),
	   "held: removal keeps the layers");
	ok(oci_store_gc(&s, &freed, &e) == 0 && oci_store_layer_has(&s, b.chain[0]) && freed == 0,
	   "held: collection frees nothing");
	oci_store_release(&s);
	ok(oci_store_gc(&s, &freed, &e) == 0 && !oci_store_layer_has(&s, b.chain[0]) && freed > 0,
	   "released: the next sweep frees them");
	oci_store_close(&s);
}

int main(void)
{
	char cmd[128];

	snprintf(base, sizeof(base), "/tmp/tug-test-image-info-XXXXXX");
	if (!mkdtemp(base))
		return 1;
	test_find();
	test_summary();
	test_delete();
	test_prune();
	test_threads();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		diag("cleanup failed");
	return done_testing();
}
