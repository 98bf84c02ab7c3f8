/* image-archive-load.c - the streaming pass of a load: the archive read once,
 * each member that can be a layer unpacked into its own layer transaction
 * as it goes past (the order of members is not known: manifest.json often
 * comes last), small JSON documents kept in memory for archive-images.c. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/image-archive-priv.h"

#define JSON_MAX (16 << 20) /* one document */
#define JSON_TOTAL_MAX (64 << 20) /* all documents kept */
#define MEMBERS_MAX 16384
#define LAYERS_MAX 256 /* open transactions: two fds each */
#define LINK_HOPS 8

int arc_path(const char *dir, const char *path, char *out, size_t size)
{
	size_t len = 0;
	const char *parts[2] = {dir, path};

	if (path[0] == '/')
		return -1;
	out[0] = '\0';
	for (int k = 0; k < 2; k++)
		for (const char *p = parts[k]; *p;) {
			size_t n = strcspn(p, "/");

			if (n == 2 && !strncmp(p, "..", 2)) {
				if (!len)
					return -1;
				while (len && out[len - 1] != '/')
					len--;
				len -= len ? 1 : 0;
			} else if (n && !(n == 1 && *p == '.')) {
				if (len + n + 2 > size)
					return -1;
				if (len)
					out[len++] = '/';
				memcpy(out + len, p, n);
				len += n;
			}
			out[len] = '\0';
			p += n + (p[n] == '/');
		}
	return len ? 0 : -1;
}

static struct arc_member *find_exact(struct arc_load *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->m[i].name, name))
			return &l->m[i];
	return NULL;
}

struct arc_member *arc_find(struct arc_load *l, const char *name)
{
	char norm[4096];
	struct arc_member *m;

	if (arc_path("", name, norm, sizeof(norm)) < 0)
		return NULL;
	m = find_exact(l, norm);
	for (int hop = 0; m && m->kind == ARC_LINK && hop < LINK_HOPS; hop++)
		m = m->target ? find_exact(l, m->target) : NULL;
	return m && m->kind != ARC_LINK ? m : NULL;
}

/* The input: plain, gzip or zstd (docker load takes a compressed tar). */
struct input {
	int fd;
	struct stream_reader src; /* what the bytes come from */
	struct oci_decomp *dc;
	struct stream_reader r;
	struct err err;
	bool failed;
	unsigned char buf[65536];
};

static ssize_t fd_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct input *in = ctx;
	ssize_t got;

	do
		got = read(in->fd, buf, n);
	while (got < 0 && errno == EINTR);
	return got < 0 ? err_sys(e, errno, "read the archive") : got;
}

static la_ssize_t in_read(struct archive *a, void *ctx, const void **buf)
{
	struct input *in = ctx;
	ssize_t n = stream_read(&in->r, in->buf, sizeof(in->buf), &in->err);

	*buf = in->buf;
	if (n < 0) {
		in->failed = true;
		archive_set_error(a, EIO, "%s", in->err.msg);
		return ARCHIVE_FATAL;
	}
	return n;
}

/* A member's bytes: what was read ahead to sniff it, then the rest. */
struct member_reader {
	struct archive *a;
	const char *pre;
	size_t pre_len, pre_off;
	bool failed; /* the archive itself failed, not what reads the member */
	struct err err;
};

static ssize_t member_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct member_reader *mr = ctx;
	la_ssize_t got;

	if (mr->pre_off < mr->pre_len) {
		size_t k = mr->pre_len - mr->pre_off < n ? mr->pre_len - mr->pre_off : n;

		memcpy(buf, mr->pre + mr->pre_off, k);
		mr->pre_off += k;
		return (ssize_t)k;
	}
	got = archive_read_data(mr->a, buf, n);
	if (got < 0) {
		mr->failed = true;
		err_set(&mr->err, "read the archive: %s",
			archive_error_string(mr->a) ? archive_error_string(mr->a) : "tar error");
		if (e)
			*e = mr->err;
		return -1;
	}
	return got;
}

/* Absolute names and ".." anywhere are refused, whatever they resolve to. */
static bool hostile(const char *name)
{
	if (name[0] == '/')
		return true;
	for (const char *p = name; *p; p += strcspn(p, "/"), p += *p == '/') {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
	}
	return false;
}

static struct arc_member *add_member(struct arc_load *l, const char *name, struct err *e)
{
	struct arc_member *m;

	if (find_exact(l, name))
		return err_set(e, "archive member \"%.200s\" appears twice", name), NULL;
	if (l->n == MEMBERS_MAX)
		return err_set(e, "more than %d members in the archive", MEMBERS_MAX), NULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct arc_member *nm = realloc(l->m, cap * sizeof(*nm));

		if (!nm)
			return err_sys(e, ENOMEM, "load"), NULL;
		l->m = nm;
		l->cap = cap;
	}
	m = &l->m[l->n];
	memset(m, 0, sizeof(*m));
	if (!(m->name = strdup(name)))
		return err_sys(e, ENOMEM, "load"), NULL;
	l->n++;
	return m;
}

/* A symlink resolves against its folder, a hardlink against the top. */
static int add_link(struct arc_load *l, const char *name, struct archive_entry *ent, struct err *e)
{
	const char *hard = archive_entry_hardlink(ent), *sym = archive_entry_symlink(ent);
	char dir[4096], target[4096];
	struct arc_member *m = add_member(l, name, e);
	const char *slash = strrchr(name, '/');

	if (!m)
		return -1;
	m->kind = ARC_LINK;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - name) : 0, name);
	if ((hard && !hostile(hard) && arc_path("", hard, target, sizeof(target)) == 0) ||
	    (!hard && sym && arc_path(dir, sym, target, sizeof(target)) == 0))
		if (!(m->target = strdup(target)))
			return err_sys(e, ENOMEM, "load");
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Blobs named by their digest must have it (the OCI layout's promise). */
static int check_blob_name(const struct arc_member *m, struct err *e)
{
	const char *hex = m->name + 13;

	if (strncmp(m->name, "blobs/sha256/", 13) || strlen(hex) != DIGEST_HEX_LEN ||
	    !strcmp(digest_hex(m->raw), hex))
		return 0;
	return err_set(e, "archive member %s: its content has digest %s", m->name, m->raw);
}

/* The whole member in memory (it starts like JSON and is small). */
static int keep_json(struct arc_load *l, struct arc_member *m, struct member_reader *mr,
		     int64_t size, struct err *e)
{
	size_t cap = (size_t)size + 1;
	ssize_t n = 1;

	if (size > JSON_MAX || l->json_bytes + (size_t)size > JSON_TOTAL_MAX) {
		m->kind = ARC_BAD;
		m->why = strdup("a JSON document over 16 MiB (or 64 MiB in all) is not read");
		return m->why ? 0 : err_sys(e, ENOMEM, "load");
	}
	if (!(m->buf = malloc(cap)))
		return err_sys(e, ENOMEM, "load");
	while (m->len < cap - 1 && (n = member_read(mr, m->buf + m->len, cap - 1 - m->len, e)) > 0)
		m->len += (size_t)n;
	if (n < 0)
		return -1;
	m->buf[m->len] = '\0';
	m->kind = ARC_JSON;
	m->raw_size = (int64_t)m->len;
	l->json_bytes += m->len;
	digest_buf(m->buf, m->len, m->raw);
	return check_blob_name(m, e);
}

/* Passes the member's bytes on and into its blob writer (keep_layer_blobs). */
struct tee {
	struct stream_reader src;
	struct oci_blob_writer *w; /* NULL: no copy kept */
	bool failed;
	struct err err;
};

static ssize_t tee_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct tee *t = ctx;
	ssize_t got = stream_read(&t->src, buf, n, e);

	if (got > 0 && t->w && oci_blob_writer_write(t->w, buf, (size_t)got, &t->err) < 0) {
		t->failed = true;
		if (e)
			*e = t->err;
		return -1;
	}
	return got;
}

static int drain(struct stream_reader *r, struct err *e)
{
	char buf[4096];
	ssize_t n;

	while ((n = stream_read(r, buf, sizeof(buf), e)) > 0)
		;
	return n < 0 ? -1 : 0;
}

/* raw digest -> tee -> decompress -> diff digest -> tar -> tx's diff/. */
static int unpack_into(struct arc_member *m, struct member_reader *mr, struct tee *t, struct err *e)
{
	struct digest_reader raw, diff;
	struct oci_decomp *dc = NULL;
	struct stream_reader tar;
	struct oci_unpack_opts uo = {
		.whiteouts = OCI_WHITEOUT_OVERLAY, .same_owner = geteuid() == 0, .what = m->name};
	int r = -1;

	digest_reader_init(&raw, (struct stream_reader){member_read, mr});
	t->src = digest_reader_stream(&raw);
	if (oci_decomp_open(&dc, (struct stream_reader){tee_read, t}, OCI_COMP_AUTO, e) < 0)
		goto out;
	digest_reader_init(&diff, oci_decomp_stream(dc));
	tar = digest_reader_stream(&diff);
	if (oci_unpack_tar(tar, m->tx.diff_fd, &uo, NULL, e) < 0 || drain(&tar, e) < 0)
		goto out;
	{
		struct stream_reader rest = {tee_read, t};

		if (drain(&rest, e) < 0)
			goto out;
	}
	digest_final(&raw.d, m->raw);
	digest_final(&diff.d, m->diff);
	m->raw_size = (int64_t)raw.d.size;
	m->diff_size = (int64_t)diff.d.size;
	m->comp = oci_decomp_kind(dc);
	r = 0;
out:
	oci_decomp_free(dc);
	return r;
}

/* Not a layer after all (VERSION files, a tar with hostile entries): only
 * an error if an image needs it. The archive failing is fatal. */
static int not_a_layer(struct arc_member *m, const struct member_reader *mr, const struct tee *t,
		       struct err *e)
{
	if (m->tx_open)
		oci_layer_tx_abort(&m->tx);
	if (m->w_open)
		oci_blob_writer_abort(&m->w);
	m->tx_open = m->w_open = false;
	if (mr->failed || t->failed) {
		*e = mr->failed ? mr->err : t->err;
		return -1;
	}
	m->kind = ARC_BAD;
	m->why = strdup(e->msg);
	if (!m->why)
		return err_sys(e, ENOMEM, "load");
	err_clear(e);
	return 0;
}

static int take_layer(struct arc_load *l, struct arc_member *m, struct member_reader *mr,
		      struct err *e)
{
	struct tee t = {.w = NULL};
	struct oci_archive_event ev = {.kind = OCI_ARCHIVE_LAYER, .id = m->name};

	if (l->nlayers == LAYERS_MAX)
		return err_set(e, "more than %d layer files in the archive", LAYERS_MAX);
	if (oci_layer_tx_begin(l->s, &m->tx, e) < 0)
		return -1;
	m->tx_open = true;
	if (l->s->keep_layer_blobs) {
		if (oci_blob_writer_open(l->s, &m->w, e) < 0)
			return not_a_layer(m, mr, &t, e), -1;
		m->w_open = true;
		t.w = &m->w;
	}
	if (unpack_into(m, mr, &t, e) < 0)
		return not_a_layer(m, mr, &t, e);
	m->kind = ARC_LAYER;
	l->nlayers++;
	ev.bytes = m->diff_size;
	arc_event(l, &ev);
	return check_blob_name(m, e);
}

/* Read ahead to the first byte that is not white space (or 4 KiB). */
static int sniff(struct member_reader *mr, char *pre, size_t size, struct err *e)
{
	size_t skip = 0;
	la_ssize_t n;

	mr->pre = pre;
	while (mr->pre_len < size) {
		n = archive_read_data(mr->a, pre + mr->pre_len, size - mr->pre_len);
		if (n < 0)
			return err_set(e, "read the archive: %s",
				       archive_error_string(mr->a) ? archive_error_string(mr->a)
								   : "tar error");
		if (n == 0)
			break;
		mr->pre_len += (size_t)n;
		while (skip < mr->pre_len && is_space(pre[skip]))
			skip++;
		if (skip < mr->pre_len)
			break;
	}
	return (int)skip;
}

static int take_member(struct arc_load *l, struct archive *a, struct archive_entry *ent,
		       struct err *e)
{
	const char *raw_name = archive_entry_pathname(ent);
	char name[4096], pre[4096];
	struct member_reader mr = {.a = a};
	struct arc_member *m;
	int skip;

	if (!raw_name || hostile(raw_name))
		return err_set(e, "archive member \"%.200s\": absolute or \"..\" names are refused",
			       raw_name ? raw_name : "");
	if (arc_path("", raw_name, name, sizeof(name)) < 0)
		return 0; /* "./" itself */
	if (archive_entry_hardlink(ent) || archive_entry_filetype(ent) == AE_IFLNK)
		return add_link(l, name, ent, e);
	if (archive_entry_filetype(ent) != AE_IFREG)
		return 0; /* folders; nothing else is part of an image */
	if (!(m = add_member(l, name, e)))
		return -1;
	if ((skip = sniff(&mr, pre, sizeof(pre), e)) < 0)
		return -1;
	if ((size_t)skip < mr.pre_len && (pre[skip] == '{' || pre[skip] == '['))
		return keep_json(l, m, &mr, archive_entry_size(ent), e);
	if (mr.pre_len == 0) {
		m->kind = ARC_BAD;
		m->why = strdup("empty file");
		return m->why ? 0 : err_sys(e, ENOMEM, "load");
	}
	return take_layer(l, m, &mr, e);
}

static int read_members(struct arc_load *l, struct archive *a, struct input *in, struct err *e)
{
	struct archive_entry *ent;
	int r;

	for (;;) {
		r = archive_read_next_header(a, &ent);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN) {
			if (in->failed)
				return err_set(e, "%s", in->err.msg);
			return err_set(
				e, "%s%.200s%s: %s", l->n ? "read the archive after \"" : "",
				l->n ? l->m[l->n - 1].name : "not a tar archive", l->n ? "\"" : "",
				archive_error_string(a) ? archive_error_string(a) : "tar error");
		}
		if (take_member(l, a, ent, e) < 0)
			return -1;
	}
}

static void free_members(struct arc_load *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct arc_member *m = &l->m[i];

		if (m->tx_open)
			oci_layer_tx_abort(&m->tx);
		if (m->w_open)
			oci_blob_writer_abort(&m->w);
		free(m->name);
		free(m->buf);
		free(m->target);
		free(m->why);
	}
	free(l->m);
}

int oci_archive_load(struct oci_store *s, int fd, const struct oci_load_opts *o, struct err *e)
{
	struct input src = {.fd = fd};

	return oci_archive_load_stream(s, &(struct stream_reader){fd_read, &src}, o, e);
}

int oci_archive_load_stream(struct oci_store *s, const struct stream_reader *src,
			    const struct oci_load_opts *o, struct err *e)
{
	struct arc_load l = {.s = s, .o = o};
	struct input *in = calloc(1, sizeof(*in));
	struct archive *a = NULL;
	int r = -1;

	if (!in)
		return err_sys(e, ENOMEM, "load");
	in->fd = -1;
	in->src = *src;
	oci_store_hold(s); /* layers committed before their image is */
	if (oci_decomp_open(&in->dc, in->src, OCI_COMP_AUTO, e) < 0)
		goto out;
	in->r = oci_decomp_stream(in->dc);
	if (!(a = archive_read_new())) {
		err_sys(e, ENOMEM, "load");
		goto out;
	}
	if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_support_filter_none(a) != ARCHIVE_OK ||
	    archive_read_open(a, in, NULL, in_read, NULL) != ARCHIVE_OK) {
		err_set(e, "%s",
			in->failed
				? in->err.msg
				: "not a tar archive (docker save, skopeo docker-archive or an OCI "
				  "image layout)");
		goto out;
	}
	if (read_members(&l, a, in, e) < 0)
		goto out;
	oci_store_lock(s); /* names looked up, then moved: one step */
	r = arc_images(&l, e);
	oci_store_unlock(s);
out:
	free_members(&l);
	if (a)
		archive_read_free(a);
	oci_decomp_free(in->dc);
	free(in);
	oci_store_release(s);
	return r;
}
