/* config-parse.c - values of the daemon's settings: each checked and
 * normalized, daemon.json read with dockerd's rules (unknown keys and keys
 * also given as flags are refused), and the final defaults and checks. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-int.h"
#include "file.h"
#include "json.h"
#include "log.h"

/* ---------------------------------------------------------------- sizes */

int tug_config_parse_size(const char *s, int64_t *out, struct err *e)
{
	static const char units[] = "kmgtp";
	const char *p = s, *num_end, *u;
	char sfx[4] = "";
	double v, mul = 1;
	char *end;

	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	num_end = p;
	if (num_end == s)
		return err_set(e, "invalid size: '%s'", s);
	v = strtod(s, &end);
	if (end != num_end || v < 0 || !isfinite(v))
		return err_set(e, "invalid size: '%s'", s);
	if (*p == ' ')
		p++;
	if (strlen(p) > 3)
		return err_set(e, "invalid suffix: '%s'", p);
	for (size_t i = 0; p[i]; i++)
		sfx[i] = (char)tolower((unsigned char)p[i]);
	if (sfx[0] && sfx[0] != 'b') {
		u = strchr(units, sfx[0]);
		if (!u || (sfx[1] && strcmp(sfx + 1, "b") && strcmp(sfx + 1, "ib")))
			return err_set(e, "invalid suffix: '%s'", p);
		for (const char *q = units; q <= u; q++)
			mul *= 1000;
	} else if (sfx[0] == 'b' && sfx[1]) {
		return err_set(e, "invalid suffix: '%s'", p);
	}
	if (v * mul >= 9.2e18)
		return err_set(e, "invalid size: '%s'", s);
	*out = (int64_t)(v * mul);
	return 0;
}

/* ---------------------------------------------------------------- hosts */

static int parse_port(const char *s, struct err *e)
{
	char *end;
	long p = strtol(s, &end, 10);

	if (!*s || *end || p < 1 || p > 65535)
		return -1;
	return (int)p;
}

/* "host:port", "[v6]:port", "host", ":port", "" -> "tcp://host:port". */
static int parse_tcp(const char *orig, const char *a, bool tls, char **out, struct err *e)
{
	char host[256] = "localhost", buf[300];
	const char *colon;
	int port = tls ? TUG_CONFIG_TLS_PORT : TUG_CONFIG_TCP_PORT;

	if (strstr(a, "://"))
		return err_set(e, "Invalid proto, expected tcp: %s", orig);
	if (a[0] == '[') {
		const char *rb = strchr(a, ']');
		if (!rb || (size_t)(rb - a - 1) >= sizeof(host) || (rb[1] && rb[1] != ':'))
			return err_set(e, "Invalid bind address format: %s", orig);
		snprintf(host, sizeof(host), "%.*s", (int)(rb - a - 1), a + 1);
		colon = rb[1] ? rb + 1 : NULL;
	} else {
		colon = strrchr(a, ':');
		if (colon && strchr(a, ':') != colon)
			return err_set(e, "Invalid bind address format: %s", orig);
		size_t hl = colon ? (size_t)(colon - a) : strlen(a);
		if (hl >= sizeof(host))
			return err_set(e, "Invalid bind address format: %s", orig);
		if (hl)
			snprintf(host, sizeof(host), "%.*s", (int)hl, a);
	}
	if (colon && colon[1] && (port = parse_port(colon + 1, e)) < 0)
		return err_set(e, "Invalid bind address format: %s", orig);
	if (strchr(host, ':'))
		snprintf(buf, sizeof(buf), "tcp://[%s]:%d", host, port);
	else
		snprintf(buf, sizeof(buf), "tcp://%s:%d", host, port);
	*out = strdup(buf);
	return *out ? 0 : err_sys(e, ENOMEM, "host %s", orig);
}

int tug_config_parse_host(const char *val, bool tls, char **out, struct err *e)
{
	const char *sep = strstr(val, "://"), *rest;
	char buf[PATH_MAX + 8];

	*out = NULL;
	while (isspace((unsigned char)*val))
		val++;
	if (!*val)
		return (*out = strdup(TUG_CONFIG_HOST)) ? 0 : err_sys(e, ENOMEM, "host");
	if (!sep)
		return parse_tcp(val, val, tls, out, e);
	rest = sep + 3;
	if (!strncmp(val, "tcp://", 6))
		return parse_tcp(val, rest, tls, out, e);
	if (!strncmp(val, "unix://", 7)) {
		if (strstr(rest, "://"))
			return err_set(e, "Invalid proto, expected unix: %s", rest);
		if (*rest && *rest != '/')
			return err_set(e, "%s: the socket's path must be absolute", val);
		snprintf(buf, sizeof(buf), "unix://%s", *rest ? rest : TUG_CONFIG_SOCKET);
		return (*out = strdup(buf)) ? 0 : err_sys(e, ENOMEM, "host");
	}
	if (!strncmp(val, "fd://", 5)) {
		if (*rest && (strspn(rest, "0123456789") != strlen(rest) || atoi(rest) < 3))
			return err_set(e, "Invalid bind address format: %s", val);
		return (*out = strdup(val)) ? 0 : err_sys(e, ENOMEM, "host");
	}
	return err_set(e, "Invalid bind address format: %s", val);
}

/* ---------------------------------------------------------------- values */

static bool is_ip(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* "a.b.c.d/n" or "v6/n": returns the prefix length or -1. */
static int cidr_prefix(const char *s)
{
	const char *slash = strchr(s, '/');
	char ip[64];
	unsigned char a[16];
	char *end;
	long n;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return -1;
	snprintf(ip, sizeof(ip), "%.*s", (int)(slash - s), s);
	n = strtol(slash + 1, &end, 10);
	if (!slash[1] || *end || n < 0)
		return -1;
	if (inet_pton(AF_INET, ip, a) == 1)
		return n <= 32 ? (int)n : -1;
	if (inet_pton(AF_INET6, ip, a) == 1)
		return n <= 128 ? (int)n : -1;
	return -1;
}

static int check_log_driver(const char *v, struct err *e)
{
	static const char *const docker_only[] = {"local",   "syslog",    "journald", "gelf",
						  "fluentd", "awslogs",   "splunk",   "etwlogs",
						  "gcplogs", "logentries"};

	if (!strcmp(v, "json-file") || !strcmp(v, "none"))
		return 0;
	for (size_t i = 0; i < sizeof(docker_only) / sizeof(docker_only[0]); i++)
		if (!strcmp(v, docker_only[i]))
			return err_set(
				e, "log driver %s is not supported by tug (json-file or none)", v);
	return err_set(e, "no log driver named '%s'", v);
}

static int check_storage(const char *v, char **out, struct err *e)
{
	const char *canon = NULL;

	if (!strcmp(v, "overlay") || !strcmp(v, "overlay2"))
		canon = CFG_SNAPSHOT_OVERLAY ? "overlay" : NULL;
	else if (!strcmp(v, "copy") || !strcmp(v, "vfs"))
		canon = CFG_SNAPSHOT_COPY ? "copy" : NULL;
	else
		return err_set(e, "unknown storage driver (overlay, overlay2, copy or vfs)");
	if (!canon)
		return err_set(e, "the %s snapshotter is compiled out", v);
	return (*out = strdup(canon)) ? 0 : err_sys(e, ENOMEM, "storage-driver");
}

static const char *const ulimit_names[] = {
	"core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
	"nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack",
};

static int parse_i64(const char *s, const char *end, int64_t *out)
{
	char buf[32], *e2;
	long long v;

	if (end - s <= 0 || (size_t)(end - s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%.*s", (int)(end - s), s);
	errno = 0;
	v = strtoll(buf, &e2, 10);
	if (errno || *e2 || v < -1)
		return -1;
	*out = v;
	return 0;
}

/* "nofile=1024[:2048]" -> "nofile=1024:2048" (docker's --ulimit). */
static int check_ulimit(const char *v, char **out, struct err *e)
{
	const char *eq = strchr(v, '='), *colon;
	int64_t soft, hard;
	bool known = false;
	char buf[96];

	if (!eq)
		return err_set(e, "invalid ulimit argument (want name=soft[:hard])");
	for (size_t i = 0; i < sizeof(ulimit_names) / sizeof(ulimit_names[0]); i++)
		known |= strlen(ulimit_names[i]) == (size_t)(eq - v) &&
			 !strncmp(v, ulimit_names[i], (size_t)(eq - v));
	if (!known)
		return err_set(e, "invalid ulimit type: %.*s", (int)(eq - v), v);
	colon = strchr(eq + 1, ':');
	if (parse_i64(eq + 1, colon ? colon : eq + 1 + strlen(eq + 1), &soft) < 0 ||
	    (colon && parse_i64(colon + 1, colon + 1 + strlen(colon + 1), &hard) < 0))
		return err_set(e, "invalid ulimit argument (want name=soft[:hard])");
	if (!colon)
		hard = soft;
	if (soft > hard && hard != -1)
		return err_set(
			e,
			"ulimit soft limit must be less than or equal to hard limit: %lld > %lld",
			(long long)soft, (long long)hard);
	snprintf(buf, sizeof(buf), "%.*s=%lld:%lld", (int)(eq - v), v, (long long)soft,
		 (long long)hard);
	return (*out = strdup(buf)) ? 0 : err_sys(e, ENOMEM, "ulimit");
}

static int check_path(const char *v, char **out, struct err *e)
{
	char cwd[PATH_MAX], buf[PATH_MAX * 2];

	if (!*v)
		return err_set(e, "empty path");
	if (v[0] == '/')
		return (*out = strdup(v)) ? 0 : err_sys(e, ENOMEM, "path");
	/* dockerd makes relative paths absolute against its start folder. */
	if (!getcwd(cwd, sizeof(cwd)))
		return err_sys(e, errno, "current folder");
	snprintf(buf, sizeof(buf), "%s/%s", cwd, v);
	return (*out = strdup(buf)) ? 0 : err_sys(e, ENOMEM, "path");
}

int conf_check(const struct conf_def *d, const char *v, char **out, struct err *e)
{
	enum log_level lvl;
	char *tmp;

	*out = NULL;
	switch (d->kind) {
	case CK_PATH:
		return check_path(v, out, e);
	case CK_HOST:
		if (tug_config_parse_host(v, false, &tmp, e) < 0)
			return -1;
		free(tmp);
		break;
	case CK_LOGDRV:
		if (check_log_driver(v, e) < 0)
			return -1;
		break;
	case CK_LOGOPT:
		if (!strchr(v, '=') || v[0] == '=')
			return err_set(e, "invalid key value pair format in driver options");
		break;
	case CK_LEVEL:
		if (log_level_parse(v, &lvl, e) < 0)
			return err_set(e, "invalid logging level");
		break;
	case CK_STORAGE:
		return check_storage(v, out, e);
	case CK_INSECURE:
		if (strstr(v, "://"))
			return err_set(e, "insecure registry should not contain '://'");
		if (!*v)
			return err_set(e, "empty registry name");
		break;
	case CK_MIRROR:
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			return err_set(e, "invalid mirror: the scheme must be http or https");
		if (strchr(strstr(v, "://") + 3, '?') || strchr(v, '#'))
			return err_set(e, "invalid mirror: query or fragment not allowed");
		break;
	case CK_ULIMIT:
		return check_ulimit(v, out, e);
	case CK_CIDR:
		if (cidr_prefix(v) < 0 || !strchr(v, '.'))
			return err_set(e,
				       "not an IPv4 address with a prefix length (172.17.0.1/16)");
		break;
	case CK_DNS:
		if (!is_ip(v))
			return err_set(e, "IP address is not correctly formatted");
		break;
	default:
		if (!*v)
			return err_set(e, "empty value");
	}
	return (*out = strdup(v)) ? 0 : err_sys(e, ENOMEM, "%s", d->key);
}

/* ---------------------------------------------------------------- Go's %v */

static void append(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	if (len + 1 < size)
		snprintf(buf + len, size - len, "%s", s);
}

/* strconv.FormatFloat(v, 'g', -1, 64): the shortest digits that read back
 * as v, with an exponent when it is below -4 or at least 6. */
static void go_float(double v, char *buf, size_t size)
{
	char tmp[40];
	int p, exp;

	for (p = 1; p < 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	exp = atoi(strchr(tmp, 'e') + 1);
	if (exp < -4 || exp >= 6)
		snprintf(buf, size, "%s", tmp);
	else
		snprintf(buf, size, "%.*f", p - 1 - exp > 0 ? p - 1 - exp : 0, v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void go_map(const cJSON *v, char *buf, size_t size)
{
	const char *keys[64];
	size_t n = 0;
	char item[256];
	const cJSON *c;

	cJSON_ArrayForEach(c, v) if (n < 64) keys[n++] = c->string;
	qsort(keys, n, sizeof(keys[0]), cmp_str);
	append(buf, size, "map[");
	for (size_t i = 0; i < n; i++) {
		item[0] = '\0';
		conf_go_value(cJSON_GetObjectItemCaseSensitive(v, keys[i]), item, sizeof(item));
		append(buf, size, i ? " " : "");
		append(buf, size, keys[i]);
		append(buf, size, ":");
		append(buf, size, item);
	}
	append(buf, size, "]");
}

/* Appends to buf. */
void conf_go_value(const cJSON *v, char *buf, size_t size)
{
	char item[256];
	const cJSON *c;
	bool first = true;

	if (cJSON_IsString(v)) {
		append(buf, size, v->valuestring);
	} else if (cJSON_IsBool(v)) {
		append(buf, size, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsNumber(v)) {
		go_float(v->valuedouble, item, sizeof(item));
		append(buf, size, item);
	} else if (cJSON_IsArray(v)) {
		append(buf, size, "[");
		cJSON_ArrayForEach(c, v)
		{
			item[0] = '\0';
			conf_go_value(c, item, sizeof(item));
			append(buf, size, first ? "" : " ");
			append(buf, size, item);
			first = false;
		}
		append(buf, size, "]");
	} else if (cJSON_IsObject(v)) {
		go_map(v, buf, size);
	} else {
		append(buf, size, "<nil>");
	}
}

/* A flag's value as pflag's String() shows it. */
void conf_go_field(struct tug_daemon_config *c, const struct conf_def *d, char *buf, size_t size)
{
	void *f = conf_field(c, d);
	const struct tug_strv *l = f;
	cJSON *m;

	buf[0] = '\0';
	switch (d->type) {
	case CT_STR:
		append(buf, size, *(char **)f ? *(char **)f : "");
		return;
	case CT_BOOL:
		append(buf, size, *(bool *)f ? "true" : "false");
		return;
	case CT_INT:
		snprintf(buf, size, "%d", *(int *)f);
		return;
	}
	if (d->kind == CK_LOGOPT && (m = cJSON_CreateObject())) {
		for (size_t i = 0; i < l->n; i++) {
			char *eq = strchr(l->v[i], '=');
			*eq = '\0';
			cJSON_AddStringToObject(m, l->v[i], eq + 1);
			*eq = '=';
		}
		go_map(m, buf, size);
		cJSON_Delete(m);
		return;
	}
	append(buf, size, "[");
	for (size_t i = 0; i < l->n; i++) {
		append(buf, size, i ? " " : "");
		append(buf, size, l->v[i]);
	}
	append(buf, size, "]");
}
