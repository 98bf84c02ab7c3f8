/* tls-server.c - the daemon's TLS server: BearSSL's server engine with
 * client certificates required, driven by one poll loop that relays
 * decrypted bytes between the client's socket and a plain socket. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include "tls-int.h"
#include "tls-server.h"

#define UNIX_EPOCH_DAYS 719528 /* days from 1 Jan 0 AD to 1 Jan 1970 */

struct tls_server_config {
	struct tls_config *tc; /* the server's chain and key; the clients' CAs */
	int handshake_ms, linger_ms;
};

/* One connection's state; on the heap (the I/O buffer alone is 33 KiB)
 * so that the daemon's relay threads can have small stacks. */
struct relay {
	br_ssl_server_context sc;
	br_x509_minimal_context xc;
	int conn, plain;
	bool handshaken;
	bool conn_eof; /* the client's FIN: no more records come */
	bool plain_eof; /* the daemon's side has no more to send */
	bool plain_gone; /* ... and it closed its end entirely */
	bool plain_shut, conn_shut; /* we sent our FIN that way */
	char peer[64];
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

int tls_server_config_new(struct tls_server_config **out, const char *cert, const char *key,
			  const char *ca, struct err *e)
{
	struct tls_server_config *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return err_sys(e, ENOMEM, "TLS server configuration");
	c->handshake_ms = TLS_SERVER_HANDSHAKE_MS;
	c->linger_ms = TLS_SERVER_LINGER_MS;
	if (tls_config_new(&c->tc, "", e) < 0)
		goto fail;
	if (tls_config_add_ca_file(c->tc, ca, e) < 0) {
		err_wrap(e, "client CA certificates (--tlscacert)");
		goto fail;
	}
	if (tls_load_chain_key(c->tc, cert, key, e) < 0) {
		err_wrap(e, "server certificate (--tlscert, --tlskey)");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	tls_server_config_free(c);
	return -1;
}

void tls_server_config_set_timeouts(struct tls_server_config *c, int handshake_ms, int linger_ms)
{
	if (handshake_ms > 0)
		c->handshake_ms = handshake_ms;
	if (linger_ms > 0)
		c->linger_ms = linger_ms;
}

void tls_server_config_free(struct tls_server_config *c)
{
	if (!c)
		return;
	tls_config_free(c->tc);
	free(c);
}

/* br_ssl_server_init_full_*, cut to what the client side speaks (tls.c):
 * TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305. The X.509 engine
 * checks the client's chain against the CAs. */
static void server_init(struct relay *r, const struct tls_config *tc)
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
	br_ssl_engine_context *eng = &r->sc.eng;
	time_t now = time(NULL);

	br_ssl_server_zero(&r->sc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof(suites) / sizeof(suites[0]));
	br_x509_minimal_init(&r->xc, &br_sha256_vtable, tc->ta, tc->nta);
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_engine_set_default_ecdsa(eng);
	br_x509_minimal_set_rsa(&r->xc, br_ssl_engine_get_rsavrfy(eng));
	br_x509_minimal_set_ecdsa(&r->xc, br_ssl_engine_get_ec(eng), br_ssl_engine_get_ecdsa(eng));
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		int id = (int)((hashes[i]->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK);

		br_ssl_engine_set_hash(eng, id, hashes[i]);
		br_x509_minimal_set_hash(&r->xc, id, hashes[i]);
	}
	br_x509_minimal_set_time(&r->xc, UNIX_EPOCH_DAYS + (uint32_t)(now / 86400),
				 (uint32_t)(now % 86400));
	br_ssl_engine_set_x509(eng, &r->xc.vtable);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_chapol(eng);
	if (br_skey_decoder_key_type(tc->skey) == BR_KEYTYPE_RSA)
		br_ssl_server_set_single_rsa(&r->sc, tc->chain, tc->nchain,
					     br_skey_decoder_get_rsa(tc->skey), BR_KEYTYPE_SIGN,
					     br_rsa_private_get_default(),
					     br_rsa_pkcs1_sign_get_default());
	else
		br_ssl_server_set_single_ec(&r->sc, tc->chain, tc->nchain,
					    br_skey_decoder_get_ec(tc->skey), BR_KEYTYPE_SIGN,
					    BR_KEYTYPE_EC, br_ec_get_default(),
					    br_ecdsa_sign_asn1_get_default());
	/* Asking for a certificate makes it required: without
	 * BR_OPT_TOLERATE_NO_CLIENT_AUTH a client without one is refused. */
	br_ssl_server_set_trust_anchor_names_alt(&r->sc, tc->ta, tc->nta);
	br_ssl_engine_set_buffer(eng, r->iobuf, sizeof(r->iobuf), 1);
}

static int engine_error(struct relay *r, int err, struct err *e)
{
	const char *what = r->handshaken ? "TLS connection from" : "TLS handshake with";

	if (err == BR_ERR_NO_CLIENT_AUTH)
		return err_set(e,
			       "%s %s: the client sent no certificate (--tlsverify needs one "
			       "signed by --tlscacert)",
			       what, r->peer);
	if (err == BR_ERR_X509_NOT_TRUSTED)
		return err_set(e,
			       "%s %s: client certificate refused: not signed by a CA of "
			       "--tlscacert",
			       what, r->peer);
	if (err == BR_ERR_X509_EXPIRED)
		return err_set(e, "%s %s: client certificate refused: expired or not yet valid",
			       what, r->peer);
	if (err >= BR_ERR_X509_OK && err < BR_ERR_X509_OK + 64)
		return err_set(e, "%s %s: client certificate refused (BearSSL X.509 error %d)",
			       what, r->peer, err);
	if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT)
		return err_set(e, "%s %s: the client sent fatal alert %d", what, r->peer,
			       err - BR_ERR_RECV_FATAL_ALERT);
	if (err >= BR_ERR_SEND_FATAL_ALERT)
		return err_set(e, "%s %s: protocol error (sent alert %d)", what, r->peer,
			       err - BR_ERR_SEND_FATAL_ALERT);
	if (err == BR_ERR_UNSUPPORTED_VERSION || err == BR_ERR_BAD_VERSION)
		return err_set(e, "%s %s: the client does not speak TLS 1.2", what, r->peer);
	return err_set(e, "%s %s: protocol error (BearSSL error %d)", what, r->peer, err);
}

static void peer_name(struct relay *r)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char ip[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (getpeername(r->conn, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
			port = ntohs(s4->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
			port = ntohs(s6->sin6_port);
		}
	}
	snprintf(r->peer, sizeof(r->peer), ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", ip,
		 port);
}

/* Non-blocking moves: >0 bytes, 0 would block (or EOF: *eof set), -1 error. */
static ssize_t io_send(int fd, const void *b, size_t n)
{
	ssize_t k = send(fd, b, n, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return k;
}

static ssize_t io_recv(int fd, void *b, size_t n, bool *eof)
{
	ssize_t k = recv(fd, b, n, MSG_DONTWAIT);

	if (k == 0)
		*eof = true;
	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return k;
}

#define STEP_WAIT 0
#define STEP_MOVED 1
#define STEP_DONE 2

/* The client's socket failed: during the handshake an error, after it the
 * end of the session (the client went away). */
static int conn_gone(struct relay *r, struct err *e)
{
	if (!r->handshaken)
		return err_sys(e, errno, "TLS handshake with %s", r->peer);
	return STEP_DONE;
}

/* Both directions ended: a close_notify if the socket can still take it. */
static int finish(struct relay *r)
{
	br_ssl_engine_context *eng = &r->sc.eng;
	unsigned char *buf;
	size_t len;

	if (!r->conn_shut) {
		br_ssl_engine_close(eng);
		if (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(eng, &len);
			(void)!send(r->conn, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		}
	}
	return STEP_DONE;
}

/* Records from the client: into the engine, or the client's EOF. */
static int step_from_client(struct relay *r, short *ev, struct err *e)
{
	br_ssl_engine_context *eng = &r->sc.eng;
	bool eof = false;
	size_t len;
	unsigned char *buf = br_ssl_engine_recvrec_buf(eng, &len);
	ssize_t n = io_recv(r->conn, buf, len, &eof);

	if (n < 0)
		return conn_gone(r, e);
	if (eof && !r->handshaken)
		return err_set(e, "TLS handshake with %s: the client closed the connection",
			       r->peer);
	if (eof) {
		r->conn_eof = true;
		return STEP_MOVED;
	}
	if (n == 0) {
		*ev |= POLLIN;
		return STEP_WAIT;
	}
	br_ssl_engine_recvrec_ack(eng, (size_t)n);
	return STEP_MOVED;
}

/* The daemon's bytes: into the engine, flushed as a record at once. */
static int step_from_plain(struct relay *r, short *ev)
{
	br_ssl_engine_context *eng = &r->sc.eng;
	bool eof = false;
	size_t len;
	unsigned char *buf = br_ssl_engine_sendapp_buf(eng, &len);
	ssize_t n = io_recv(r->plain, buf, len, &eof);

	if (n < 0 || eof) {
		struct pollfd p = {r->plain, 0, 0};
		r->plain_eof = true;
		/* A socket whose peer closed (not just shut down writing) polls
		 * POLLHUP: then nothing more goes that way either. */
		r->plain_gone = n < 0 || (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP));
		br_ssl_engine_flush(eng, 0);
		return STEP_MOVED;
	}
	if (n == 0) {
		*ev |= POLLIN;
		return STEP_WAIT;
	}
	br_ssl_engine_sendapp_ack(eng, (size_t)n);
	br_ssl_engine_flush(eng, 0);
	return STEP_MOVED;
}

/* One pass: the first move that can be made without waiting. STEP_WAIT
 * with the events to wait for, STEP_MOVED, STEP_DONE, or -1. */
static int step(struct relay *r, short *ev_conn, short *ev_plain, struct err *e)
{
	br_ssl_engine_context *eng = &r->sc.eng;
	unsigned st = br_ssl_engine_current_state(eng);
	unsigned char *buf;
	size_t len;
	ssize_t n;
	int s;

	if (st & BR_SSL_CLOSED) {
		int err = br_ssl_engine_last_error(eng);
		if (err != BR_ERR_OK)
			return engine_error(r, err, e);
		if (!r->handshaken)
			return err_set(e, "TLS handshake with %s: closed by the client", r->peer);
		if (!r->plain_shut)
			shutdown(r->plain, SHUT_WR);
		return STEP_DONE; /* the client's close_notify, answered */
	}
	if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))
		r->handshaken = true;
	if (st & BR_SSL_SENDREC) {
		buf = br_ssl_engine_sendrec_buf(eng, &len);
		n = io_send(r->conn, buf, len);
		if (n < 0)
			return conn_gone(r, e);
		if (n > 0) {
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
			return STEP_MOVED;
		}
		*ev_conn |= POLLOUT;
	}
	if (st & BR_SSL_RECVAPP) {
		buf = br_ssl_engine_recvapp_buf(eng, &len);
		n = io_send(r->plain, buf, len);
		if (n < 0)
			return STEP_DONE; /* the daemon dropped the connection */
		if (n > 0) {
			br_ssl_engine_recvapp_ack(eng, (size_t)n);
			return STEP_MOVED;
		}
		*ev_plain |= POLLOUT;
	} else if (r->conn_eof && !r->plain_shut) {
		/* Everything the client sent is delivered: pass its FIN on. */
		shutdown(r->plain, SHUT_WR);
		r->plain_shut = true;
		return STEP_MOVED;
	}
	if ((st & BR_SSL_RECVREC) && !r->conn_eof && (s = step_from_client(r, ev_conn, e)) != 0)
		return s;
	if ((st & BR_SSL_SENDAPP) && !r->plain_eof && (s = step_from_plain(r, ev_plain)) != 0)
		return s;
	if (r->plain_eof && !(st & BR_SSL_SENDREC)) {
		/* The daemon closed: close_notify, as a TLS peer should. */
		if (r->plain_gone || (r->conn_eof && r->plain_shut))
			return finish(r);
		if (!r->conn_shut) {
			/* A TCP FIN: the client may still send (see tls-server.h). */
			shutdown(r->conn, SHUT_WR);
			r->conn_shut = true;
			return STEP_MOVED;
		}
	}
	return STEP_WAIT;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int relay_loop(struct relay *r, const struct tls_server_config *c, struct err *e)
{
	long long start = now_ms(), linger_from = -1;

	for (;;) {
		short ec = 0, ep = 0;
		int s = step(r, &ec, &ep, e), t = -1;
		struct pollfd p[2];

		if (s < 0)
			return -1;
		if (s == STEP_DONE)
			return 0;
		if (s == STEP_MOVED)
			continue;
		if (!ec && !ep)
			return err_set(e, "TLS connection from %s: stalled (BearSSL state %u)",
				       r->peer, br_ssl_engine_current_state(&r->sc.eng));
		if (!r->handshaken) {
			t = (int)(start + c->handshake_ms - now_ms());
			if (t <= 0)
				return err_set(e, "TLS handshake with %s: timed out after %d s",
					       r->peer, c->handshake_ms / 1000);
		} else if (r->plain_eof) {
			if (linger_from < 0)
				linger_from = now_ms();
			t = (int)(linger_from + c->linger_ms - now_ms());
			if (t <= 0)
				return 0; /* the client did not close: we do */
		}
		/* An fd we do not wait on is left out: its POLLHUP would spin. */
		p[0] = (struct pollfd){ec ? r->conn : -1, ec, 0};
		p[1] = (struct pollfd){ep ? r->plain : -1, ep, 0};
		if (poll(p, 2, t) < 0 && errno != EINTR)
			return err_sys(e, errno, "poll");
	}
}

int tls_server_relay(const struct tls_server_config *c, int conn_fd, int plain_fd, struct err *e)
{
	struct relay *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return err_sys(e, ENOMEM, "TLS connection");
	r->conn = conn_fd;
	r->plain = plain_fd;
	peer_name(r);
	server_init(r, c->tc);
	if (!br_ssl_server_reset(&r->sc))
		rc = engine_error(r, br_ssl_engine_last_error(&r->sc.eng), e);
	else
		rc = relay_loop(r, c, e);
	/* The session keys live in the context. */
	memset(r, 0, sizeof(*r));
	free(r);
	return rc;
}
