/* api.h - the client side of the Docker Engine API: HTTP/1.1 over the
 * daemon's unix socket (a tcp/TLS transport plugs in at api_dial), version
 * negotiation by HEAD /_ping, bodies read as streams, errors as the docker
 * CLI prints them, and hijacked connections for attach and exec. */
#ifndef TUG_CLIENT_API_H
#define TUG_CLIENT_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cJSON.h>

#include "err.h"
#include "http-parse.h"
#include "http.h"

#define API_DEFAULT_HOST "unix:///run/tug.sock"
#define API_VERSION_MAX "1.47" /* the newest API version this client speaks */

/* One connection to the daemon with its read buffer: bytes read past a
 * response head stay here for the body (or the hijacked stream). */
struct api_conn {
	int fd;
	size_t off, len;
	char buf[16384];
};

struct api_client {
	char host[512]; /* as given: "unix:///run/tug.sock" */
	char sock_path[108]; /* the unix socket's path */
	char version[16]; /* negotiated: "1.47", "1.41"; "" before api_ping */
	char server_version[16]; /* the daemon's Api-Version header */
	char server[128]; /* the daemon's Server header */
	struct api_conn *idle; /* a kept-alive connection, or NULL */
};

struct api_resp {
	int status;
	struct http_response h; /* headers point into head[] */
	char head[8192];
	struct api_conn *conn; /* owned until api_end */
	struct http_framing fr;
	struct http_chunked ch;
	int64_t left; /* SIZED: bytes left */
	bool eof;
};

/* The daemon's address: host (-H) if given, else $TUG_HOST, else
 * $DOCKER_HOST, else API_DEFAULT_HOST. unix:// only for now. */
int api_init(struct api_client *c, const char *host, struct err *e);
void api_close(struct api_client *c);

/* HEAD /_ping: learn the daemon's API version and use
 * min(API_VERSION_MAX, its version) for every later path. A daemon that
 * cannot be reached fails with "Cannot connect to the tug daemon at HOST.
 * Is the tug daemon running?" (errnum kept). */
int api_ping(struct api_client *c, struct err *e);

/* Extra request headers ("Name: value", NULL-terminated) may be NULL. The
 * path is given without the version ("/containers/json?all=1"); body may
 * be NULL (Content-Length: 0). ctype NULL: application/json when there is
 * a body. The response's status and headers are read; its body with
 * api_read and it must be finished with api_end. */
int api_do(struct api_client *c, const char *method, const char *path, const char *ctype,
	   const void *body, size_t blen, const char *const *hdrs, struct api_resp *r,
	   struct err *e);
/* Like api_do with the body read from fd to its end, sent chunked. */
int api_do_fd(struct api_client *c, const char *method, const char *path, const char *ctype, int fd,
	      struct api_resp *r, struct err *e);
/* Body bytes: >0, 0 at the end, -1 on error. */
ssize_t api_read(struct api_resp *r, void *buf, size_t n, struct err *e);
/* The whole body (at most max bytes), NUL-terminated, malloc'd. */
int api_read_all(struct api_resp *r, size_t max, char **out, size_t *len, struct err *e);
/* One line of a JSON-lines stream (events, pull progress) into buf without
 * its newline; 1 when one was read, 0 at the end, -1 on error. */
int api_read_line(struct api_resp *r, char *buf, size_t size, struct err *e);
/* Done: the connection goes back to c when the body was read to its end
 * and the daemon keeps it alive; else it is closed. */
void api_end(struct api_client *c, struct api_resp *r);

/* A failed response (status >= 400) as the docker CLI says it: reads the
 * body, "Error response from daemon: <message>". Returns -1. */
int api_error(struct api_resp *r, struct err *e);

/* A request with a JSON body (may be NULL) whose answer is JSON (or
 * empty): *out gets the parsed body or NULL (may be NULL itself: the body
 * is dropped). Fails with api_error's message on status >= 400; returns
 * the status. */
int api_json(struct api_client *c, const char *method, const char *path, const cJSON *body,
	     cJSON **out, struct err *e);

/* A hijacked request (attach, exec start): sends Connection: Upgrade,
 * Upgrade: tcp and expects 101 (a 200 is accepted too, as older daemons
 * answer). *conn is the raw stream, with any bytes already read in its
 * buffer; the caller frees it with api_conn_free. */
int api_hijack(struct api_client *c, const char *path, const char *ctype, const void *body,
	       size_t blen, struct api_conn **conn, struct err *e);
void api_conn_free(struct api_conn *conn);

/* Percent-encode s for a query value or a path segment into buf. */
const char *api_escape(const char *s, char *buf, size_t size);

#endif
