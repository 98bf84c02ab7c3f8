/* tls.c - a BearSSL client connection driven by our own engine loop (not
 * br_sslio) so that every socket wait has a timeout, with an X.509 wrapper
 * that adds iPAddress subjectAltName matching for https://<ip> URLs. */
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "sock.h"
#include "tls-int.h"

#define EE_CERT_MAX 65536 /* the end-entity certificate kept for the IP check */
#define UNIX_EPOCH_DAYS 719528 /* days from 1 Jan 0 AD to 1 Jan 1970 */

/* Forwards to br_x509_minimal; keeps the first (end-entity) certificate
 * when the host is an IP literal and checks its SAN at the end. */
struct ip_x509 {
	const br_x509_class *vtable;
	br_x509_minimal_context *inner;
	const char *ip; /* NULL: names are BearSSL's business */
	unsigned char *ee;
	size_t ee_len, ee_cap;
	unsigned ncert;
};

struct tls_conn {
	br_ssl_client_context cc;
	br_x509_minimal_context xc;
	struct ip_x509 ipx;
	struct tls_noverify nv; /* used instead when cfg->no_verify */
	const struct tls_config *cfg;
	int fd, timeout_ms;
	bool handshaken, eof, reading;
	char host[256], peer[300];
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

#define INNER(x) (&(x)->inner->vtable)

static void ipx_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct ip_x509 *x = (struct ip_x509 *)ctx;

	x->ncert = 0;
	x->ee_len = 0;
	x->inner->vtable->start_chain(INNER(x), x->ip ? NULL : server_name);
}

static void ipx_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct ip_x509 *x = (struct ip_x509 *)ctx;

	if (++x->ncert == 1 && x->ip && length <= EE_CERT_MAX && length > x->ee_cap) {
		unsigned char *p = realloc(x->ee, length);
		if (p) {
			x->ee = p;
			x->ee_cap = length;
		}
	}
	x->inner->vtable->start_cert(INNER(x), length);
}

static void ipx_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct ip_x509 *x = (struct ip_x509 *)ctx;

	if (x->ncert == 1 && x->ip && x->ee_len + len <= x->ee_cap) {
		memcpy(x->ee + x->ee_len, buf, len);
		x->ee_len += len;
	}
	x->inner->vtable->append(INNER(x), buf, len);
}

static void ipx_end_cert(const br_x509_class **ctx)
{
	struct ip_x509 *x = (struct ip_x509 *)ctx;

	x->inner->vtable->end_cert(INNER(x));
}

static unsigned ipx_end_chain(const br_x509_class **ctx)
{
	struct ip_x509 *x = (struct ip_x509 *)ctx;
	unsigned r = x->inner->vtable->end_chain(INNER(x));

	if (r || !x->ip)
		return r;
	/* A certificate too big to keep counts as not matching. */
	return tls_cert_has_ip(x->ee, x->ee_len, x->ip) == 1 ? 0 : BR_ERR_X509_BAD_SERVER_NAME;
}

static const br_x509_pkey *ipx_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct ip_x509 *x = (const struct ip_x509 *)ctx;

	return x->inner->vtable->get_pkey((const br_x509_class *const *)INNER(x), usages);
}

static const br_x509_class ipx_vtable = {
	sizeof(struct ip_x509), ipx_start_chain, ipx_start_cert, ipx_append,
	ipx_end_cert,           ipx_end_chain,   ipx_get_pkey,
};

static const char *alert_name(int a)
{
	switch (a) {
	case 40:
		return "handshake failure";
	case 42:
		return "bad certificate";
	case 46:
		return "certificate unknown";
	case 48:
		return "unknown CA";
	case 70:
		return "protocol version";
	case 71:
		return "insufficient security";
	case 80:
		return "internal error";
	case 112:
		return "unrecognized name";
	case 116:
		return "certificate required";
	}
	return "alert";
}

/* One line for a failed engine: what the user can act on first. */
static int engine_error(struct tls_conn *t, int err, struct err *e)
{
	const char *what = t->handshaken ? "TLS connection to" : "TLS handshake with";
	bool no_client_cert = !t->cfg->skey;

	if (err == BR_ERR_X509_NOT_TRUSTED)
		return err_set(e, "%s %s: certificate verify failed: not signed by a trusted CA%s",
			       what, t->peer,
			       t->cfg->nta ? "" : " (no CA certificates are loaded)");
	if (err == BR_ERR_X509_BAD_SERVER_NAME)
		return err_set(
			e, "%s %s: certificate verify failed: the certificate is not valid for %s",
			what, t->peer, t->host);
	if (err == BR_ERR_X509_EXPIRED)
		return err_set(e, "%s %s: certificate verify failed: expired or not yet valid",
			       what, t->peer);
	if (err >= BR_ERR_X509_OK && err < BR_ERR_X509_OK + 64)
		return err_set(e, "%s %s: certificate verify failed (BearSSL X.509 error %d)", what,
			       t->peer, err);
	if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT) {
		int a = err - BR_ERR_RECV_FATAL_ALERT;
		return err_set(e, "%s %s: the server sent fatal alert %d (%s)%s", what, t->peer, a,
			       alert_name(a),
			       no_client_cert && (a == 40 || a == 42 || a == 116)
				       ? "; it may require a client certificate"
				       : "");
	}
	if (err >= BR_ERR_SEND_FATAL_ALERT)
		return err_set(e, "%s %s: protocol error (sent alert %d)", what, t->peer,
			       err - BR_ERR_SEND_FATAL_ALERT);
	if (err == BR_ERR_UNSUPPORTED_VERSION || err == BR_ERR_BAD_VERSION)
		return err_set(e, "%s %s: the server does not speak TLS 1.0-1.2", what, t->peer);
	return err_set(e, "%s %s: protocol error (BearSSL error %d)", what, t->peer, err);
}

/* A peer gone while we were reading is an end of stream, not an error:
 * BearSSL answers a close_notify with its own, which may meet a closed
 * socket. */
static int io_failed(struct tls_conn *t, struct err *e)
{
	if (t->reading && e && (e->errnum == EPIPE || e->errnum == ECONNRESET)) {
		t->eof = true;
		return 0;
	}
	return -1;
}

/* Move records until the engine reaches one of the target states: 1 then,
 * 0 when the connection is closed (close_notify or socket EOF), -1 on error. */
static int run(struct tls_conn *t, unsigned target, struct err *e)
{
	br_ssl_engine_context *eng = &t->cc.eng;

	for (;;) {
		unsigned st = br_ssl_engine_current_state(eng);
		unsigned char *buf;
		size_t len;
		ssize_t n;

		if (st & BR_SSL_CLOSED) {
			int err = br_ssl_engine_last_error(eng);
			return err == BR_ERR_OK ? 0 : engine_error(t, err, e);
		}
		if (st & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(eng, &len);
			n = sock_send(t->fd, buf, len, t->timeout_ms, t->peer, e);
			if (n < 0)
				return io_failed(t, e);
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
			continue;
		}
		if (st & target)
			return 1;
		if (st & BR_SSL_RECVREC) {
			buf = br_ssl_engine_recvrec_buf(eng, &len);
			n = sock_recv(t->fd, buf, len, t->timeout_ms, t->peer, e);
			if (n < 0)
				return io_failed(t, e);
			if (n == 0) {
				t->eof = true;
				return 0;
			}
			br_ssl_engine_recvrec_ack(eng, (size_t)n);
			continue;
		}
		/* Neither sending nor receiving is possible: what is buffered must
		 * go out first (br_sslio does the same). */
		br_ssl_engine_flush(eng, 0);
	}
}

static bool is_ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

static void set_client_cert(struct tls_conn *t, const struct tls_config *cfg)
{
	if (!cfg->skey)
		return;
	if (br_skey_decoder_key_type(cfg->skey) == BR_KEYTYPE_RSA)
		br_ssl_client_set_single_rsa(&t->cc, cfg->chain, cfg->nchain,
					     br_skey_decoder_get_rsa(cfg->skey),
					     br_rsa_pkcs1_sign_get_default());
	else
		br_ssl_client_set_single_ec(&t->cc, cfg->chain, cfg->nchain,
					    br_skey_decoder_get_ec(cfg->skey), BR_KEYTYPE_SIGN,
					    BR_KEYTYPE_EC, br_ec_get_default(),
					    br_ecdsa_sign_asn1_get_default());
}

/* br_ssl_client_init_full, cut to what registries speak: TLS 1.2, ECDHE
 * with AES-GCM or ChaCha20-Poly1305, certificates signed with SHA-1 or
 * SHA-2. CBC, CCM, 3DES, static RSA and ECDH key exchange and TLS 1.0/1.1
 * stay out, and with them about half of BearSSL's weight in the binary. */
static void client_init(br_ssl_client_context *cc, br_x509_minimal_context *xc,
			const br_x509_trust_anchor *ta, size_t nta)
{
	static const uint16_t suites[] = {
		BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	};
	static const br_hash_class *const hashes[] = {
		&br_sha1_vtable,   &br_sha224_vtable, &br_sha256_vtable,
		&br_sha384_vtable, &br_sha512_vtable,
	};

	br_ssl_client_zero(cc);
	br_ssl_engine_set_versions(&cc->eng, BR_TLS12, BR_TLS12);
	br_x509_minimal_init(xc, &br_sha256_vtable, ta, nta);
	br_ssl_engine_set_suites(&cc->eng, suites, sizeof(suites) / sizeof(suites[0]));
	br_ssl_engine_set_default_rsavrfy(&cc->eng);
	br_ssl_engine_set_default_ecdsa(&cc->eng);
	br_x509_minimal_set_rsa(xc, br_ssl_engine_get_rsavrfy(&cc->eng));
	br_x509_minimal_set_ecdsa(xc, br_ssl_engine_get_ec(&cc->eng),
				  br_ssl_engine_get_ecdsa(&cc->eng));
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		int id = (int)((hashes[i]->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK);

		br_ssl_engine_set_hash(&cc->eng, id, hashes[i]);
		br_x509_minimal_set_hash(xc, id, hashes[i]);
	}
	br_ssl_engine_set_x509(&cc->eng, &xc->vtable);
	br_ssl_engine_set_prf_sha256(&cc->eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(&cc->eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(&cc->eng);
	br_ssl_engine_set_default_chapol(&cc->eng);
}

int tls_conn_open(struct tls_conn **out, const struct tls_config *cfg, int fd, const char *host,
		  const char *peer, int timeout_ms, struct err *e)
{
	struct tls_conn *t = calloc(1, sizeof(*t));
	time_t now = time(NULL);
	bool ip;
	int r;

	*out = NULL;
	if (!t)
		return err_sys(e, ENOMEM, "TLS connection to %s", peer);
	t->cfg = cfg;
	t->fd = fd;
	t->timeout_ms = timeout_ms;
	snprintf(t->host, sizeof(t->host), "%s", host);
	snprintf(t->peer, sizeof(t->peer), "%s", peer);
	ip = is_ip_literal(t->host);
	client_init(&t->cc, &t->xc, cfg->ta, cfg->nta);
	br_x509_minimal_set_time(&t->xc, UNIX_EPOCH_DAYS + (uint32_t)(now / 86400),
				 (uint32_t)(now % 86400));
	t->ipx.vtable = &ipx_vtable;
	t->ipx.inner = &t->xc;
	t->ipx.ip = ip ? t->host : NULL;
	if (cfg->no_verify) {
		tls_noverify_init(&t->nv);
		br_ssl_engine_set_x509(&t->cc.eng, &t->nv.vtable);
	} else {
		br_ssl_engine_set_x509(&t->cc.eng, &t->ipx.vtable);
	}
	set_client_cert(t, cfg);
	br_ssl_engine_set_buffer(&t->cc.eng, t->iobuf, sizeof(t->iobuf), 1);
	/* No SNI for an IP literal (RFC 6066 section 3). */
	if (!br_ssl_client_reset(&t->cc, ip ? NULL : t->host, 0)) {
		engine_error(t, br_ssl_engine_last_error(&t->cc.eng), e);
		goto fail;
	}
	r = run(t, BR_SSL_SENDAPP | BR_SSL_RECVAPP, e);
	if (r == 0)
		err_set(e, "TLS handshake with %s: the server closed the connection", peer);
	if (r <= 0)
		goto fail;
	t->handshaken = true;
	*out = t;
	return 0;
fail:
	tls_conn_close(t);
	return -1;
}

ssize_t tls_conn_read(struct tls_conn *t, void *buf, size_t n, struct err *e)
{
	unsigned char *p;
	size_t len;
	int r;

	if (t->eof)
		return 0;
	t->reading = true;
	r = run(t, BR_SSL_RECVAPP, e);
	t->reading = false;
	if (r <= 0)
		return r;
	p = br_ssl_engine_recvapp_buf(&t->cc.eng, &len);
	if (len > n)
		len = n;
	memcpy(buf, p, len);
	br_ssl_engine_recvapp_ack(&t->cc.eng, len);
	return (ssize_t)len;
}

static int closed_error(struct tls_conn *t, struct err *e)
{
	return err_sys(e, EPIPE, "writing to %s: the server closed the connection", t->peer);
}

int tls_conn_write(struct tls_conn *t, const void *buf, size_t n, struct err *e)
{
	const unsigned char *src = buf;

	while (n) {
		unsigned char *p;
		size_t len;
		int r = t->eof ? 0 : run(t, BR_SSL_SENDAPP, e);
		if (r <= 0)
			return r == 0 ? closed_error(t, e) : -1;
		p = br_ssl_engine_sendapp_buf(&t->cc.eng, &len);
		if (len > n)
			len = n;
		memcpy(p, src, len);
		br_ssl_engine_sendapp_ack(&t->cc.eng, len);
		src += len;
		n -= len;
	}
	return 0;
}

int tls_conn_flush(struct tls_conn *t, struct err *e)
{
	int r;

	if (t->eof)
		return closed_error(t, e);
	br_ssl_engine_flush(&t->cc.eng, 0);
	r = run(t, BR_SSL_SENDAPP, e);
	return r < 0 ? -1 : r == 0 ? closed_error(t, e) : 0;
}

void tls_conn_close(struct tls_conn *t)
{
	br_ssl_engine_context *eng;

	if (!t)
		return;
	eng = &t->cc.eng;
	if (t->handshaken && !t->eof && !(br_ssl_engine_current_state(eng) & BR_SSL_CLOSED)) {
		size_t len;
		unsigned char *buf;
		br_ssl_engine_close(eng);
		/* One try, without waiting: the socket is closed next anyway. */
		if (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(eng, &len);
			(void)!send(t->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		}
	}
	free(t->ipx.ee);
	free(t);
}
