/* tls-server.h - the daemon's TLS 1.2 server (BearSSL): its certificate and
 * key (RSA or EC), client certificates required and checked against a CA
 * file, and a relay between a client's TLS connection and a plain socket. */
#ifndef TUG_TLS_SERVER_H
#define TUG_TLS_SERVER_H

#include "err.h"

/* Certificate, key and the CAs clients must be signed by. Opaque; read-only
 * once made, so threads may share it. */
struct tls_server_config;

#define TLS_SERVER_HANDSHAKE_MS 30000 /* a client that does not finish is dropped */
#define TLS_SERVER_LINGER_MS 30000 /* after the daemon's side ended: the client's time to close */

#if CFG_TLS_SERVER

/* cert: PEM chain, leaf first; key: its private key (PKCS#1 RSA, SEC1 EC or
 * unencrypted PKCS#8); ca: PEM CA certificates a client's certificate must
 * chain to (their names go in the CertificateRequest). */
int tls_server_config_new(struct tls_server_config **out, const char *cert, const char *key,
			  const char *ca, struct err *e);
/* Milliseconds; 0 keeps the default. */
void tls_server_config_set_timeouts(struct tls_server_config *c, int handshake_ms, int linger_ms);
void tls_server_config_free(struct tls_server_config *c);

/* For one accepted connection, in its own thread: the handshake on conn_fd
 * (a client certificate is required), then decrypted bytes are copied both
 * ways between conn_fd and plain_fd (the daemon's end of a socketpair)
 * until both directions are done. Half-close: the client's TCP FIN
 * becomes shutdown(plain_fd, SHUT_WR) and the relay keeps sending; EOF on
 * plain_fd is sent on as a TCP FIN (shutdown(conn_fd, SHUT_WR)) while the
 * client may still send. A close_notify from the client ends both
 * directions: BearSSL answers it at once, as TLS 1.2 asks. Both fds are
 * borrowed (the caller closes them) and may be blocking or not. Returns 0
 * at a normal end, -1 with e filled ("TLS handshake with 10.0.0.5:51234:
 * the client sent no certificate ...") otherwise. */
int tls_server_relay(const struct tls_server_config *c, int conn_fd, int plain_fd, struct err *e);

#else /* compiled out: listen.c refuses tcp:// with TLS before getting here */

static inline int tls_server_config_new(struct tls_server_config **out, const char *cert,
					const char *key, const char *ca, struct err *e)
{
	*out = NULL;
	return err_set(e, "the TLS server is compiled out (CONFIG_TLS_SERVER)");
}
static inline void tls_server_config_set_timeouts(struct tls_server_config *c, int handshake_ms,
						  int linger_ms)
{
}
static inline void tls_server_config_free(struct tls_server_config *c)
{
}
static inline int tls_server_relay(const struct tls_server_config *c, int conn_fd, int plain_fd,
				   struct err *e)
{
	return err_set(e, "the TLS server is compiled out (CONFIG_TLS_SERVER)");
}

#endif
#endif
