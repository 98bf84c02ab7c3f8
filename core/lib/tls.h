/* tls.h - TLS 1.2 client connections through BearSSL: trust anchors and a
 * client certificate loaded from PEM files, and a connection over a socket
 * the caller connected, with a timeout on every wait. */
#ifndef TUG_TLS_H
#define TUG_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Trust anchors (CA roots) and an optional client certificate. Opaque;
 * made by tls_config_new, freed by tls_config_free. A connection borrows its
 * config, which must outlive it. */
struct tls_config;
/* A client connection; owned by whoever opened it, freed by tls_conn_close. */
struct tls_conn;

/* The bundles tried, in order, when tls_config_new gets ca_bundle NULL. */
#define TLS_DEFAULT_CA_BUNDLES                                                                     \
	"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",                  \
		"/etc/ssl/cert.pem"

#if CFG_TLS

/* ca_bundle: a PEM file of CA certificates to trust; NULL tries the
 * TLS_DEFAULT_CA_BUNDLES (none found is not an error: a device may trust
 * only its registries' certs.d CAs); "" loads none. */
int tls_config_new(struct tls_config **cfg, const char *ca_bundle, struct err *e);
/* Trust every certificate in a PEM file as well: a CA, or a server's
 * self-signed certificate (e.g. certs.d/<host:port>/ca.crt). */
int tls_config_add_ca_file(struct tls_config *cfg, const char *path, struct err *e);
/* Present this certificate chain (PEM, leaf first) and its private key
 * (PEM: PKCS#1 RSA, SEC1 EC or unencrypted PKCS#8) when a server asks. */
int tls_config_set_client_cert(struct tls_config *cfg, const char *cert_path, const char *key_path,
			       struct err *e);
/* verify false: accept any server certificate (no CA, name or date
 * check), as dockerd does for an insecure registry; the client certificate
 * is still presented. true (the default) verifies. */
void tls_config_set_verify(struct tls_config *cfg, bool verify);
/* Number of trust anchors loaded. */
size_t tls_config_anchors(const struct tls_config *cfg);
void tls_config_free(struct tls_config *cfg);

/* Run the handshake over fd (a connected socket, borrowed: the caller
 * closes it after tls_conn_close). host is the name the certificate must
 * be valid for and the SNI; for an IP literal no SNI is sent and the
 * certificate must carry that address as an IP subjectAltName. peer
 * ("host:port") names the server in messages. timeout_ms bounds each wait. */
int tls_conn_open(struct tls_conn **t, const struct tls_config *cfg, int fd, const char *host,
		  const char *peer, int timeout_ms, struct err *e);
/* >0 bytes, 0 when the server closed the connection, -1 on error. */
ssize_t tls_conn_read(struct tls_conn *t, void *buf, size_t n, struct err *e);
/* Queue all n bytes (records go out as buffers fill); tls_conn_flush sends
 * what is queued. A connection closed by the server fails with EPIPE. */
int tls_conn_write(struct tls_conn *t, const void *buf, size_t n, struct err *e);
int tls_conn_flush(struct tls_conn *t, struct err *e);
/* Send close_notify if it can go out at once, and free t. NULL is fine. */
void tls_conn_close(struct tls_conn *t);

/* 1 when the DER certificate lists ip (a numeric IPv4 or IPv6 string) as
 * an iPAddress subjectAltName, 0 when not, -1 when the DER is malformed.
 * BearSSL matches DNS names only; this covers https://<ip>:<port>. */
int tls_cert_has_ip(const unsigned char *der, size_t len, const char *ip);

#else /* TLS compiled out: every entry point fails with one message. */

#define TLS_COMPILED_OUT "TLS support is compiled out (CONFIG_TLS)"

static inline int tls_config_new(struct tls_config **cfg, const char *ca_bundle, struct err *e)
{
	*cfg = NULL;
	return err_set(e, TLS_COMPILED_OUT);
}
static inline int tls_config_add_ca_file(struct tls_config *cfg, const char *path, struct err *e)
{
	return err_set(e, "%s: " TLS_COMPILED_OUT, path);
}
static inline int tls_config_set_client_cert(struct tls_config *cfg, const char *cert_path,
					     const char *key_path, struct err *e)
{
	return err_set(e, "%s: " TLS_COMPILED_OUT, cert_path);
}
static inline void tls_config_set_verify(struct tls_config *cfg, bool verify)
{
}
static inline size_t tls_config_anchors(const struct tls_config *cfg)
{
	return 0;
}
static inline void tls_config_free(struct tls_config *cfg)
{
}
static inline int tls_conn_open(struct tls_conn **t, const struct tls_config *cfg, int fd,
				const char *host, const char *peer, int timeout_ms, struct err *e)
{
	*t = NULL;
	return err_set(e, "%s: " TLS_COMPILED_OUT, peer);
}
static inline ssize_t tls_conn_read(struct tls_conn *t, void *buf, size_t n, struct err *e)
{
	return err_set(e, TLS_COMPILED_OUT);
}
static inline int tls_conn_write(struct tls_conn *t, const void *buf, size_t n, struct err *e)
{
	return err_set(e, TLS_COMPILED_OUT);
}
static inline int tls_conn_flush(struct tls_conn *t, struct err *e)
{
	return err_set(e, TLS_COMPILED_OUT);
}
static inline void tls_conn_close(struct tls_conn *t)
{
}
static inline int tls_cert_has_ip(const unsigned char *der, size_t len, const char *ip)
{
	return -1;
}

#endif
#endif
