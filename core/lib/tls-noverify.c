/* tls-noverify.c - an X.509 "engine" that checks nothing: for registries the
 * user declared insecure, whose certificates dockerd does not verify either.
 * It decodes the end-entity certificate only to hand its public key to the
 * handshake (which still proves the server holds the private key). */
#include <string.h>

#include "tls-int.h"

static void nv_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_noverify *x = (struct tls_noverify *)ctx;

	(void)server_name; /* no name check either: InsecureSkipVerify */
	x->ncert = 0;
}

static void nv_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_noverify *x = (struct tls_noverify *)ctx;

	(void)length;
	/* Only the first certificate (the server's own) matters. */
	if (++x->ncert == 1)
		br_x509_decoder_init(&x->dc, NULL, NULL);
}

static void nv_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls_noverify *x = (struct tls_noverify *)ctx;

	if (x->ncert == 1)
		br_x509_decoder_push(&x->dc, buf, len);
}

static void nv_end_cert(const br_x509_class **ctx)
{
	(void)ctx;
}

static unsigned nv_end_chain(const br_x509_class **ctx)
{
	struct tls_noverify *x = (struct tls_noverify *)ctx;
	int err;

	if (!x->ncert)
		return BR_ERR_X509_EMPTY_CHAIN;
	/* A certificate that does not decode has no key to use. */
	err = br_x509_decoder_last_error(&x->dc);
	return err ? (unsigned)err : 0;
}

static const br_x509_pkey *nv_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls_noverify *x = (struct tls_noverify *)(uintptr_t)ctx;

	/* Key usage is not checked either: allow both uses the suites need. */
	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return x->ncert ? br_x509_decoder_get_pkey(&x->dc) : NULL;
}

static const br_x509_class nv_vtable = {
	sizeof(struct tls_noverify),
	nv_start_chain,
	nv_start_cert,
	nv_append,
	nv_end_cert,
	nv_end_chain,
	nv_get_pkey,
};

void tls_noverify_init(struct tls_noverify *x)
{
	memset(x, 0, sizeof(*x));
	x->vtable = &nv_vtable;
}
