/* tls-int.h - what tls-config.c and tls.c share: the configuration's
 * layout and the PEM reader. Not for users of tls.h. */
#ifndef TUG_TLS_INT_H
#define TUG_TLS_INT_H

#include <bearssl.h>

#include "tls.h"

struct tls_config {
	br_x509_trust_anchor *ta; /* each dn.data is one malloc'd block with the key */
	size_t nta, cap;
	br_x509_certificate *chain; /* client chain, leaf first; data malloc'd */
	size_t nchain;
	br_skey_decoder_context *skey; /* client key, NULL when none */
	bool no_verify; /* tls_config_set_verify(cfg, false) */
};

/* tls-noverify.c: the X.509 engine of a configuration that does not
 * verify: the end-entity certificate's key, no chain, name or date check. */
struct tls_noverify {
	const br_x509_class *vtable;
	br_x509_decoder_context dc;
	unsigned ncert;
};
void tls_noverify_init(struct tls_noverify *x);

/* Call fn for each object of a PEM file with its name ("CERTIFICATE") and
 * DER bytes (malloc'd; fn owns them from then on, even when it fails). */
typedef int (*tls_pem_fn)(void *ctx, const char *name, unsigned char *der, size_t len,
			  struct err *e);
int tls_pem_each(const char *path, tls_pem_fn fn, void *ctx, struct err *e);

/* Load a certificate chain (PEM, leaf first) and its private key into
 * cfg->chain and cfg->skey, replacing any: the client's certificate, or
 * the TLS server's own (tls-server.c). */
int tls_load_chain_key(struct tls_config *cfg, const char *cert_path, const char *key_path,
		       struct err *e);

#endif
