/* test_archive.c - image archives: paths inside them, docker-archives and
 * OCI layouts made byte by byte and loaded (member order, links, gzip
 * layers, platforms), hostile and broken ones refused with nothing stored,
 * and save -> load round trips. No root needed: no whiteouts, no owners. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/image-archive-priv.h"
#include "oci/image-archive.h"
#include "oci/store.h"
#include "registry/platform.h"
#include "registry/ref.h"
#include "tap.h"
#include "layer.h"

static char base[64];
static int nfile;

/* The layer every image here has, and a second one on top. */
static struct buf layer1, layer2;
static char diff1[DIGEST_STR_MAX], diff2[DIGEST_STR_MAX];

static void make_layers(void)
{
	t_dir(&layer1, "etc/");
	t_file(&layer1, "etc/hello.txt", "hello from layer 1\n");
	t_sym(&layer1, "etc/link", "hello.txt");
	tar_end(&layer1);
	t_file(&layer2, "top.txt", "on top\n");
	tar_end(&layer2);
	digest_buf(layer1.p, layer1.len, diff1);
	digest_buf(layer2.p, layer2.len, diff2);
}

/* An image config listing diff ids; its digest (the image id) in id. */
static char *config(const char *d1, const char *d2, char id[DIGEST_STR_MAX])
{
	char *c = malloc(1024);

	snprintf(c, 1024,
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"%s%s%s]}}",
		 d1, d2 ? ",\"" : "", d2 ? d2 : "", d2 ? "\"" : "");
	digest_buf(c, strlen(c), id);
	return c;
}

static void add_mem(struct buf *t, const char *name, const void *p, size_t n)
{
	tar_add(t, &(struct tent){.name = name, .type = '0', .data = p, .size = n});
}

/* A docker-archive as skopeo and old dockers write it: layer files in
 * folders (one a symlink, one gzip), VERSION files, manifest.json last. */
static void docker_archive(struct buf *t, const char *tags, const char *bad_diff, char *id)
{
	char *c = config(diff1, bad_diff ? bad_diff : diff2, id), name[128], mj[1024];
	struct buf gz = {0};

	gzip_member(&gz, layer2.p, layer2.len);
	t_dir(t, "aaa/");
	add_mem(t, "aaa/layer.tar", layer1.p, layer1.len);
	t_file(t, "aaa/VERSION", "1.0");
	t_file(t, "aaa/json", "{\"id\":\"aaa\"}");
	add_mem(t, "bbb.tar.gz", gz.p, gz.len);
	t_dir(t, "ccc/");
	t_sym(t, "ccc/layer.tar", "../bbb.tar.gz");
	snprintf(name, sizeof(name), "%s.json", digest_hex(id));
	t_file(t, name, c);
	snprintf(mj, sizeof(mj),
		 "[{\"Config\":\"%s\",\"RepoTags\":%s,\"Layers\":[\"./aaa/layer.tar\","
		 "\"ccc/layer.tar\"]}]",
		 name, tags);
	t_file(t, "manifest.json", mj);
	t_file(t, "repositories", "{}");
	tar_end(t);
	buf_free(&gz);
	free(c);
}

static const char *new_path(char *buf, size_t size, const char *what)
{
	snprintf(buf, size, "%s/%s%d", base, what, nfile++);
	return buf;
}

static int open_buf(const struct buf *b)
{
	char path[128];
	int fd = open(new_path(path, sizeof(path), "f"), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0600);

	if (fd < 0 || write(fd, b->p, b->len) != (ssize_t)b->len)
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

struct seen {
	int loaded, layers;
	char name[REG_REF_STR_MAX];
};

static void on_event(const struct oci_archive_event *ev, void *arg)
{
	struct seen *s = arg;

	s->layers += ev->kind == OCI_ARCHIVE_LAYER;
	if (ev->kind == OCI_ARCHIVE_LOADED) {
		s->loaded++;
		snprintf(s->name, sizeof(s->name), "%s", ev->name ? ev->name : "(none)");
	}
}

/* Load b into a fresh store (or into s when it is open). */
static int load(struct oci_store *s, const struct buf *b, struct seen *sn, struct err *e)
{
	struct oci_load_opts o = {.progress = {on_event, sn}};
	int fd = open_buf(b), r;

	memset(sn, 0, sizeof(*sn));
	r = oci_archive_load(s, fd, &o, e);
	close(fd);
	return r;
}

static int store_new(struct oci_store *s, bool keep)
{
	char root[128];
	struct err e;

	if (oci_store_open(s, new_path(root, sizeof(root), "s"), OCI_STORE_EXCLUSIVE, false, &e) <
	    0) {
		diag("%s", e.msg);
		abort();
	}
	s->keep_layer_blobs = keep;
	return 0;
}

static int nimages_cb(const struct oci_image_rec *rec, void *arg)
{
	(void)rec;
	return ++*(int *)arg, 0;
}

static int nref_cb(const char *name, const char *id, void *arg)
{
	(void)name, (void)id;
	return ++*(int *)arg, 0;
}

/* No image, no name, tmp/ empty, the check finds nothing. */
static void nothing_stored(struct oci_store *s, const char *what)
{
	struct err e;
	int n = 0, r = 0;
	char cmd[4200];

	oci_store_image_each(s, nimages_cb, &n, &e);
	oci_store_ref_each(s, nref_cb, &r, &e);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s/tmp')\"", s->root);
	ok(n == 0 && r == 0 && system(cmd) == 0 && oci_store_check(s, NULL, NULL, &e) == 0,
	   "%s: nothing stored, tmp/ empty, check passes", what);
}

static void test_paths(void)
{
	static const struct {
		const char *dir, *path, *want;
	} v[] = {
		{"", "./a//b/", "a/b"},    {"", "manifest.json", "manifest.json"},
		{"x/y", "../z", "x/z"},    {"x", "./../b.tar", "b.tar"},
		{"", "../a", NULL},        {"a", "../../b", NULL},
		{"", "/etc/passwd", NULL}, {"", "./", NULL},
	};
	char out[256];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int r = arc_path(v[i].dir, v[i].path, out, sizeof(out));

		if (v[i].want)
			is_str(r == 0 ? out : "(refused)", v[i].want, "path %s + %s", v[i].dir,
			       v[i].path);
		else
			is_int(r, -1, "path %s + %s leaves the archive", v[i].dir, v[i].path);
	}
}

static void test_docker_archive(void)
{
	struct oci_store s;
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	struct buf t = {0};
	struct seen sn;
	struct err e = {0};
	char id[DIGEST_STR_MAX], got[DIGEST_STR_MAX], path[4200];

	docker_archive(&t, "[\"app:1\",\"example.com/x/y:2\"]", NULL, id);
	store_new(&s, false);
	ok(load(&s, &t, &sn, &e) == 0, "docker-archive loads (%s)", e.msg);
	is_int(sn.loaded, 2, "two names loaded");
	is_int(sn.layers, 2, "two layer files unpacked (VERSION and json are not layers)");
	ok(oci_store_ref_get(&s, "docker.io/library/app:1", got, &e) == 0 && !strcmp(got, id),
	   "app:1 names the image");
	ok(oci_store_ref_get(&s, "example.com/x/y:2", got, &e) == 0 && !strcmp(got, id),
	   "example.com/x/y:2 names the image");
	ok(oci_store_image_get(&s, id, rec, &e) == 0 && rec->nlayers == 2,
	   "the record has 2 layers");
	is_str(rec->diff[1], diff2, "layer 2 through the symlink, gzip undone");
	is_str(rec->blob_media_type[1], "application/vnd.docker.image.rootfs.diff.tar.gzip",
	       "the manifest made for it says gzip");
	snprintf(path, sizeof(path), "%s/layers/%s/diff/etc/hello.txt", s.root,
		 digest_hex(rec->chain[0]));
	ok(access(path, F_OK) == 0, "layer 1's file is unpacked");
	is_int(oci_store_check(&s, NULL, NULL, &e), 0, "check passes");
	ok(load(&s, &t, &sn, &e) == 0 && sn.loaded == 2, "loading it again is fine");
	oci_store_close(&s);
	buf_free(&t);

	docker_archive(&t, "null", NULL, id);
	store_new(&s, false);
	ok(load(&s, &t, &sn, &e) == 0 && sn.loaded == 1 && !strcmp(sn.name, "(none)"),
	   "RepoTags null: loaded by id only");
	oci_store_close(&s);
	buf_free(&t);
	free(rec);
}

static void refused(struct buf *t, const char *what, const char *want_msg)
{
	struct oci_store s;
	struct seen sn;
	struct err e = {0};

	store_new(&s, true);
	ok(load(&s, t, &sn, &e) < 0 && strstr(e.msg, want_msg), "%s: refused (%s)", what, e.msg);
	nothing_stored(&s, what);
	oci_store_close(&s);
	buf_free(t);
}

static void test_hostile(void)
{
	struct buf t = {0}, a = {0};
	char id[DIGEST_STR_MAX], zero[DIGEST_STR_MAX];

	snprintf(zero, sizeof(zero), "sha256:%064d", 0);
	docker_archive(&t, "[\"bad:1\"]", zero, id);
	refused(&t, "a layer that is not the config's diff id", "layer bbb.tar.gz: its content");

	t_file(&t, "../evil.txt", "x");
	docker_archive(&t, "[\"bad:1\"]", NULL, id);
	refused(&t, "a member named ../evil.txt", "\"../evil.txt\"");

	t_file(&t, "/tmp/evil.txt", "x");
	docker_archive(&t, "[\"bad:1\"]", NULL, id);
	refused(&t, "an absolute member name", "absolute");

	t_file(&t, "manifest.json", "[]");
	docker_archive(&t, "[\"bad:1\"]", NULL, id);
	refused(&t, "manifest.json twice", "appears twice");

	docker_archive(&a, "[\"bad:1\"]", NULL, id);
	buf_add(&t, a.p, a.len / 2 + 100);
	refused(&t, "a truncated archive", "Truncated");
	buf_free(&a);

	/* a layer whose tar climbs out: the config agrees, the unpacker does not */
	{
		struct buf evil = {0}, mj = {0};
		char *c, name[128], d[DIGEST_STR_MAX], m[512];

		t_file(&evil, "a/../../escape.txt", "x");
		tar_end(&evil);
		digest_buf(evil.p, evil.len, d);
		c = config(d, NULL, id);
		add_mem(&t, "l.tar", evil.p, evil.len);
		snprintf(name, sizeof(name), "%s.json", digest_hex(id));
		t_file(&t, name, c);
		snprintf(m, sizeof(m),
			 "[{\"Config\":\"%s\",\"RepoTags\":[\"e:1\"],\"Layers\":[\"l.tar\"]}]",
			 name);
		t_file(&t, "manifest.json", m);
		tar_end(&t);
		refused(&t, "a layer with an escaping entry", "layer l.tar: unpack l.tar: entry");
		free(c);
		buf_free(&evil);
		buf_free(&mj);
	}

	t_file(&t, "README", "not an image");
	tar_end(&t);
	refused(&t, "no manifest.json, no index.json", "not an image archive");

	buf_add(&t, "just some bytes that are no tar at all", 38);
	refused(&t, "not a tar", "tar");
}

static void blob_member(struct buf *t, const void *p, size_t n, char d[DIGEST_STR_MAX])
{
	char name[128];

	digest_buf(p, n, d);
	snprintf(name, sizeof(name), "blobs/sha256/%s", digest_hex(d));
	add_mem(t, name, p, n);
}

/* An OCI layout: index.json (first) -> an index of two platforms -> the
 * host's manifest -> config, a gzip layer and a plain one. */
static void oci_layout(struct buf *t, char *id)
{
	struct reg_platform host;
	struct buf gz = {0};
	char *c = config(diff1, diff2, id), l1[DIGEST_STR_MAX], l2[DIGEST_STR_MAX];
	char m[1024], mi[1024], top[1024], md[DIGEST_STR_MAX], mid[DIGEST_STR_MAX],
		cd[DIGEST_STR_MAX];
	struct buf blobs = {0};

	reg_platform_host(&host);
	gzip_member(&gz, layer1.p, layer1.len);
	blob_member(&blobs, c, strlen(c), cd);
	blob_member(&blobs, gz.p, gz.len, l1);
	blob_member(&blobs, layer2.p, layer2.len, l2);
	snprintf(
		m, sizeof(m),
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		"\"digest\":\"%s\",\"size\":%zu},\"layers\":["
		"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\","
		"\"size\":%zu},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
		"\"digest\":\"%s\",\"size\":%zu}]}",
		cd, strlen(c), l1, gz.len, l2, layer2.len);
	blob_member(&blobs, m, strlen(m), md);
	snprintf(mi, sizeof(mi),
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
		 "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"digest\":\"sha256:%064d\",\"size\":9,\"platform\":{\"os\":\"windows\","
		 "\"architecture\":\"amd64\"}},"
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\","
		 "\"size\":%zu,\"platform\":{\"os\":\"%s\",\"architecture\":\"%s\",\"variant\":\"%"
		 "s\"}}]}",
		 1, md, strlen(m), host.os, host.arch, host.variant);
	blob_member(&blobs, mi, strlen(mi), mid);
	snprintf(top, sizeof(top),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
		 "\"application/vnd.oci.image.index.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/oci:1\","
		 "\"org.opencontainers.image.ref.name\":\"1\"}}]}",
		 mid, strlen(mi));
	t_dir(t, "./");
	t_file(t, "./index.json", top);
	t_file(t, "./oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	t_dir(t, "./blobs/");
	t_dir(t, "./blobs/sha256/");
	buf_add(t, blobs.p, blobs.len);
	tar_end(t);
	buf_free(&blobs);
	buf_free(&gz);
	free(c);
}

static void test_oci_layout(void)
{
	struct oci_store s;
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	struct buf t = {0};
	struct seen sn;
	struct err e = {0};
	char id[DIGEST_STR_MAX], got[DIGEST_STR_MAX];

	oci_layout(&t, id);
	store_new(&s, false);
	ok(load(&s, &t, &sn, &e) == 0, "OCI layout with a nested index loads (%s)", e.msg);
	is_str(sn.name, "docker.io/library/oci:1", "named by io.containerd.image.name");
	ok(oci_store_ref_get(&s, "docker.io/library/oci:1", got, &e) == 0 && !strcmp(got, id),
	   "the name points at the config's digest");
	ok(oci_store_image_get(&s, id, rec, &e) == 0 &&
		   !strcmp(rec->manifest_media_type, "application/vnd.oci.image.manifest.v1+json"),
	   "the archive's own manifest is recorded");
	is_str(rec->diff[0], diff1, "the gzip layer's diff id");
	is_int(oci_store_check(&s, NULL, NULL, &e), 0, "check passes");
	oci_store_close(&s);
	buf_free(&t);
	free(rec);
}

static int save_to(struct oci_store *s, const char *id, const char *name, struct buf *out,
		   struct err *e)
{
	const char *names[] = {name};
	struct oci_save_item it = {id, names, name ? 1 : 0};
	char path[128];
	int fd = open(new_path(path, sizeof(path), "o"), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0600),
	    r;
	off_t len;

	r = oci_archive_save(s, &it, 1, fd, NULL, e);
	len = lseek(fd, 0, SEEK_END);
	out->len = 0;
	buf_add(out, NULL, (size_t)len);
	if (pread(fd, out->p, (size_t)len, 0) != len)
		abort();
	close(fd);
	return r;
}

static void test_round_trip(void)
{
	struct oci_store a, b;
	struct buf t = {0}, sa = {0}, sb = {0};
	struct seen sn;
	struct err e = {0};
	char id[DIGEST_STR_MAX], got[DIGEST_STR_MAX];

	docker_archive(&t, "[\"app:1\"]", NULL, id);
	store_new(&a, true);
	ok(load(&a, &t, &sn, &e) == 0, "load keeping the layer files as blobs");
	ok(save_to(&a, id, "docker.io/library/app:1", &sa, &e) == 0, "save (%s)", e.msg);
	store_new(&b, true);
	ok(load(&b, &sa, &sn, &e) == 0, "what was saved loads (%s)", e.msg);
	is_str(sn.name, "docker.io/library/app:1", "under its name");
	ok(oci_store_ref_get(&b, "docker.io/library/app:1", got, &e) == 0 && !strcmp(got, id),
	   "with the same image id");
	ok(save_to(&b, id, "docker.io/library/app:1", &sb, &e) == 0 && sa.len == sb.len &&
		   !memcmp(sa.p, sb.p, sa.len),
	   "saved again, the same bytes (%zu)", sa.len);
	is_int(oci_store_check(&b, NULL, NULL, &e), 0, "check passes");
	ok(save_to(&a, id, NULL, &sb, &e) == 0, "saved by id, without a name");
	oci_store_close(&b);
	store_new(&b, false);
	ok(load(&b, &sb, &sn, &e) == 0 && !strcmp(sn.name, "(none)"), "loads by id only");
	ok(save_to(&b, id, NULL, &sb, &e) < 0 && strstr(e.msg, "--keep-layer-blobs"),
	   "no kept blobs: save says how to fix it (%s)", e.msg);
	oci_store_close(&a);
	oci_store_close(&b);
	buf_free(&t);
	buf_free(&sa);
	buf_free(&sb);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	char cmd[128];

	/* the archives these tests make carry gzip layers */
	if (!CFG_GZIP) {
		printf("1..0 # SKIP gzip layers are compiled out (CONFIG_GZIP)\n");
		return 0;
	}
	snprintf(base, sizeof(base), "%s/tug-archive-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(base))
		return perror("mkdtemp"), 1;
	make_layers();
	test_paths();
	test_docker_archive();
	test_hostile();
	test_oci_layout();
	test_round_trip();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		diag("could not remove %s", base);
	buf_free(&layer1);
	buf_free(&layer2);
	return done_testing();
}
