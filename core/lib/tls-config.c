/* tls-config.c - trust anchors and a client certificate from PEM files, in
 * the forms BearSSL's X.509 and SSL engines take. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "tls-int.h"

#define PEM_FILE_MAX (8u << 20) /* a system bundle is ~200 KiB */

struct der_buf {
	unsigned char *p;
	size_t len, cap;
	bool nomem;
};

static void der_append(void *ctx, const void *data, size_t len)
{
	struct der_buf *b = ctx;

	if (b->nomem)
		return;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 2048;
		unsigned char *np;
		while (cap < b->len + len)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->nomem = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* Feed the whole text, then a newline (BearSSL wants the END line ended). */
static int pem_run(br_pem_decoder_context *pc, const char *text, size_t len, tls_pem_fn fn,
		   void *ctx, struct err *e)
{
	struct der_buf b = {0};
	char name[128] = "";
	bool in_obj = false;

	for (int last = 0; last < 2; last++) {
		const char *p = last ? "\n" : text;
		size_t left = last ? 1 : len;
		while (left) {
			size_t n = br_pem_decoder_push(pc, p, left);
			p += n;
			left -= n;
			switch (br_pem_decoder_event(pc)) {
			case BR_PEM_BEGIN_OBJ:
				snprintf(name, sizeof(name), "%s", br_pem_decoder_name(pc));
				memset(&b, 0, sizeof(b));
				br_pem_decoder_setdest(pc, der_append, &b);
				in_obj = true;
				break;
			case BR_PEM_END_OBJ:
				in_obj = false;
				if (b.nomem)
					return free(b.p), err_sys(e, ENOMEM, "PEM object %s", name);
				if (fn(ctx, name, b.p, b.len, e) < 0)
					return -1;
				break;
			case BR_PEM_ERROR:
				free(b.p);
				return err_set(e, "malformed PEM");
			}
		}
	}
	if (in_obj) {
		free(b.p);
		return err_set(e, "PEM object %s is cut short", name);
	}
	return 0;
}

int tls_pem_each(const char *path, tls_pem_fn fn, void *ctx, struct err *e)
{
	br_pem_decoder_context pc;
	char *text;
	size_t len;
	int r;

	if (file_read_all(path, PEM_FILE_MAX, &text, &len, e) < 0)
		return -1;
	br_pem_decoder_init(&pc);
	r = pem_run(&pc, text, len, fn, ctx, e);
	free(text);
	if (r < 0)
		return err_wrap(e, "%s", path);
	return 0;
}

static void dn_append(void *ctx, const void *data, size_t len)
{
	der_append(ctx, data, len);
}

/* The anchor's DN and key bytes live in one block, freed through dn.data. */
static int anchor_from(br_x509_trust_anchor *ta, struct der_buf *dn, const br_x509_pkey *pk)
{
	size_t klen = pk->key_type == BR_KEYTYPE_RSA ? pk->key.rsa.nlen + pk->key.rsa.elen
						     : pk->key.ec.qlen;
	unsigned char *blk = malloc(dn->len + klen + 1);

	if (!blk)
		return -1;
	memcpy(blk, dn->p, dn->len);
	ta->dn.data = blk;
	ta->dn.len = dn->len;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = memcpy(blk + dn->len, pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e =
			memcpy(blk + dn->len + pk->key.rsa.nlen, pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = memcpy(blk + dn->len, pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	return 0;
}

struct ca_load {
	struct tls_config *cfg;
	bool strict; /* a user's file: every certificate must be usable */
	size_t seen, added;
};

static int add_anchor(void *ctx, const char *name, unsigned char *der, size_t len, struct err *e)
{
	struct ca_load *l = ctx;
	struct tls_config *cfg = l->cfg;
	br_x509_decoder_context dc;
	struct der_buf dn = {0};
	const br_x509_pkey *pk;
	int r = 0;

	if (strcmp(name, "CERTIFICATE") && strcmp(name, "TRUSTED CERTIFICATE") &&
	    strcmp(name, "X509 CERTIFICATE"))
		return free(der), 0;
	l->seen++;
	br_x509_decoder_init(&dc, dn_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || dn.nomem) {
		if (l->strict)
			r = err_set(e, "certificate %zu: cannot decode it (BearSSL error %d)",
				    l->seen, br_x509_decoder_last_error(&dc));
		goto out;
	}
	if (cfg->nta == cfg->cap) {
		size_t cap = cfg->cap ? cfg->cap * 2 : 16;
		br_x509_trust_anchor *nt = realloc(cfg->ta, cap * sizeof(*nt));
		if (!nt) {
			r = err_sys(e, ENOMEM, "certificate %zu", l->seen);
			goto out;
		}
		cfg->ta = nt;
		cfg->cap = cap;
	}
	if (anchor_from(&cfg->ta[cfg->nta], &dn, pk) < 0) {
		r = err_sys(e, ENOMEM, "certificate %zu", l->seen);
		goto out;
	}
	/* A non-CA anchor is trusted as the server's own certificate. */
	cfg->ta[cfg->nta++].flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	l->added++;
out:
	free(dn.p);
	free(der);
	return r;
}

static int load_cas(struct tls_config *cfg, const char *path, bool strict, struct err *e)
{
	struct ca_load l = {cfg, strict, 0, 0};

	if (tls_pem_each(path, add_anchor, &l, e) < 0)
		return -1;
	if (!l.added)
		return err_set(e, "%s: no usable certificate in it", path);
	return 0;
}

int tls_config_add_ca_file(struct tls_config *cfg, const char *path, struct err *e)
{
	return load_cas(cfg, path, true, e);
}

int tls_config_new(struct tls_config **out, const char *ca_bundle, struct err *e)
{
	static const char *const defaults[] = {TLS_DEFAULT_CA_BUNDLES};
	struct tls_config *cfg = calloc(1, sizeof(*cfg));

	*out = NULL;
	if (!cfg)
		return err_sys(e, ENOMEM, "TLS configuration");
	if (ca_bundle && ca_bundle[0] && load_cas(cfg, ca_bundle, false, e) < 0)
		goto fail;
	for (size_t i = 0; !ca_bundle && i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (access(defaults[i], R_OK) != 0)
			continue;
		if (load_cas(cfg, defaults[i], false, e) < 0)
			goto fail;
		break;
	}
	*out = cfg;
	return 0;
fail:
	tls_config_free(cfg);
	return -1;
}

struct cert_load {
	struct tls_config *cfg;
	br_skey_decoder_context *skey;
	bool got_key;
};

static int add_chain_cert(void *ctx, const char *name, unsigned char *der, size_t len,
			  struct err *e)
{
	struct tls_config *cfg = ((struct cert_load *)ctx)->cfg;
	br_x509_certificate *nc;

	if (strcmp(name, "CERTIFICATE") != 0)
		return free(der), 0;
	nc = realloc(cfg->chain, (cfg->nchain + 1) * sizeof(*nc));
	if (!nc)
		return free(der), err_sys(e, ENOMEM, "client certificate");
	cfg->chain = nc;
	cfg->chain[cfg->nchain].data = der;
	cfg->chain[cfg->nchain++].data_len = len;
	return 0;
}

static int add_key(void *ctx, const char *name, unsigned char *der, size_t len, struct err *e)
{
	struct cert_load *l = ctx;
	size_t nl = strlen(name);
	int err;

	if (nl < 11 || strcmp(name + nl - 11, "PRIVATE KEY") != 0 || l->got_key)
		return free(der), 0;
	if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0)
		return free(der), err_set(e, "encrypted private keys are not supported");
	br_skey_decoder_init(l->skey);
	br_skey_decoder_push(l->skey, der, len);
	/* The decoder copied the key into itself; wipe our copy. */
	memset(der, 0, len);
	free(der);
	err = br_skey_decoder_last_error(l->skey);
	if (err)
		return err_set(e, "%s: cannot decode it (BearSSL error %d)", name, err);
	l->got_key = true;
	return 0;
}

static void free_chain(struct tls_config *cfg)
{
	for (size_t i = 0; i < cfg->nchain; i++)
		free(cfg->chain[i].data);
	free(cfg->chain);
	cfg->chain = NULL;
	cfg->nchain = 0;
	if (cfg->skey)
		memset(cfg->skey, 0, sizeof(*cfg->skey));
	free(cfg->skey);
	cfg->skey = NULL;
}

int tls_config_set_client_cert(struct tls_config *cfg, const char *cert_path, const char *key_path,
			       struct err *e)
{
	if (tls_load_chain_key(cfg, cert_path, key_path, e) < 0)
		return err_wrap(e, "client certificate");
	return 0;
}

int tls_load_chain_key(struct tls_config *cfg, const char *cert_path, const char *key_path,
		       struct err *e)
{
	struct cert_load l = {cfg, NULL, false};

	free_chain(cfg);
	l.skey = calloc(1, sizeof(*l.skey));
	if (!l.skey)
		return err_sys(e, ENOMEM, "client key %s", key_path);
	cfg->skey = l.skey;
	if (tls_pem_each(cert_path, add_chain_cert, &l, e) < 0)
		goto fail;
	if (!cfg->nchain) {
		err_set(e, "%s: no certificate in it", cert_path);
		goto fail;
	}
	if (tls_pem_each(key_path, add_key, &l, e) < 0)
		goto fail;
	if (!l.got_key) {
		err_set(e, "%s: no private key in it", key_path);
		goto fail;
	}
	return 0;
fail:
	free_chain(cfg);
	return -1;
}

void tls_config_set_verify(struct tls_config *cfg, bool verify)
{
	cfg->no_verify = !verify;
}

size_t tls_config_anchors(const struct tls_config *cfg)
{
	return cfg->nta;
}

void tls_config_free(struct tls_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nta; i++)
		free(cfg->ta[i].dn.data);
	free(cfg->ta);
	free_chain(cfg);
	free(cfg);
}
