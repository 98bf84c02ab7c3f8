/* config-finish.c - the merged settings made whole: defaults for what no
 * source set, the checks that span keys (tlsverify implies tls, the log
 * driver's options), and the parsed forms the daemon uses. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-int.h"

static int set_default(char **field, const char *val, struct err *e)
{
	if (*field)
		return 0;
	*field = strdup(val);
	return *field ? 0 : err_sys(e, ENOMEM, "daemon configuration");
}

static int finish_hosts(struct tug_daemon_config *c, struct err *e)
{
	if (!c->hosts.n) {
		char *h = strdup(TUG_CONFIG_HOST);
		if (!h || conf_strv_add(&c->hosts, h, e) < 0)
			return err_sys(e, ENOMEM, "hosts");
	}
	for (size_t i = 0; i < c->hosts.n; i++) {
		char *n;
		if (tug_config_parse_host(c->hosts.v[i], c->tls, &n, e) < 0)
			return err_wrap(e, "hosts");
		free(c->hosts.v[i]);
		c->hosts.v[i] = n;
	}
	return 0;
}

static int log_opt(struct tug_daemon_config *c, const char *k, const char *v, struct err *e)
{
	static const char *const docker_only[] = {"compress", "labels",    "labels-regex",
						  "env",      "env-regex", "tag"};
	char *end;
	long n;

	if (!strcmp(c->log_driver, "none"))
		return err_set(e, "log driver none takes no options (got %s)", k);
	if (!strcmp(k, "max-size")) {
		if (tug_config_parse_size(v, &c->log_max_size, e) < 0)
			return err_wrap(e, "max-size");
		if (c->log_max_size <= 0)
			return err_set(e, "max-size must be a positive number");
		return 0;
	}
	if (!strcmp(k, "max-file")) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || !*v || *end)
			return err_set(e, "max-file: invalid value \"%s\": not a number", v);
		if (n < 1 || n > INT_MAX)
			return err_set(e, "max-file cannot be less than 1");
		c->log_max_file = (int)n;
		return 0;
	}
	/* compress=false is what docker does anyway. */
	if (!strcmp(k, "compress") && (!strcmp(v, "false") || !strcmp(v, "0")))
		return 0;
	for (size_t i = 0; i < sizeof(docker_only) / sizeof(docker_only[0]); i++)
		if (!strcmp(k, docker_only[i]))
			return err_set(e, "log opt '%s' is not supported by tug", k);
	return err_set(e, "unknown log opt '%s' for %s log driver", k, c->log_driver);
}

static int finish_log(struct tug_daemon_config *c, struct err *e)
{
	c->log_max_size = -1;
	c->log_max_file = 1;
	for (size_t i = 0; i < c->log_opts.n; i++) {
		char *eq = strchr(c->log_opts.v[i], '=');
		int r;
		*eq = '\0';
		r = log_opt(c, c->log_opts.v[i], eq + 1, e);
		*eq = '=';
		if (r < 0)
			return -1;
	}
	if (c->log_max_file > 1 && c->log_max_size < 0)
		return err_set(e, "max-file cannot be set without max-size");
	return 0;
}

static int finish_ulimits(struct tug_daemon_config *c, struct err *e)
{
	free(c->ulimits);
	c->ulimits = NULL;
	c->nulimits = 0;
	if (!c->default_ulimits.n)
		return 0;
	c->ulimits = calloc(c->default_ulimits.n, sizeof(*c->ulimits));
	if (!c->ulimits)
		return err_sys(e, ENOMEM, "default-ulimits");
	for (size_t i = 0; i < c->default_ulimits.n; i++) {
		struct tug_ulimit *u = &c->ulimits[c->nulimits];
		const char *s = c->default_ulimits.v[i], *eq = strchr(s, '=');
		long long soft, hard;

		/* Checked already: "name=soft:hard". */
		snprintf(u->name, sizeof(u->name), "%.*s", (int)(eq - s), s);
		if (sscanf(eq + 1, "%lld:%lld", &soft, &hard) != 2)
			return err_set(e, "default-ulimits: %s: malformed", s);
		u->soft = soft;
		u->hard = hard;
		/* A later one of the same name wins, as in a Go map. */
		size_t j;
		for (j = 0; j < c->nulimits && strcmp(c->ulimits[j].name, u->name); j++)
			;
		if (j < c->nulimits)
			c->ulimits[j] = *u;
		else
			c->nulimits++;
	}
	return 0;
}

static int finish_pools(struct tug_daemon_config *c, struct err *e)
{
	free(c->pools);
	c->pools = NULL;
	c->npools = 0;
	if (!c->address_pools.n)
		return 0;
	c->pools = calloc(c->address_pools.n, sizeof(*c->pools));
	if (!c->pools)
		return err_sys(e, ENOMEM, "default-address-pools");
	for (size_t i = 0; i < c->address_pools.n; i++) {
		const char *s = c->address_pools.v[i] + 5, *comma = strchr(s, ',');
		struct tug_addr_pool *p = &c->pools[c->npools++];

		snprintf(p->base, sizeof(p->base), "%.*s", (int)(comma - s), s);
		p->size = atoi(comma + 6);
	}
	return 0;
}

int tug_config_finish(struct tug_daemon_config *c, struct err *e)
{
	char pid[PATH_MAX];

	if (c->tlsverify)
		c->tls = true;
	if (finish_hosts(c, e) < 0)
		return -1;
	if (set_default(&c->data_root, TUG_CONFIG_DATA_ROOT, e) < 0 ||
	    set_default(&c->exec_root, TUG_CONFIG_EXEC_ROOT, e) < 0 ||
	    set_default(&c->log_driver, "json-file", e) < 0)
		return -1;
	snprintf(pid, sizeof(pid), "%s/tug.pid", c->exec_root);
	if (set_default(&c->pidfile, pid, e) < 0)
		return -1;
	if (c->tls && (set_default(&c->tlscacert, "/etc/tug/ca.pem", e) < 0 ||
		       set_default(&c->tlscert, "/etc/tug/cert.pem", e) < 0 ||
		       set_default(&c->tlskey, "/etc/tug/key.pem", e) < 0))
		return -1;
	if (!c->max_concurrent_downloads)
		c->max_concurrent_downloads = TUG_CONFIG_DOWNLOADS;
	if (c->bridge && strcmp(c->bridge, "none") && c->bip)
		return err_set(e, "bip and bridge are mutually exclusive: set only one");
	if (finish_log(c, e) < 0)
		return err_wrap(e, "log-opts");
	if (finish_ulimits(c, e) < 0)
		return -1;
	return finish_pools(c, e);
}
