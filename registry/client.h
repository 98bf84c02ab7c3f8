/* client.h - a session with one registry: which scheme it speaks, its TLS
 * trust (certs.d), credentials, and the tokens its auth server handed out.
 * Requests go through reg_request, which answers a 401 by authenticating and
 * trying once more. One session may serve several threads, each with its
 * own http_client (connection). */
#ifndef TUG_REGISTRY_CLIENT_H
#define TUG_REGISTRY_CLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "http.h"
#include "registry/auth.h"

struct tls_config;

struct reg_options {
	/* Insecure registries (daemon.json insecure-registries): "host[:port]"
	 * or a CIDR ("10.0.0.0/8"); 127.0.0.0/8 and ::1/128 always are, as
	 * with dockerd. An insecure registry is tried over HTTPS without
	 * verifying its certificate, then over plain HTTP (reg_insecure).
	 * NULL-terminated; NULL: none. */
	const char *const *insecure;
	/* Mirrors tried first for docker.io ("https://mirror:5000"). */
	const char *const *mirrors;
	/* Folders holding <host[:port]>/ca.crt, client.cert, client.key;
	 * colon-separated. NULL: $TUG_CERTS_D, else /etc/tug/certs.d:/etc/docker/certs.d */
	const char *certs_dirs;
	const char *ca_bundle; /* NULL: the system's */
	int timeout_ms; /* 0: 30 s */
	/* Credentials given with the request (X-Registry-Auth, --creds); NULL:
	 * look in the config files (auth.h reg_creds_find). */
	const struct reg_creds *creds;
	const char *version; /* for User-Agent */
};

#define REG_TOKEN_CACHE 8

struct reg_session {
	char domain[256]; /* as in the reference: "docker.io", "127.0.0.1:5000" */
	char base[320]; /* "https://registry-1.docker.io", "http://127.0.0.1:5000" */
	bool insecure;
	struct tls_config *tls; /* NULL without TLS */
	struct reg_creds creds;
	bool have_creds;
	int timeout_ms;
	const char *version;
	pthread_mutex_t lock; /* guards the fields below */
	struct reg_challenge chal; /* from the last 401 */
	struct {
		char scope[512];
		char *token;
		int64_t expires;
	} tokens[REG_TOKEN_CACHE];
	unsigned next_slot;
};

/* dockerd's decision (registry/insecure.c): hostport ("reg:5000",
 * "[::1]:5000", "10.1.2.3") is insecure when insecure lists it as it is
 * written, or when its address is in 127.0.0.0/8, ::1/128 or a CIDR of
 * insecure. A name is looked up (getaddrinfo) only when resolve is true;
 * localhost always counts as 127.0.0.1. docker.io never is insecure. */
bool reg_insecure(const char *hostport, const char *const *insecure, bool resolve);
/* The address part only: ip (numeric) in the defaults or a CIDR of insecure. */
bool reg_insecure_ip(const char *ip, const char *const *insecure);

/* Open a session with the registry of a reference's domain (base_url: a
 * mirror's URL instead, or NULL). Pings /v2/ to learn the scheme: HTTPS
 * (for an insecure registry without verifying the certificate), then for
 * an insecure registry plain HTTP when HTTPS fails. */
int reg_session_open(struct reg_session *s, const char *domain, const char *base_url,
		     const struct reg_options *o, struct err *e);
void reg_session_close(struct reg_session *s);

/* Prepare an http_client to talk to this session (TLS config, timeouts). */
void reg_session_client(struct reg_session *s, struct http_client *hc);

/* Send a request: url is a path under the base ("/v2/...") or a full URL
 * (Location of an upload). scope is the token scope this needs
 * ("repository:library/busybox:pull"). headers: extra "Name: value" lines
 * (NULL-terminated, may be NULL). On success the response is open: the
 * caller reads the body and calls http_response_end(hc, rs). Any status is
 * success here except 401 after authenticating. */
int reg_request(struct reg_session *s, struct http_client *hc, const struct http_request *rq,
		const char *scope, struct http_response *rs, struct err *e);

/* A registry's error answer as one line: "404 manifest unknown: ..." from
 * the JSON errors array when there is one. Reads (a bounded part of) the
 * body and ends the response. Returns -1 with e filled, prefixed by what. */
int reg_http_error(struct http_client *hc, struct http_response *rs, const char *what,
		   struct err *e);

#endif
