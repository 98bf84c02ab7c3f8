/* auth.h - registry authentication pieces that need no network: the
 * WWW-Authenticate challenge, credentials in Docker's config.json (and
 * tug's own), the token server's answer, X-Registry-Auth values. */
#ifndef TUG_REGISTRY_AUTH_H
#define TUG_REGISTRY_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum reg_auth_scheme {
	REG_AUTH_NONE,
	REG_AUTH_BASIC,
	REG_AUTH_BEARER,
};

struct reg_challenge {
	enum reg_auth_scheme scheme;
	char realm[1024];
	char service[256];
	char scope[512];
	char error[64]; /* "insufficient_scope", ... when the server said */
};

/* Parse a WWW-Authenticate value; the first Bearer or Basic challenge wins.
 * Unknown schemes alone are an error naming them. */
int reg_challenge_parse(const char *value, struct reg_challenge *c, struct err *e);

struct reg_creds {
	char user[256];
	char pass[1024];
	char identity_token[2048]; /* an OAuth refresh token (docker login with SSO) */
};

/* The config.json key Docker uses for a registry: docker.io is stored as
 * "https://index.docker.io/v1/", others as the host[:port]. */
const char *reg_creds_key(const char *registry, char *buf, size_t size);

/* The credentials for registry (a domain as in a reference: "docker.io",
 * "localhost:5000") from the config file at path: 0 and *c when found, 1 when
 * the file or the entry is absent, -1 when the file is unreadable or broken.
 * Keys match the way Docker's do: "host", "https://host", "http://host/v1/". */
int reg_creds_lookup(const char *path, const char *registry, struct reg_creds *c, struct err *e);
/* The path of the user's Docker config: $DOCKER_CONFIG/config.json, else
 * $HOME/.docker/config.json. */
int reg_creds_user_path(char *buf, size_t size, struct err *e);
/* The system-wide file a device image can carry. */
#define REG_CREDS_SYSTEM_PATH "/etc/tug/config.json"
/* Look in the user's file, then the system's. */
int reg_creds_find(const char *registry, struct reg_creds *c, struct err *e);

/* Add or replace (login) or remove (logout; 1 when there was nothing) the
 * entry for registry in the config file at path, keeping every other key of
 * the file; written atomically with mode 0600. */
int reg_creds_store(const char *path, const char *registry, const struct reg_creds *c,
		    struct err *e);
int reg_creds_erase(const char *path, const char *registry, struct err *e);

/* Decode an X-Registry-Auth header value (base64url JSON with username,
 * password, identitytoken, serveraddress). */
int reg_creds_from_header(const char *value, struct reg_creds *c, struct err *e);

/* The token server's answer: "token" or "access_token", with expires_in
 * (60 s when absent or below 60, as the spec says). */
struct reg_token {
	char *token; /* malloc'd */
	int64_t expires; /* CLOCK_MONOTONIC seconds */
};
int reg_token_parse(const char *body, size_t len, int64_t now, struct reg_token *t, struct err *e);

#endif
