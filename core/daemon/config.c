/* config.c - the daemon's settings: one table names every key once (its
 * daemon.json name, its flag, its type, whether SIGHUP may change it); the
 * command line and the reload are driven by it. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "config-int.h"

#define F(field) offsetof(struct tug_daemon_config, field)

const struct conf_def tug_conf_defs[TUG_CONF_NKEYS] = {
	[TUG_CONF_DATA_ROOT] = {"data-root", NULL, 0, CT_STR, CK_PATH, false, F(data_root),
				"string",
				"Root of persistent state (default \"" TUG_CONFIG_DATA_ROOT "\")"},
	[TUG_CONF_EXEC_ROOT] = {"exec-root", NULL, 0, CT_STR, CK_PATH, false, F(exec_root),
				"string",
				"Root of runtime state (default \"" TUG_CONFIG_EXEC_ROOT "\")"},
	[TUG_CONF_HOSTS] = {"hosts", "host", 'H', CT_STRV, CK_HOST, false, F(hosts), "list",
			    "Socket(s) to listen on (default " TUG_CONFIG_HOST ")"},
	[TUG_CONF_TLS] = {"tls", NULL, 0, CT_BOOL, CK_PLAIN, false, F(tls), NULL,
			  "Use TLS; implied by --tlsverify"},
	[TUG_CONF_TLSVERIFY] = {"tlsverify", NULL, 0, CT_BOOL, CK_PLAIN, false, F(tlsverify), NULL,
				"Use TLS and require client certificates signed by --tlscacert"},
	[TUG_CONF_TLSCACERT] =
		{"tlscacert", NULL, 0, CT_STR, CK_PATH, false, F(tlscacert), "string",
		 "CA certificates clients must be signed by (default /etc/tug/ca.pem)"},
	[TUG_CONF_TLSCERT] = {"tlscert", NULL, 0, CT_STR, CK_PATH, false, F(tlscert), "string",
			      "TLS certificate file (default /etc/tug/cert.pem)"},
	[TUG_CONF_TLSKEY] = {"tlskey", NULL, 0, CT_STR, CK_PATH, false, F(tlskey), "string",
			     "TLS key file (default /etc/tug/key.pem)"},
	[TUG_CONF_ALLOW_INSECURE_TCP] = {"allow-insecure-tcp", NULL, 0, CT_BOOL, CK_PLAIN, false,
					 F(allow_insecure_tcp), NULL,
					 "Allow tcp:// hosts without TLS (root access to anyone "
					 "who reaches the port)"},
	[TUG_CONF_LOG_DRIVER] = {"log-driver", NULL, 0, CT_STR, CK_LOGDRV, false, F(log_driver),
				 "string", "Containers' log driver: json-file or none"},
	[TUG_CONF_LOG_OPTS] = {"log-opts", "log-opt", 0, CT_STRV, CK_LOGOPT, false, F(log_opts),
			       "map", "Log driver options (max-size=10m, max-file=3)"},
	[TUG_CONF_LOG_LEVEL] = {"log-level", NULL, 'l', CT_STR, CK_LEVEL, false, F(log_level),
				"string", "Log level: debug, info, warn, error, fatal"},
	[TUG_CONF_DEBUG] = {"debug", NULL, 'D', CT_BOOL, CK_PLAIN, true, F(debug), NULL,
			    "Enable debug mode"},
	[TUG_CONF_LIVE_RESTORE] = {"live-restore", NULL, 0, CT_BOOL, CK_PLAIN, true,
				   F(live_restore), NULL,
				   "Keep containers running while the daemon is down"},
	[TUG_CONF_STORAGE_DRIVER] = {"storage-driver", NULL, 's', CT_STR, CK_STORAGE, false,
				     F(storage_driver), "string",
				     "Storage driver: overlay (overlay2) or copy (vfs)"},
	[TUG_CONF_INSECURE_REGISTRIES] = {"insecure-registries", "insecure-registry", 0, CT_STRV,
					  CK_INSECURE, true, F(insecure_registries), "list",
					  "Registries reached over plain HTTP or unverified TLS"},
	[TUG_CONF_REGISTRY_MIRRORS] = {"registry-mirrors", "registry-mirror", 0, CT_STRV, CK_MIRROR,
				       true, F(registry_mirrors), "list",
				       "Preferred registry mirror"},
	[TUG_CONF_MAX_DOWNLOADS] = {"max-concurrent-downloads", NULL, 0, CT_INT, CK_NONNEG, true,
				    F(max_concurrent_downloads), "int",
				    "Max concurrent downloads per pull (default 3)"},
	[TUG_CONF_DEFAULT_ULIMITS] = {"default-ulimits", "default-ulimit", 0, CT_STRV, CK_ULIMIT,
				      false, F(default_ulimits), "ulimit",
				      "Default ulimits for containers (nofile=1024:2048)"},
	[TUG_CONF_ADDRESS_POOLS] = {"default-address-pools", "", 0, CT_STRV, CK_POOL, false,
				    F(address_pools), NULL, NULL},
	[TUG_CONF_BIP] = {"bip", NULL, 0, CT_STR, CK_CIDR, false, F(bip), "string",
			  "Address and prefix of the default bridge (172.17.0.1/16)"},
	[TUG_CONF_BRIDGE] = {"bridge", NULL, 'b', CT_STR, CK_PLAIN, false, F(bridge), "string",
			     "Attach containers to this bridge; \"none\" for no bridge"},
	[TUG_CONF_DNS] = {"dns", NULL, 0, CT_STRV, CK_DNS, false, F(dns), "list",
			  "DNS server for containers"},
	[TUG_CONF_IPTABLES] = {"iptables", NULL, 0, CT_BOOL, CK_PLAIN, false, F(iptables), NULL,
			       "Add NAT rules (default true)"},
	[TUG_CONF_IP_FORWARD] = {"ip-forward", NULL, 0, CT_BOOL, CK_PLAIN, false, F(ip_forward),
				 NULL, "Enable net.ipv4.ip_forward (default true)"},
	[TUG_CONF_USERLAND_PROXY] = {"userland-proxy", NULL, 0, CT_BOOL, CK_PLAIN, false,
				     F(userland_proxy), NULL,
				     "Use a userland proxy for loopback traffic (default true)"},
	[TUG_CONF_GROUP] = {"group", NULL, 'G', CT_STR, CK_PLAIN, false, F(group), "string",
			    "Group of the unix socket (default tug, else docker, else root)"},
	[TUG_CONF_PIDFILE] = {"pidfile", NULL, 'p', CT_STR, CK_PATH, false, F(pidfile), "string",
			      "Path of the pid file (default <exec-root>/tug.pid)"},
};

void tug_config_init(struct tug_daemon_config *c)
{
	memset(c, 0, sizeof(*c));
	c->iptables = c->ip_forward = c->userland_proxy = true;
	c->log_max_size = -1;
	c->log_max_file = 1;
}

void conf_strv_free(struct tug_strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int conf_strv_add(struct tug_strv *l, char *owned, struct err *e)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v) {
		free(owned);
		return err_sys(e, ENOMEM, "daemon configuration");
	}
	l->v = v;
	l->v[l->n++] = owned;
	return 0;
}

int conf_strv_copy(struct tug_strv *dst, const struct tug_strv *src, struct err *e)
{
	struct tug_strv n = {0};

	for (size_t i = 0; i < src->n; i++) {
		char *s = strdup(src->v[i]);
		if (!s || conf_strv_add(&n, s, e) < 0) {
			conf_strv_free(&n);
			return err_sys(e, ENOMEM, "daemon configuration");
		}
	}
	conf_strv_free(dst);
	*dst = n;
	return 0;
}

static void free_field(struct tug_daemon_config *c, const struct conf_def *d)
{
	void *f = conf_field(c, d);

	if (d->type == CT_STR) {
		free(*(char **)f);
		*(char **)f = NULL;
	} else if (d->type == CT_STRV) {
		conf_strv_free(f);
	}
}

void tug_config_free(struct tug_daemon_config *c)
{
	for (int k = 0; k < TUG_CONF_NKEYS; k++)
		free_field(c, &tug_conf_defs[k]);
	free(c->config_file);
	free(c->ulimits);
	free(c->pools);
	tug_config_init(c);
}

const char *tug_config_key_name(enum tug_conf_key key)
{
	return key < TUG_CONF_NKEYS ? tug_conf_defs[key].key : "?";
}

bool tug_config_reloadable(enum tug_conf_key key)
{
	return key < TUG_CONF_NKEYS && tug_conf_defs[key].reload;
}

/* ---------------------------------------------------------------- flags */

/* The options table, made once from tug_conf_defs; the extra rows are
 * the command line's own. */
#define OPT_CONFIG_FILE TUG_CONF_NKEYS
#define OPT_HELP (TUG_CONF_NKEYS + 1)
static struct args_opt flag_opts[TUG_CONF_NKEYS + 3];

static int on_flag(const struct args_opt *o, const char *val, void *ctx, struct err *e);

static const struct args_table *flag_table(void)
{
	static const struct args_table t = {
		"tug daemon [OPTIONS]",
		"A self-sufficient runtime for containers",
		ARGS_INTERSPERSED,
		flag_opts,
	};

	if (flag_opts[0].name)
		return &t;
	for (int k = 0; k < TUG_CONF_NKEYS; k++) {
		const struct conf_def *d = &tug_conf_defs[k];
		struct args_opt *o = &flag_opts[k];

		if (d->flag && !d->flag[0]) {
			/* file only: a row nobody can type */
			o->name = "\x01";
			o->flags = ARGS_HIDDEN;
			continue;
		}
		o->name = d->flag ? d->flag : d->key;
		o->shortname = d->shortname;
		o->flags = d->type == CT_BOOL ? 0 : ARGS_VALUE;
		o->meta = d->meta;
		o->help = d->help;
		o->cb = on_flag;
	}
	flag_opts[OPT_CONFIG_FILE] = (struct args_opt){
		.name = "config-file",
		.flags = ARGS_VALUE,
		.meta = "string",
		.help = "Daemon configuration file (default \"" TUG_CONFIG_FILE "\")",
		.cb = on_flag,
	};
	flag_opts[OPT_HELP] = (struct args_opt){
		.name = "help", .shortname = 'h', .help = "Print usage", .cb = on_flag};
	return &t;
}

static int set_flag_value(struct tug_daemon_config *c, const struct conf_def *d, const char *val,
			  struct err *e)
{
	void *f = conf_field(c, d);
	char *norm = NULL;

	if (d->type == CT_BOOL) {
		*(bool *)f = val[0] == 't';
		return 0;
	}
	if (d->type == CT_INT) {
		char *end;
		long v;
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno || end == val || *end || v < 0 || v > 1000000)
			return err_set(e, "must be a whole number, at least 0");
		*(int *)f = (int)v;
		return 0;
	}
	if (conf_check(d, val, &norm, e) < 0)
		return -1;
	if (d->type == CT_STR) {
		free(*(char **)f);
		*(char **)f = norm;
		return 0;
	}
	return conf_strv_add(f, norm, e);
}

static int on_flag(const struct args_opt *o, const char *val, void *ctx, struct err *e)
{
	struct tug_daemon_config *c = ctx;
	size_t k = (size_t)(o - flag_opts);

	if (k == OPT_HELP) {
		c->help = val[0] == 't';
		return 0;
	}
	if (k == OPT_CONFIG_FILE) {
		free(c->config_file);
		c->config_file = strdup(val);
		return c->config_file ? 0 : err_sys(e, ENOMEM, "--config-file");
	}
	/* A flag repeated after a list flag adds; a string flag replaces. */
	if (set_flag_value(c, &tug_conf_defs[k], val, e) < 0)
		return err_wrap(e, "invalid argument \"%s\" for \"--%s\" flag", val, o->name);
	c->set_by_flag |= TUG_CONF_BIT(k);
	return 0;
}

int tug_config_parse_args(struct tug_daemon_config *c, int argc, char **argv, struct err *e)
{
	int n = args_parse(flag_table(), argc, argv, c, e);

	if (n < 0)
		return -1;
	if (n > 0)
		return err_set(e, "\"tug daemon\" accepts no arguments (got \"%s\")", argv[1]);
	return 0;
}

void tug_config_usage(FILE *out)
{
	args_usage(flag_table(), out);
}

/* ---------------------------------------------------------------- reload */

static bool strv_eq(const struct tug_strv *a, const struct tug_strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

static bool field_eq(const struct tug_daemon_config *a, const struct tug_daemon_config *b,
		     const struct conf_def *d)
{
	const void *fa = (const char *)a + d->off, *fb = (const char *)b + d->off;

	switch (d->type) {
	case CT_STR: {
		const char *sa = *(char *const *)fa, *sb = *(char *const *)fb;
		return sa == sb || (sa && sb && !strcmp(sa, sb));
	}
	case CT_BOOL:
		return *(const bool *)fa == *(const bool *)fb;
	case CT_INT:
		return *(const int *)fa == *(const int *)fb;
	}
	return strv_eq(fa, fb);
}

static int copy_field(struct tug_daemon_config *dst, const struct tug_daemon_config *src,
		      const struct conf_def *d, struct err *e)
{
	void *fd = conf_field(dst, d);
	const void *fs = (const char *)src + d->off;

	switch (d->type) {
	case CT_STR: {
		const char *s = *(char *const *)fs;
		char *n = s ? strdup(s) : NULL;
		if (s && !n)
			return err_sys(e, ENOMEM, "reload %s", d->key);
		free(*(char **)fd);
		*(char **)fd = n;
		return 0;
	}
	case CT_BOOL:
		*(bool *)fd = *(const bool *)fs;
		return 0;
	case CT_INT:
		*(int *)fd = *(const int *)fs;
		return 0;
	}
	return conf_strv_copy(fd, fs, e);
}

static void add_name(char *buf, size_t size, const char *name)
{
	size_t len = strlen(buf);

	if (len < size)
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "", name);
}

int tug_config_reload(struct tug_daemon_config *cur, const struct tug_daemon_config *next,
		      uint64_t *changed, char *ignored, size_t ignored_size, struct err *e)
{
	uint64_t given = next->set_by_flag | next->set_by_file;

	*changed = 0;
	if (ignored && ignored_size)
		ignored[0] = '\0';
	for (int k = 0; k < TUG_CONF_NKEYS; k++) {
		const struct conf_def *d = &tug_conf_defs[k];

		if (field_eq(cur, next, d))
			continue;
		if (!d->reload) {
			if (ignored)
				add_name(ignored, ignored_size, d->key);
			continue;
		}
		/* dockerd keeps what the new file leaves out, except the
		 * download limit, which it resets to the default. */
		if (!(given & TUG_CONF_BIT(k)) && k != TUG_CONF_MAX_DOWNLOADS)
			continue;
		if (copy_field(cur, next, d, e) < 0)
			return -1;
		*changed |= TUG_CONF_BIT(k);
	}
	return 0;
}
