/* store-check.c - `system check`: everything in the store verified against
 * its name and its record, each problem reported as one line. Damage to
 * one object is a problem to report, not a reason to stop. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/store-priv.h"

struct check {
	void (*report)(const char *line, void *arg);
	void *arg;
	int problems;
	unsigned char *buf;
	struct oci_image_rec *rec;
};

__attribute__((format(printf, 2, 3))) static int problem(struct check *c, const char *fmt, ...)
{
	char line[ERR_MSG_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->problems++;
	if (c->report)
		c->report(line, c->arg);
	return 0;
}

/* What a crash leaves behind by design (the next writer discards it): said,
 * not counted as a problem. */
__attribute__((format(printf, 2, 3))) static int note(struct check *c, const char *fmt, ...)
{
	char line[ERR_MSG_MAX + 256];
	va_list ap;
	int n = snprintf(line, sizeof(line), "note: ");

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (c->report)
		c->report(line, c->arg);
	return 0;
}

static int blob_digest(struct oci_store *s, struct check *c, const char *digest,
		       char got[DIGEST_STR_MAX], struct err *e)
{
	int fd = oci_store_blob_open(s, digest, e);
	struct digest_ctx d;
	ssize_t n;

	if (fd < 0)
		return -1;
	digest_init(&d);
	while ((n = read(fd, c->buf, 65536)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return err_sys(e, errno, "read");
		}
		digest_update(&d, c->buf, (size_t)n);
	}
	close(fd);
	digest_final(&d, got);
	return 0;
}

static int check_blob(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	struct check *c = arg;
	char digest[DIGEST_STR_MAX], got[DIGEST_STR_MAX];
	struct err be = {0};

	if (!store_hex_valid(name, strlen(name)))
		return problem(c, "blobs/sha256/%s: not a blob name", name);
	snprintf(digest, sizeof(digest), "sha256:%s", name);
	if (blob_digest(s, c, digest, got, &be) < 0)
		return problem(c, "blob %s: %s", digest, be.msg);
	if (strcmp(got, digest) != 0)
		return problem(c, "blob %s: corrupt, its content has digest %s", digest, got);
	return 0;
}

static int check_blob_algo(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	return strcmp(name, "sha256") ? problem(arg, "blobs/%s: not a blob folder", name) : 0;
}

static int check_tree(struct oci_store *s, struct check *c, const struct oci_layer_info *li)
{
	char rel[DIGEST_STR_MAX + 16], tree[DIGEST_STR_MAX];
	struct err te = {0};
	int64_t size;
	int fd;

	snprintf(rel, sizeof(rel), "layers/%s/diff", digest_hex(li->chain));
	fd = openat(s->root_fd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return problem(c, "layer %s: diff/: %s", li->chain, strerror(errno));
	if (oci_store_tree_digest(fd, tree, &size, &te) < 0) {
		close(fd);
		return problem(c, "layer %s: %s", li->chain, te.msg);
	}
	close(fd);
	if (strcmp(tree, li->tree) != 0 || size != li->size)
		return problem(c,
			       "layer %s: files changed since it was unpacked (tree %s, %lld "
			       "bytes; recorded %s, %lld bytes)",
			       li->chain, tree, (long long)size, li->tree, (long long)li->size);
	return 0;
}

static int check_layer(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	struct check *c = arg;
	char chain[DIGEST_STR_MAX], want[DIGEST_STR_MAX], rel[DIGEST_STR_MAX + 32];
	struct oci_layer_info li;
	struct err le = {0};
	struct stat st;

	if (!store_hex_valid(name, strlen(name)))
		return problem(c, "layers/%s: not a layer name", name);
	snprintf(chain, sizeof(chain), "sha256:%s", name);
	snprintf(rel, sizeof(rel), "layers/%s/layer.json", name);
	if (fstatat(s->root_fd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		return problem(c, "layer %s: no layer.json (incomplete layer)", chain);
	if (oci_store_layer_info(s, chain, &li, &le) < 0)
		return problem(c, "%s", le.msg);
	oci_chain_id(li.parent, li.diff, want);
	if (strcmp(want, chain) != 0)
		return problem(c, "layer %s: not the chain id of diff %s on parent %s", chain,
			       li.diff, li.parent[0] ? li.parent : "(none)");
	return check_tree(s, c, &li);
}

static void check_image_parts(struct oci_store *s, struct check *c, const struct oci_image_rec *rec)
{
	struct oci_layer_info li;
	struct err ce = {0};

	if (store_chain_check(rec, &ce) < 0)
		problem(c, "image %s: %s", rec->id, ce.msg);
	if (!oci_store_blob_has(s, rec->id))
		problem(c, "image %s: config blob missing", rec->id);
	if (!oci_store_blob_has(s, rec->manifest))
		problem(c, "image %s: manifest blob %s missing", rec->id, rec->manifest);
	for (size_t i = 0; i < rec->nlayers; i++) {
		if (!oci_store_layer_has(s, rec->chain[i]))
			problem(c, "image %s: layer %s missing", rec->id, rec->chain[i]);
		else if (oci_store_layer_info(s, rec->chain[i], &li, NULL) == 0 &&
			 strcmp(li.diff, rec->diff[i]) != 0)
			problem(c, "image %s: layer %s has diff %s, the record says %s", rec->id,
				rec->chain[i], li.diff, rec->diff[i]);
	}
}

static int check_image(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	struct check *c = arg;
	char id[DIGEST_STR_MAX];
	struct err ie = {0};
	size_t n = strlen(name);

	if (store_is_temp("images", name))
		return note(c,
			    "images/%s: left over from an interrupted write; the next writer "
			    "discards it",
			    name);
	if (n != DIGEST_HEX_LEN + 5 || strcmp(name + DIGEST_HEX_LEN, ".json") != 0 ||
	    !store_hex_valid(name, DIGEST_HEX_LEN))
		return problem(c, "images/%s: not an image record name", name);
	snprintf(id, sizeof(id), "sha256:%.64s", name);
	if (oci_store_image_get(s, id, c->rec, &ie) < 0)
		return problem(c, "%s", ie.msg);
	check_image_parts(s, c, c->rec);
	return 0;
}

struct ref_ctx {
	struct oci_store *s;
	struct check *c;
};

static int check_ref(const char *name, const char *id, void *arg)
{
	struct ref_ctx *r = arg;
	char rel[DIGEST_STR_MAX + 16];
	struct stat st;

	snprintf(rel, sizeof(rel), "images/%s.json", digest_hex(id));
	if (fstatat(r->s->root_fd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
		problem(r->c, "reference %s: image %s missing", name, id);
	return 0;
}

static int check_leftover(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	return note(arg,
		    "tmp/%s: left over from an interrupted operation; the next writer "
		    "discards it",
		    name);
}

static int check_root_temp(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	if (store_is_temp(".", name))
		note(arg, "%s: left over from an interrupted write; the next writer discards it",
		     name);
	return 0;
}

static int check_all(struct oci_store *s, struct check *c, struct err *e)
{
	struct ref_ctx rc = {s, c};
	struct err re = {0};

	if (store_each_name(s, "blobs", check_blob_algo, c, e) < 0 ||
	    store_each_name(s, "blobs/sha256", check_blob, c, e) < 0 ||
	    store_each_name(s, "layers", check_layer, c, e) < 0 ||
	    store_each_name(s, "images", check_image, c, e) < 0 ||
	    store_each_name(s, "tmp", check_leftover, c, e) < 0 ||
	    store_each_name(s, ".", check_root_temp, c, e) < 0)
		return -1;
	if (oci_store_ref_each(s, check_ref, &rc, &re) < 0)
		problem(c, "%s", re.msg);
	return 0;
}

int oci_store_check(struct oci_store *s, void (*report)(const char *line, void *arg), void *arg,
		    struct err *e)
{
	struct check c = {report, arg, 0, malloc(65536), malloc(sizeof(struct oci_image_rec))};
	int r = -1;

	if (!c.buf || !c.rec)
		err_sys(e, ENOMEM, "store %s: check", s->root);
	else if (check_all(s, &c, e) == 0)
		r = c.problems;
	free(c.buf);
	free(c.rec);
	return r;
}
