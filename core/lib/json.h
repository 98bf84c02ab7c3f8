/* json.h - thin helpers over cJSON: typed lookups whose errors name the JSON
 * path ("process.user.uid: expected a number"), parse with a position, print. */
#ifndef TUG_JSON_H
#define TUG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "err.h"

/* Flags for json_get_*. */
#define JSON_REQUIRED 0x1 /* absent or null is an error ("x.y: missing") */
#define JSON_NOCASE                                                                                \
	0x2 /* match the key ignoring case, as Go's decoder
				 * does for Docker API bodies; OCI is exact */

/* Paths for messages: "linux" + "namespaces" -> "linux.namespaces", then
 * + 2 -> "linux.namespaces[2]". parent "" or NULL is the top. Both write buf
 * (cut with "..." if too small) and return it, to nest in a call. */
#define JSON_PATH_MAX 256
const char *json_path_key(char *buf, size_t size, const char *parent, const char *key);
const char *json_path_index(char *buf, size_t size, const char *parent, size_t index);

/* Type checks of one value (an array element, a root); path names it in the
 * error. Returns 0 or -1. Strings and items stay owned by the cJSON tree.
 * Numbers are doubles in cJSON: integers must be whole and in range, and
 * beyond 2^53 they are no longer exact. */
int json_as_string(const cJSON *v, const char *path, const char **out, struct err *e);
int json_as_int64(const cJSON *v, const char *path, int64_t *out, struct err *e);
int json_as_int(const cJSON *v, const char *path, int *out, struct err *e);
int json_as_uint32(const cJSON *v, const char *path, uint32_t *out, struct err *e);
int json_as_bool(const cJSON *v, const char *path, bool *out, struct err *e);
int json_as_object(const cJSON *v, const char *path, struct err *e);
int json_as_array(const cJSON *v, const char *path, struct err *e);

/* obj[key] with a type check; path is obj's own path ("" at the top).
 * Returns 1 when found (*out set), 0 when absent or null (*out untouched;
 * an error instead with JSON_REQUIRED), -1 on a wrong type. */
int json_get_string(const cJSON *obj, const char *path, const char *key, unsigned flags,
		    const char **out, struct err *e);
int json_get_int64(const cJSON *obj, const char *path, const char *key, unsigned flags,
		   int64_t *out, struct err *e);
int json_get_int(const cJSON *obj, const char *path, const char *key, unsigned flags, int *out,
		 struct err *e);
int json_get_uint32(const cJSON *obj, const char *path, const char *key, unsigned flags,
		    uint32_t *out, struct err *e);
int json_get_bool(const cJSON *obj, const char *path, const char *key, unsigned flags, bool *out,
		  struct err *e);
int json_get_object(const cJSON *obj, const char *path, const char *key, unsigned flags,
		    const cJSON **out, struct err *e);
int json_get_array(const cJSON *obj, const char *path, const char *key, unsigned flags,
		   const cJSON **out, struct err *e);
/* An array whose elements must all be strings (args, env); *n is its size. */
int json_get_strings(const cJSON *obj, const char *path, const char *key, unsigned flags,
		     const cJSON **out, size_t *n, struct err *e);

/* Parse len bytes (no NUL needed) as one JSON value; whitespace may follow,
 * nothing else. *out is the caller's (cJSON_Delete). Errors say where:
 * "invalid JSON at line 3, column 7". */
int json_parse(const char *buf, size_t len, cJSON **out, struct err *e);

/* Serialize (pretty: tab-indented, "key": value, as Go's MarshalIndent);
 * *out is the caller's (free); *len excludes the NUL. Integers up to 2^53
 * are printed exactly, other numbers with 17 significant digits. */
int json_print(const cJSON *v, bool pretty, char **out, size_t *len, struct err *e);

/* obj[key] = v as an exact integer: cJSON keeps numbers as doubles, which
 * lose bits above 2^53 and print 2^63 as 9.22e+18 (Go's uint64 decoding
 * refuses that). Returns the new item, NULL when out of memory. */
cJSON *json_add_u64(cJSON *obj, const char *key, uint64_t v);

/* Serialize to fd followed by a newline. */
int json_write_fd(int fd, const cJSON *v, bool pretty, struct err *e);

#endif
