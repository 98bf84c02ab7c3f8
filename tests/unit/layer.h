/* layer.h - test layers made by hand: ustar/pax headers written byte by
 * byte (so hostile names go through untouched), gzip via zlib's deflate,
 * zstd as raw-block frames, and readers over memory or generated streams. */
#ifndef TUG_TEST_LAYER_H
#define TUG_TEST_LAYER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "stream.h"

struct buf {
	unsigned char *p;
	size_t len, cap;
};

__attribute__((unused)) static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 1024;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	if (p)
		memcpy(b->p + b->len, p, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
}

__attribute__((unused)) static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* One tar entry. type is the ustar typeflag ('0', '1', '2', '3', '4', '5',
 * '6'); names and links of 100 bytes or more go in a pax header, as do the
 * xattr (SCHILY.xattr.<key>) and any extra raw pax record. */
struct tent {
	const char *name;
	char type;
	unsigned mode;
	const void *data;
	size_t size;
	const char *link;
	unsigned maj, min;
	long long mtime;
	unsigned uid, gid;
	const char *xkey, *xval;
	size_t xlen; /* of xval, when it holds NUL bytes */
	const char *pax; /* "key=value" */
	size_t hdr_size; /* when not 0: the size field, for truncation tests */
};

static void octal(unsigned char *f, size_t w, unsigned long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)(w - 1), v);
	memcpy(f, tmp, w - 1);
	f[w - 1] = '\0';
}

static void pax_record(struct buf *b, const char *key, const char *val, size_t vlen)
{
	size_t len = strlen(key) + vlen + 3, digits = 1, total;
	char head[32];

	for (;;) {
		total = len + digits;
		snprintf(head, sizeof(head), "%zu", total);
		if (strlen(head) == digits)
			break;
		digits = strlen(head);
	}
	snprintf(head, sizeof(head), "%zu ", total);
	buf_add(b, head, strlen(head));
	buf_add(b, key, strlen(key));
	buf_add(b, "=", 1);
	buf_add(b, val, vlen);
	buf_add(b, "\n", 1);
}

static void ustar(struct buf *out, const char *name, char type, unsigned mode, size_t size,
		  const char *link, const struct tent *t)
{
	unsigned char h[512];
	unsigned sum = 0;
	size_t i;

	memset(h, 0, sizeof(h));
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 99);
	octal(h + 100, 8, mode);
	octal(h + 108, 8, t ? t->uid : 0);
	octal(h + 116, 8, t ? t->gid : 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, t ? (unsigned long long)t->mtime : 0);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strlen(link) < 100 ? strlen(link) : 99);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	octal(h + 329, 8, t ? t->maj : 0);
	octal(h + 337, 8, t ? t->min : 0);
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	octal(h + 148, 7, sum);
	h[155] = ' ';
	buf_add(out, h, sizeof(h));
}

static void pad(struct buf *b)
{
	if (b->len % 512)
		buf_add(b, NULL, 512 - b->len % 512);
}

__attribute__((unused)) static void tar_add(struct buf *b, const struct tent *t)
{
	struct buf pax = {0};
	const char *link = t->link;
	char key[300];

	if (strlen(t->name) >= 100)
		pax_record(&pax, "path", t->name, strlen(t->name));
	if (link && strlen(link) >= 100)
		pax_record(&pax, "linkpath", link, strlen(link));
	if (t->xkey) {
		snprintf(key, sizeof(key), "SCHILY.xattr.%s", t->xkey);
		pax_record(&pax, key, t->xval, t->xlen ? t->xlen : strlen(t->xval));
	}
	if (t->pax) {
		const char *eq = strchr(t->pax, '=');

		memcpy(key, t->pax, (size_t)(eq - t->pax));
		key[eq - t->pax] = '\0';
		pax_record(&pax, key, eq + 1, strlen(eq + 1));
	}
	if (pax.len) {
		ustar(b, "PaxHeaders/x", 'x', 0644, pax.len, NULL, NULL);
		buf_add(b, pax.p, pax.len);
		pad(b);
	}
	buf_free(&pax);
	ustar(b, t->name, t->type ? t->type : '0', t->mode ? t->mode : 0644,
	      t->hdr_size ? t->hdr_size : t->size, link, t);
	if (t->size) {
		buf_add(b, t->data, t->size);
		pad(b);
	}
}

__attribute__((unused)) static void tar_end(struct buf *b)
{
	buf_add(b, NULL, 1024);
}

/* Shorthands for the common entries. */
__attribute__((unused)) static void t_file(struct buf *b, const char *name, const char *data)
{
	tar_add(b,
		&(struct tent){
			.name = name, .type = '0', .data = data, .size = data ? strlen(data) : 0});
}

__attribute__((unused)) static void t_dir(struct buf *b, const char *name)
{
	tar_add(b, &(struct tent){.name = name, .type = '5', .mode = 0755});
}

__attribute__((unused)) static void t_sym(struct buf *b, const char *name, const char *target)
{
	tar_add(b, &(struct tent){.name = name, .type = '2', .mode = 0777, .link = target});
}

__attribute__((unused)) static void t_hard(struct buf *b, const char *name, const char *target)
{
	tar_add(b, &(struct tent){.name = name, .type = '1', .link = target});
}

/* A reader over memory, handing out at most chunk bytes a call. */
struct mem {
	const unsigned char *p;
	size_t left, chunk;
};

__attribute__((unused)) static ssize_t mem_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct mem *m = ctx;

	(void)e;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	if (n > m->left)
		n = m->left;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (ssize_t)n;
}

/* gzip of in[0..n) as one member, appended to out. */
__attribute__((unused)) static void gzip_member(struct buf *out, const void *in, size_t n)
{
	unsigned char tmp[16384];
	z_stream z;
	int r;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	do {
		z.next_out = tmp;
		z.avail_out = sizeof(tmp);
		r = deflate(&z, Z_FINISH);
		buf_add(out, tmp, sizeof(tmp) - z.avail_out);
	} while (r == Z_OK);
	if (r != Z_STREAM_END)
		abort();
	deflateEnd(&z);
}

/* A zstd frame of raw blocks (no compression, but a frame any decoder must
 * read): magic, a header with a 128 KiB window, blocks of at most 64 KiB. */
__attribute__((unused)) static void zstd_frame(struct buf *out, const void *in, size_t n)
{
	static const unsigned char head[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38};
	const unsigned char *p = in;
	unsigned char bh[3];
	size_t len;
	uint32_t v;

	buf_add(out, head, sizeof(head));
	do {
		len = n > 65536 ? 65536 : n;
		v = (uint32_t)(len << 3) | (len == n ? 1u : 0u);
		bh[0] = (unsigned char)v;
		bh[1] = (unsigned char)(v >> 8);
		bh[2] = (unsigned char)(v >> 16);
		buf_add(out, bh, 3);
		buf_add(out, p, len);
		p += len;
		n -= len;
	} while (n > 0);
}

/* A tar of one file of size bytes whose contents are made as they are read
 * (never held), then the end blocks and `trailing` more zero bytes. The
 * contents repeat with a prime period, so no two 64 KiB blocks match. */
#define GEN_PERIOD 65521
struct gen {
	unsigned char hdr[512];
	uint64_t size, pos, total;
};

static unsigned char gen_table[GEN_PERIOD];

/* Copy the contents from offset at, n bytes, to out. */
static void gen_fill(unsigned char *out, uint64_t at, size_t n)
{
	size_t i, k;

	if (!gen_table[1])
		for (i = 0; i < GEN_PERIOD; i++)
			gen_table[i] = (unsigned char)((i * 131u) ^ (i >> 9) ^ 0x5a);
	while (n > 0) {
		i = (size_t)(at % GEN_PERIOD);
		k = GEN_PERIOD - i < n ? GEN_PERIOD - i : n;
		memcpy(out, gen_table + i, k);
		out += k;
		at += k;
		n -= k;
	}
}

__attribute__((unused)) static void gen_init(struct gen *g, const char *name, uint64_t size,
					     size_t trailing)
{
	struct buf b = {0};

	ustar(&b, name, '0', 0644, (size_t)size, NULL, NULL);
	memcpy(g->hdr, b.p, 512);
	buf_free(&b);
	g->size = size;
	g->pos = 0;
	g->total = 512 + (size + 511) / 512 * 512 + 1024 + trailing;
}

__attribute__((unused)) static ssize_t gen_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct gen *g = ctx;
	unsigned char *p = buf;
	uint64_t end;
	size_t k;

	(void)e;
	if (n > g->total - g->pos)
		n = (size_t)(g->total - g->pos);
	end = g->pos + n;
	while (g->pos < end) {
		k = (size_t)(end - g->pos);
		if (g->pos < 512) {
			k = k < 512 - g->pos ? k : (size_t)(512 - g->pos);
			memcpy(p, g->hdr + g->pos, k);
		} else if (g->pos - 512 < g->size) {
			k = k < g->size - (g->pos - 512) ? k : (size_t)(g->size - (g->pos - 512));
			gen_fill(p, g->pos - 512, k);
		} else {
			memset(p, 0, k);
		}
		p += k;
		g->pos += k;
	}
	return (ssize_t)n;
}

/* gzip of another reader, made as it is read. */
struct gz_reader {
	struct stream_reader src;
	z_stream z;
	int src_end, done;
	unsigned char in[65536];
};

__attribute__((unused)) static ssize_t gz_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct gz_reader *g = ctx;
	ssize_t got;
	int r;

	if (g->done)
		return 0;
	g->z.next_out = buf;
	g->z.avail_out = (uInt)n;
	while (g->z.avail_out == n && !g->done) {
		if (g->z.avail_in == 0 && !g->src_end) {
			got = stream_read(&g->src, g->in, sizeof(g->in), e);
			if (got < 0)
				return -1;
			g->src_end = got == 0;
			g->z.next_in = g->in;
			g->z.avail_in = (uInt)got;
		}
		r = deflate(&g->z, g->src_end ? Z_FINISH : Z_NO_FLUSH);
		if (r == Z_STREAM_END)
			g->done = 1;
		else if (r != Z_OK && r != Z_BUF_ERROR)
			abort();
	}
	return (ssize_t)(n - g->z.avail_out);
}

__attribute__((unused)) static void gz_reader_init(struct gz_reader *g, struct stream_reader src)
{
	memset(g, 0, sizeof(*g));
	g->src = src;
	if (deflateInit2(&g->z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
}

#endif
