/* networks-create.c - POST /networks/create: the request checked in the
 * order dockerd checks it (so that the same mistake gets the same answer),
 * subnets from the default pools, the record written, the event logged. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/networks-priv.h"
#include "core/daemon/networks.h"
#include "core/daemon/subnet.h"
#include "json.h"

#define IPV6_OPT "com.docker.network.enable_ipv6"

struct nwreq {
	const char *name, *driver, *scope, *ipam_driver;
	bool ipv6, internal, attachable, ingress, config_only;
	const cJSON *opts, *labels, *ipam_opts, *ipam_cfg, *config_from;
};

/* Go's strconv.ParseBool. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};

	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, t[i]))
			return *out = true, 0;
		if (!strcmp(s, f[i]))
			return *out = false, 0;
	}
	return -1;
}

static int string_map(const cJSON *m, const char *what, struct err *e)
{
	const cJSON *it;

	if (!m || cJSON_IsNull(m))
		return 0;
	if (!cJSON_IsObject(m))
		return err_set(e, "%s: expected an object of strings", what);
	cJSON_ArrayForEach(it, m) if (!cJSON_IsString(it)) return err_set(
		e, "%s.%s: expected a string", what, it->string);
	return 0;
}

/* The body's fields, with Go's case-insensitive keys; 400 on a wrong type. */
static int parse_req(const cJSON *req, struct nwreq *r, struct err *e)
{
	const cJSON *ipam = NULL, *v6 = NULL;
	const unsigned f = JSON_NOCASE;

	memset(r, 0, sizeof(*r));
	r->name = r->driver = r->scope = r->ipam_driver = "";
	if (json_as_object(req, "", e) < 0 ||
	    json_get_string(req, "", "Name", f, &r->name, e) < 0 ||
	    json_get_string(req, "", "Driver", f, &r->driver, e) < 0 ||
	    json_get_string(req, "", "Scope", f, &r->scope, e) < 0 ||
	    json_get_bool(req, "", "Internal", f, &r->internal, e) < 0 ||
	    json_get_bool(req, "", "Attachable", f, &r->attachable, e) < 0 ||
	    json_get_bool(req, "", "Ingress", f, &r->ingress, e) < 0 ||
	    json_get_bool(req, "", "ConfigOnly", f, &r->config_only, e) < 0 ||
	    json_get_object(req, "", "ConfigFrom", f, &r->config_from, e) < 0 ||
	    json_get_object(req, "", "Options", f, &r->opts, e) < 0 ||
	    json_get_object(req, "", "Labels", f, &r->labels, e) < 0 ||
	    json_get_object(req, "", "IPAM", f, &ipam, e) < 0 ||
	    string_map(r->opts, "Options", e) < 0 || string_map(r->labels, "Labels", e) < 0)
		return 400;
	v6 = cJSON_GetObjectItem(req, "EnableIPv6");
	if (v6 && !cJSON_IsNull(v6) && json_as_bool(v6, "EnableIPv6", &r->ipv6, e) < 0)
		return 400;
	if (ipam && (json_get_string(ipam, "IPAM", "Driver", f, &r->ipam_driver, e) < 0 ||
		     json_get_object(ipam, "IPAM", "Options", f, &r->ipam_opts, e) < 0 ||
		     json_get_array(ipam, "IPAM", "Config", f, &r->ipam_cfg, e) < 0 ||
		     string_map(r->ipam_opts, "IPAM.Options", e) < 0))
		return 400;
	/* EnableIPv6 in the body wins over the driver option, as in dockerd */
	if ((!v6 || cJSON_IsNull(v6)) && cJSON_IsString(cJSON_GetObjectItem(r->opts, IPV6_OPT)) &&
	    parse_bool(cJSON_GetObjectItem(r->opts, IPV6_OPT)->valuestring, &r->ipv6) < 0)
		return err_set(e, "driver-opt \"%s\" is not a valid bool", IPV6_OPT), 400;
	return 0;
}

/* What tug can make: bridge networks only, and only local ones. */
static int check_driver(const struct nwreq *r, struct err *e)
{
	const char *d = r->driver;

	if (!strcmp(d, "overlay"))
		return err_set(e, "This node is not a swarm manager. Use \"docker swarm init\" or "
				  "\"docker swarm join\" to connect this node to swarm and try "
				  "again."),
		       403;
	if (!strcmp(d, "host") || !strcmp(d, "null"))
		return err_set(e, "only one instance of \"%s\" network is allowed", d), 403;
	if (!strcmp(d, "macvlan") || !strcmp(d, "ipvlan"))
		return err_set(e, "network driver %s is not supported by tug (only bridge)", d),
		       400;
	if (strcmp(d, "bridge") != 0)
		return err_set(e, "plugin \"%s\" not found", d), 404;
	if (*r->scope && strcmp(r->scope, "local") != 0)
		return err_set(e, "tug has local networks only, not scope %s", r->scope), 400;
	if (r->ingress || r->config_only || r->config_from)
		return err_set(e, "%s networks are not supported by tug",
			       r->ingress ? "ingress" : "config-only"),
		       400;
	if (*r->ipam_driver && strcmp(r->ipam_driver, "default") != 0)
		return err_set(e, "plugin \"%s\" not found", r->ipam_driver), 404;
	return 0;
}

/* dockerd's ValidateIPAM: every problem collected, one per line. */
struct errs {
	char buf[ERR_MSG_MAX];
	size_t len;
	int n;
	char first[ERR_MSG_MAX];
};

static void add_err(struct errs *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_err(struct errs *x, const char *fmt, ...)
{
	char m[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	if (!x->n++)
		snprintf(x->first, sizeof(x->first), "%s", m);
	if (x->len < sizeof(x->buf))
		x->len += (size_t)snprintf(x->buf + x->len, sizeof(x->buf) - x->len, "%s* %s",
					   x->len ? "\n" : "", m);
}

static const char *fam_name(int fam)
{
	return fam == 4 ? "IPv4" : "IPv6";
}

static void check_addr(struct errs *x, const char *what, const char *a, const struct subnet *sn,
		       const char *sn_str)
{
	struct subnet ad;

	if (!a || !*a)
		return;
	if (subnet_parse_addr(a, &ad) < 0)
		add_err(x, "%s %s: invalid address", what, a);
	else if (ad.fam != sn->fam)
		add_err(x, "%s %s: parent subnet is an %s block", what, a, fam_name(sn->fam));
	else if (!subnet_contains(sn, &ad))
		add_err(x, "%s %s: parent subnet %s doesn't contain this address", what, a, sn_str);
}

static void check_range(struct errs *x, const char *ipr, const struct subnet *sn,
			const char *sn_str)
{
	struct subnet r, m;
	char ms[SUBNET_STR_MAX];

	if (!ipr || !*ipr)
		return;
	if (subnet_parse(ipr, &r) < 0) {
		add_err(x, "invalid ip-range %s: invalid CIDR block notation", ipr);
		return;
	}
	if (r.fam != sn->fam) {
		add_err(x, "invalid ip-range %s: parent subnet is an %s block", ipr,
			fam_name(sn->fam));
		return;
	}
	if (r.bits < sn->bits)
		add_err(x, "invalid ip-range %s: CIDR block is bigger than its parent subnet %s",
			ipr, sn_str);
	m = subnet_masked(&r);
	subnet_str(&m, true, ms, sizeof(ms));
	if (!subnet_is_masked(&r))
		add_err(x, "invalid ip-range %s: it should be %s", ipr, ms);
	if (!subnet_overlaps(sn, &r))
		add_err(x, "invalid ip-range %s: parent subnet %s doesn't contain ip-range", ipr,
			sn_str);
}

static void check_one(struct errs *x, const cJSON *c, bool ipv6)
{
	const char *s = cJSON_IsString(cJSON_GetObjectItem(c, "Subnet"))
				? cJSON_GetObjectItem(c, "Subnet")->valuestring
				: "";
	const cJSON *aux = cJSON_GetObjectItem(c, "AuxiliaryAddresses"), *it;
	struct subnet sn, m;
	char ss[SUBNET_STR_MAX], ms[SUBNET_STR_MAX], what[300];

	if (subnet_parse(s, &sn) < 0) {
		add_err(x, "invalid subnet %s: invalid CIDR block notation", s);
		return;
	}
	if (sn.fam == 6 && !ipv6)
		return;
	subnet_str(&sn, true, ss, sizeof(ss));
	m = subnet_masked(&sn);
	subnet_str(&m, true, ms, sizeof(ms));
	if (!subnet_is_masked(&sn))
		add_err(x, "invalid subnet %s: it should be %s", ss, ms);
	check_range(x,
		    cJSON_IsString(cJSON_GetObjectItem(c, "IPRange"))
			    ? cJSON_GetObjectItem(c, "IPRange")->valuestring
			    : NULL,
		    &sn, ss);
	snprintf(what, sizeof(what), "invalid gateway");
	check_addr(x, what, nw_str(c, "Gateway"), &sn, ss);
	cJSON_ArrayForEach(it, aux)
	{
		snprintf(what, sizeof(what), "invalid auxiliary address %s", it->string);
		check_addr(x, what, cJSON_IsString(it) ? it->valuestring : "?", &sn, ss);
	}
}

static int validate_ipam(const struct nwreq *r, struct err *e)
{
	struct errs x = {.len = 0};
	const cJSON *c;

	cJSON_ArrayForEach(c, r->ipam_cfg)
	{
		if (!cJSON_IsObject(c))
			return err_set(e, "IPAM.Config: expected objects"), 400;
		check_one(&x, c, r->ipv6);
	}
	if (!x.n)
		return 0;
	return err_set(e, "invalid network config:\n%s", x.n == 1 ? x.first : x.buf), 400;
}

/* The subnets the records hold (nw_mu held); *n of at most max. */
static void used_subnets(struct subnet *used, size_t max, size_t *n)
{
	const cJSON *r, *c;

	*n = 0;
	cJSON_ArrayForEach(r, nw_all)
	{
		const cJSON *cfg = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "IPAM"), "Config");
		cJSON_ArrayForEach(c, cfg) if (*n < max && subnet_parse(nw_str(c, "Subnet"),
									&used[*n]) == 0)(*n)++;
	}
}

static cJSON *config_entry(const struct subnet *sn, const cJSON *given)
{
	cJSON *c = cJSON_CreateObject();
	const cJSON *aux = cJSON_GetObjectItem(given, "AuxiliaryAddresses");
	char s[SUBNET_STR_MAX];
	struct subnet gw;

	if (!c)
		return NULL;
	subnet_str(sn, true, s, sizeof(s));
	cJSON_AddStringToObject(c, "Subnet", s);
	if (*nw_str(given, "IPRange"))
		cJSON_AddStringToObject(c, "IPRange", nw_str(given, "IPRange"));
	gw = subnet_host(sn, 1);
	subnet_str(&gw, false, s, sizeof(s));
	cJSON_AddStringToObject(c, "Gateway",
				*nw_str(given, "Gateway") ? nw_str(given, "Gateway") : s);
	if (cJSON_IsObject(aux) && cJSON_GetArraySize(aux))
		cJSON_AddItemToObject(c, "AuxiliaryAddresses", cJSON_Duplicate(aux, true));
	return c;
}

/* IPAM.Config of the new record (nw_mu held): the subnets asked for, or
 * the first free default pool; 403 when one overlaps another network's. */
static int fill_ipam(const struct nwreq *r, cJSON *cfg, struct err *e)
{
	struct subnet used[512], sn;
	size_t n;
	bool v4 = false, v6 = false;
	const cJSON *c;

	used_subnets(used, sizeof(used) / sizeof(used[0]) - 8, &n);
	cJSON_ArrayForEach(c, r->ipam_cfg)
	{
		subnet_parse(nw_str(c, "Subnet"), &sn); /* validated */
		if (sn.fam == 6 && !r->ipv6)
			continue;
		for (size_t i = 0; i < n; i++)
			if (subnet_overlaps(&sn, &used[i]))
				return err_set(e, "Pool overlaps with other one on this address "
						  "space"),
				       403;
		if (n < sizeof(used) / sizeof(used[0]))
			used[n++] = sn;
		v4 |= sn.fam == 4;
		v6 |= sn.fam == 6;
		cJSON_AddItemToArray(cfg, config_entry(&sn, c));
	}
	if (!v4) {
		if (subnet_next_pool(used, n, &sn) < 0)
			return err_set(e, "all predefined address pools have been fully subnetted"),
			       400;
		cJSON_InsertItemInArray(cfg, 0, config_entry(&sn, NULL));
	}
	if (r->ipv6 && !v6)
		return err_set(e, "tug allocates no IPv6 subnet by itself: give one (--subnet)"),
		       400;
	return 0;
}

static cJSON *dup_or(const cJSON *v, cJSON *(*dflt)(void))
{
	return v && !cJSON_IsNull(v) ? cJSON_Duplicate(v, true) : dflt();
}

/* The record of the request (nw_mu held, for the subnets in use). */
static int build(const struct nwreq *r, const char *id, cJSON **out, struct err *e)
{
	cJSON *rec = nw_record_new(r->name, id, "bridge", daemon_now_ns()), *ipam, *opts;
	int rc;

	if (!rec)
		return err_set(e, "network %s: out of memory", r->name), 500;
	ipam = cJSON_GetObjectItem(rec, "IPAM");
	rc = fill_ipam(r, cJSON_GetObjectItem(ipam, "Config"), e);
	if (rc)
		return cJSON_Delete(rec), rc;
	cJSON_ReplaceItemInObject(rec, "EnableIPv6", cJSON_CreateBool(r->ipv6));
	cJSON_ReplaceItemInObject(ipam, "Options", dup_or(r->ipam_opts, cJSON_CreateNull));
	cJSON_ReplaceItemInObject(rec, "Internal", cJSON_CreateBool(r->internal));
	cJSON_ReplaceItemInObject(rec, "Attachable", cJSON_CreateBool(r->attachable));
	opts = dup_or(r->opts, cJSON_CreateObject);
	cJSON_DeleteItemFromObject(opts, IPV6_OPT); /* it became EnableIPv6 */
	cJSON_ReplaceItemInObject(rec, "Options", opts);
	cJSON_ReplaceItemInObject(rec, "Labels", dup_or(r->labels, cJSON_CreateNull));
	*out = rec;
	return 0;
}

static int create_locked(const struct nwreq *r, const char *id, cJSON **rec, struct err *e)
{
	const char *p = r->name;
	int rc;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!*p)
		return err_set(e, "invalid name: %s", r->name), 400;
	if (nw_lookup(r->name))
		return err_set(e, "network with name %s already exists", r->name), 409;
	rc = check_driver(r, e);
	if (!rc)
		rc = build(r, id, rec, e);
	if (!rc && nw_save(*rec, e) < 0) {
		cJSON_Delete(*rec);
		return err_wrap(e, "network %s", r->name), 500;
	}
	if (!rc)
		cJSON_AddItemToArray(nw_all, *rec);
	return rc;
}

int nw_create(struct daemon *d, const cJSON *req, char id[65], struct err *e)
{
	struct nwreq r;
	cJSON *rec = NULL;
	int rc;

	rc = parse_req(req, &r, e);
	if (rc)
		return rc;
	if (!*r.driver)
		r.driver = "bridge";
	if (nw_is_predefined(r.name))
		return err_set(e, "operation is not permitted on predefined %s network ", r.name),
		       403;
	if (!strcmp(r.driver, "overlay"))
		return check_driver(&r, e);
	rc = validate_ipam(&r, e);
	if (rc)
		return rc;
	if (nw_random_id(id, e) < 0)
		return 500;
	pthread_mutex_lock(&nw_mu);
	rc = create_locked(&r, id, &rec, e);
	if (!rc) {
		const char *attrs[] = {"name", r.name, "type", "bridge", NULL};
		pthread_mutex_unlock(&nw_mu);
		daemon_event(d, "network", "create", id, attrs);
		return 0;
	}
	pthread_mutex_unlock(&nw_mu);
	return rc;
}
