/* spec-internal.h - what the parts of the config.json parser share: the parse
 * context, its allocation list and typed getters that fill oci_opt_* values. */
#ifndef TUG_OCI_SPEC_INTERNAL_H
#define TUG_OCI_SPEC_INTERNAL_H

#include "json.h"
#include "oci/spec.h"

struct spec_priv {
	cJSON *root; /* the parsed JSON; strings in the spec point into it */
	void *allocs; /* list of blocks from sp_alloc */
};

struct sp {
	struct oci_spec *s;
	struct spec_priv *priv;
	struct err *e;
};

/* A new spec and its JSON tree from text; the caller fills it in and frees
 * it with oci_spec_free on failure. */
int sp_begin(struct sp *p, const char *json, size_t len, struct err *e);

/* Zeroed memory owned by the spec; NULL (with e set) when out of memory. */
void *sp_alloc(struct sp *p, size_t size);
void *sp_array(struct sp *p, size_t n, size_t size);

/* obj[key] as a NULL-terminated array of borrowed strings (*out stays NULL
 * when absent). Returns 0 or -1. */
int sp_strings(struct sp *p, const cJSON *obj, const char *path, const char *key, const char ***out,
	       size_t *n);
int sp_opt_i64(struct sp *p, const cJSON *obj, const char *path, const char *key,
	       struct oci_opt_i64 *out);
int sp_opt_u64(struct sp *p, const cJSON *obj, const char *path, const char *key,
	       struct oci_opt_u64 *out);
/* obj (an object of strings) as key/value pairs. */
int sp_kv(struct sp *p, const cJSON *obj, const char *path, const char *key, struct oci_kv **out,
	  size_t *n);

/* The sections, each in its own file. */
int sp_parse_process(struct sp *p, const cJSON *obj, const char *path);
int sp_parse_linux(struct sp *p, const cJSON *obj, const char *path);
int sp_parse_resources(struct sp *p, const cJSON *obj, const char *path,
		       struct oci_resources **out);
int sp_parse_seccomp(struct sp *p, const cJSON *obj, const char *path);

#endif
