/* ref.h - image references the way the docker CLI reads them ("busybox",
 * "localhost:5000/app:1.2", "name@sha256:..."), normalized to full names. */
#ifndef TUG_REG_REF_H
#define TUG_REG_REF_H

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "err.h"

/* Longest reg_ref_string(): a 255-byte name, ":" + 128-byte tag, "@" + digest. */
#define REG_REF_STR_MAX 512

struct reg_ref {
	char domain[256]; /* "docker.io", "localhost:5000", "[::1]:5000" */
	char path[256]; /* "library/busybox" */
	char tag[129]; /* "" when only a digest was given */
	char digest[DIGEST_STR_MAX]; /* "" or "sha256:<64 hex>" */
	bool tag_implied; /* neither tag nor digest was given: tag is "latest" */
};

/* Parse s as Docker does (distribution/reference ParseNormalizedNamed then
 * TagNameOnly): "busybox" -> docker.io/library/busybox:latest, "user/app" ->
 * docker.io/user/app:latest; a first component with '.' or ':', one that is
 * "localhost", or one with uppercase letters is a registry host;
 * index.docker.io is docker.io. The messages are Docker's own ("invalid
 * reference format: repository name (library/Busybox) must be lowercase"),
 * so that scripts written for docker see the same text; callers add what
 * they were doing ("pull Busybox: ..."). Returns 0 or -1. */
int reg_ref_parse(struct reg_ref *r, const char *s, struct err *e);

/* The formatters write at most n bytes (REG_REF_STR_MAX is always enough)
 * and return buf, so that they nest in a printf. */

/* "docker.io/library/busybox:latest", "name@sha256:...", "name:tag@sha256:..." */
char *reg_ref_string(const struct reg_ref *r, char *buf, size_t n);
/* "docker.io/library/busybox" */
char *reg_ref_name(const struct reg_ref *r, char *buf, size_t n);
/* As docker shows it: "busybox:latest", "user/app:1", "quay.io/x/y:2" */
char *reg_ref_familiar(const struct reg_ref *r, char *buf, size_t n);
/* The familiar name alone (the REPOSITORY column): "busybox" */
char *reg_ref_familiar_name(const struct reg_ref *r, char *buf, size_t n);

/* The host[:port] to contact: "registry-1.docker.io" for docker.io, else the
 * domain as written (IPv6 keeps its brackets). Points into r or to a
 * constant string. */
const char *reg_ref_registry_host(const struct reg_ref *r);

/* True when s can name an image by its id rather than by a name: 1 to 64
 * lowercase hex digits, with or without "sha256:" ("sha256:ab12", "ab12").
 * A short hex string is also a valid name; Docker looks it up as a name
 * first, then as an id prefix, and callers should do the same. */
bool reg_ref_is_id_prefix(const char *s);

#endif
