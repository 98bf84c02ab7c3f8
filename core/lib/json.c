/* json.c - typed access to cJSON trees with errors that name the JSON path,
 * parsing with a line and column, printing to a buffer or an fd. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "file.h"
#include "json.h"

/* Writes "..." over the end of a cut path so that nobody mistakes it. */
static const char *fit(char *buf, size_t size, int n)
{
	if (n < 0)
		buf[0] = '\0';
	else if ((size_t)n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

const char *json_path_key(char *buf, size_t size, const char *parent, const char *key)
{
	int top = !parent || !*parent;

	return fit(buf, size,
		   snprintf(buf, size, "%s%s%s", top ? "" : parent, top ? "" : ".", key));
}

const char *json_path_index(char *buf, size_t size, const char *parent, size_t index)
{
	return fit(buf, size, snprintf(buf, size, "%s[%zu]", parent ? parent : "", index));
}

static const char *show(const char *path)
{
	return path && *path ? path : "JSON value";
}

static const char *type_name(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return "null";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	return "an invalid value";
}

static int wrong(const cJSON *v, const char *path, const char *want, struct err *e)
{
	return err_set(e, "%s: expected %s, got %s", show(path), want, type_name(v));
}

int json_as_string(const cJSON *v, const char *path, const char **out, struct err *e)
{
	if (!cJSON_IsString(v) || !v->valuestring)
		return wrong(v, path, "a string", e);
	*out = v->valuestring;
	return 0;
}

/* [min, max] must be exactly representable as doubles or be 2^63 - 1, whose
 * nearest double (2^63) is excluded by the "<" below. */
static int as_range(const cJSON *v, const char *path, int64_t min, int64_t max, int64_t *out,
		    struct err *e)
{
	double d;

	if (!cJSON_IsNumber(v))
		return wrong(v, path, "a number", e);
	d = v->valuedouble;
	if (!(d >= (double)min &&
	      (max == INT64_MAX ? d < 9223372036854775808.0 : d <= (double)max)))
		return err_set(e, "%s: %.15g is out of range (%lld to %lld)", show(path), d,
			       (long long)min, (long long)max);
	if ((double)(int64_t)d != d)
		return err_set(e, "%s: expected an integer, got %.15g", show(path), d);
	*out = (int64_t)d;
	return 0;
}

int json_as_int64(const cJSON *v, const char *path, int64_t *out, struct err *e)
{
	return as_range(v, path, INT64_MIN, INT64_MAX, out, e);
}

int json_as_int(const cJSON *v, const char *path, int *out, struct err *e)
{
	int64_t x;

	if (as_range(v, path, INT32_MIN, INT32_MAX, &x, e) < 0)
		return -1;
	*out = (int)x;
	return 0;
}

int json_as_uint32(const cJSON *v, const char *path, uint32_t *out, struct err *e)
{
	int64_t x;

	if (as_range(v, path, 0, UINT32_MAX, &x, e) < 0)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

int json_as_bool(const cJSON *v, const char *path, bool *out, struct err *e)
{
	if (!cJSON_IsBool(v))
		return wrong(v, path, "a boolean", e);
	*out = cJSON_IsTrue(v);
	return 0;
}

int json_as_object(const cJSON *v, const char *path, struct err *e)
{
	return cJSON_IsObject(v) ? 0 : wrong(v, path, "an object", e);
}

int json_as_array(const cJSON *v, const char *path, struct err *e)
{
	return cJSON_IsArray(v) ? 0 : wrong(v, path, "an array", e);
}

static int as_object_out(const cJSON *v, const char *path, const cJSON **out, struct err *e)
{
	if (json_as_object(v, path, e) < 0)
		return -1;
	*out = v;
	return 0;
}

static int as_array_out(const cJSON *v, const char *path, const cJSON **out, struct err *e)
{
	if (json_as_array(v, path, e) < 0)
		return -1;
	*out = v;
	return 0;
}

/* 1: *v is obj[key]; 0: absent or null, fine unless required; -1: error.
 * kpath receives the key's path for the caller's messages. */
static int lookup(const cJSON *obj, const char *path, const char *key, unsigned flags,
		  const cJSON **v, char *kpath, size_t ksize, struct err *e)
{
	json_path_key(kpath, ksize, path, key);
	if (json_as_object(obj, path, e) < 0)
		return -1;
	if (flags & JSON_NOCASE)
		*v = cJSON_GetObjectItem(obj, key);
	else
		*v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (*v && !cJSON_IsNull(*v))
		return 1;
	if (flags & JSON_REQUIRED)
		return err_set(e, "%s: missing", kpath);
	return 0;
}

#define JSON_GETTER(name, type, as)                                                                \
	int name(const cJSON *obj, const char *path, const char *key, unsigned flags, type *out,   \
		 struct err *e)                                                                    \
	{                                                                                          \
		char kpath[JSON_PATH_MAX];                                                         \
		const cJSON *v;                                                                    \
		int r = lookup(obj, path, key, flags, &v, kpath, sizeof(kpath), e);                \
                                                                                                   \
		if (r <= 0)                                                                        \
			return r;                                                                  \
		return as(v, kpath, out, e) < 0 ? -1 : 1;                                          \
	}

JSON_GETTER(json_get_string, const char *, json_as_string)
JSON_GETTER(json_get_int64, int64_t, json_as_int64)
JSON_GETTER(json_get_int, int, json_as_int)
JSON_GETTER(json_get_uint32, uint32_t, json_as_uint32)
JSON_GETTER(json_get_bool, bool, json_as_bool)
JSON_GETTER(json_get_object, const cJSON *, as_object_out)
JSON_GETTER(json_get_array, const cJSON *, as_array_out)

int json_get_strings(const cJSON *obj, const char *path, const char *key, unsigned flags,
		     const cJSON **out, size_t *n, struct err *e)
{
	char kpath[JSON_PATH_MAX], ipath[JSON_PATH_MAX];
	const cJSON *arr = NULL, *item;
	const char *s;
	size_t i = 0;
	int r = json_get_array(obj, path, key, flags, &arr, e);

	if (r <= 0)
		return r;
	json_path_key(kpath, sizeof(kpath), path, key);
	cJSON_ArrayForEach(item, arr)
	{
		json_path_index(ipath, sizeof(ipath), kpath, i);
		if (json_as_string(item, ipath, &s, e) < 0)
			return -1;
		i++;
	}
	*out = arr;
	*n = i;
	return 1;
}

/* 1-based line and column of offset off, for people reading the file. */
static void where(const char *buf, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n')
			(*line)++, *col = 1;
		else
			(*col)++;
	}
}

int json_parse(const char *buf, size_t len, cJSON **out, struct err *e)
{
	const char *end = NULL;
	size_t off, line, col;
	cJSON *v;

	if (len == 0)
		return err_set(e, "invalid JSON: empty document");
	v = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0;
	if (!v) {
		where(buf, off, &line, &col);
		return err_set(e, "invalid JSON at line %zu, column %zu", line, col);
	}
	while (off < len && buf[off] && strchr(" \t\r\n", buf[off]))
		off++;
	if (off < len) {
		cJSON_Delete(v);
		where(buf, off, &line, &col);
		return err_set(e, "invalid JSON at line %zu, column %zu: data after the value",
			       line, col);
	}
	*out = v;
	return 0;
}

int json_write_fd(int fd, const cJSON *v, bool pretty, struct err *e)
{
	char *s = NULL;
	size_t len = 0;
	int ret;

	if (json_print(v, pretty, &s, &len, e) < 0)
		return -1;
	s[len] = '\n'; /* over the NUL: one write for value and newline */
	ret = file_write_full(fd, s, len + 1, e);
	cJSON_free(s);
	if (ret < 0)
		return err_wrap(e, "write JSON");
	return 0;
}

cJSON *json_add_u64(cJSON *obj, const char *key, uint64_t v)
{
	char num[24];
	cJSON *item;

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	item = cJSON_CreateRaw(num);
	if (item && !cJSON_AddItemToObject(obj, key, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}
