/* args.c - table-driven option parsing for the client, daemon and runtime
 * faces, and the help text generated from the same table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

void args_list_free(struct args_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int list_add(struct args_list *l, const char *val, struct err *e)
{
	const char **v;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 8;
		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return err_sys(e, ENOMEM, "parse options");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = val;
	return 0;
}

static int is_end(const struct args_opt *o)
{
	return !o->name && !o->shortname;
}

static const struct args_opt *find_long(const struct args_table *t, const char *s, size_t len)
{
	const struct args_opt *o;

	for (o = t->opts; !is_end(o); o++) {
		if (o->name && strlen(o->name) == len && !strncmp(o->name, s, len))
			return o;
	}
	return NULL;
}

static const struct args_opt *find_short(const struct args_table *t, char c)
{
	const struct args_opt *o;

	for (o = t->opts; !is_end(o); o++) {
		if (o->shortname == c)
			return o;
	}
	return NULL;
}

/* The spellings Go's strconv.ParseBool accepts, so "--rm=False" works. */
static const char *parse_bool(const char *s)
{
	static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};
	static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]))
			return "true";
		if (!strcmp(s, no[i]))
			return "false";
	}
	return NULL;
}

/* shown is the option as typed ("--rm", "-d"), for messages. */
static int deliver(const struct args_opt *o, const char *shown, const char *val, void *ctx,
		   struct err *e)
{
	if (!(o->flags & ARGS_VALUE)) {
		const char *b = parse_bool(val);

		if (!b)
			return err_set(e,
				       "invalid argument \"%s\" for \"%s\" flag: "
				       "expected true or false",
				       val, shown);
		val = b;
		if (o->flag)
			*o->flag = val[0] == 't';
	}
	if (o->value)
		*o->value = val;
	if (o->list && list_add(o->list, val, e) < 0)
		return -1;
	if (o->cb)
		return o->cb(o, val, ctx, e);
	return 0;
}

/* body is what follows the dashes: "name" or "name=value". */
static int parse_long(const struct args_table *t, const char *dashes, const char *body, char **argv,
		      int argc, int *i, void *ctx, struct err *e)
{
	const char *eq = strchr(body, '='), *val;
	size_t len = eq ? (size_t)(eq - body) : strlen(body);
	const struct args_opt *o = find_long(t, body, len);
	char shown[128];

	if (!o)
		return err_set(e, "unknown flag: %s%.*s", dashes, (int)len, body);
	snprintf(shown, sizeof(shown), "%s%s", dashes, o->name);
	if (eq)
		val = eq + 1;
	else if (!(o->flags & ARGS_VALUE))
		val = "true";
	else if (*i + 1 < argc)
		val = argv[++*i];
	else
		return err_set(e, "flag needs an argument: %s", shown);
	return deliver(o, shown, val, ctx, e);
}

/* A cluster of letters: "-it", "-p80", "-p 80", "-p=80", "-d=false". A
 * letter that takes a value takes the rest of the cluster. */
static int parse_short(const struct args_table *t, const char *cluster, char **argv, int argc,
		       int *i, void *ctx, struct err *e)
{
	const struct args_opt *o;
	const char *p, *val;
	char shown[3] = "-";

	for (p = cluster; *p; p++) {
		o = find_short(t, *p);
		if (!o)
			return err_set(e, "unknown shorthand flag: '%c' in -%s", *p, cluster);
		shown[1] = *p;
		if (p[1] == '=')
			return deliver(o, shown, p + 2, ctx, e);
		if (!(o->flags & ARGS_VALUE)) {
			if (deliver(o, shown, "true", ctx, e) < 0)
				return -1;
			continue;
		}
		if (p[1])
			val = p + 1;
		else if (*i + 1 < argc)
			val = argv[++*i];
		else
			return err_set(e, "flag needs an argument: '%c' in -%s", *p, cluster);
		return deliver(o, shown, val, ctx, e);
	}
	return 0;
}

/* Go's flag package reads "-root" as "--root"; a single letter stays short. */
static int is_go_long(const struct args_table *t, const char *body)
{
	const char *eq = strchr(body, '=');
	size_t len = eq ? (size_t)(eq - body) : strlen(body);

	return (t->flags & ARGS_GO_FLAGS) && len > 1 && find_long(t, body, len);
}

static int parse_opt(const struct args_table *t, char **argv, int argc, int *i, void *ctx,
		     struct err *e)
{
	const char *a = argv[*i];

	if (a[1] == '-')
		return parse_long(t, "--", a + 2, argv, argc, i, ctx, e);
	if (is_go_long(t, a + 1))
		return parse_long(t, "-", a + 1, argv, argc, i, ctx, e);
	return parse_short(t, a + 1, argv, argc, i, ctx, e);
}

/* Arguments are compacted into argv[1..]: the write index never passes
 * the read index, and option values were taken as pointers already. */
int args_parse(const struct args_table *t, int argc, char **argv, void *ctx, struct err *e)
{
	int i, n = 0, opts_done = 0;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (!opts_done && !strcmp(a, "--")) {
			opts_done = 1;
		} else if (opts_done || a[0] != '-' || a[1] == '\0') {
			argv[1 + n++] = a;
			if (!(t->flags & ARGS_INTERSPERSED))
				opts_done = 1;
		} else if (parse_opt(t, argv, argc, &i, ctx, e) < 0) {
			return -1;
		}
	}
	if (1 + n < argc)
		argv[1 + n] = NULL;
	return n;
}

/* "  -d, --detach", "      --name string", "  -p string": the left column. */
static int opt_left(const struct args_opt *o, char *buf, size_t size)
{
	const char *meta = o->meta ? o->meta : "string";
	char letter[5] = "    ";
	int n;

	if (o->shortname) {
		letter[0] = '-';
		letter[1] = o->shortname;
		letter[2] = o->name ? ',' : '\0';
	}
	n = snprintf(buf, size, "  %s%s%s%s%s", letter, o->name ? "--" : "", o->name ? o->name : "",
		     (o->flags & ARGS_VALUE) ? " " : "", (o->flags & ARGS_VALUE) ? meta : "");
	return n < 0 ? 0 : n;
}

void args_usage(const struct args_table *t, FILE *out)
{
	const struct args_opt *o;
	char left[256];
	int width = 0, n, any = 0;

	if (t->usage)
		fprintf(out, "Usage:  %s\n\n", t->usage);
	if (t->summary)
		fprintf(out, "%s\n\n", t->summary);
	for (o = t->opts; !is_end(o); o++) {
		n = opt_left(o, left, sizeof(left));
		if (!(o->flags & ARGS_HIDDEN) && n > width)
			width = n;
	}
	for (o = t->opts; !is_end(o); o++) {
		if (o->flags & ARGS_HIDDEN)
			continue;
		if (!any++)
			fprintf(out, "Options:\n");
		opt_left(o, left, sizeof(left));
		if (o->help && *o->help)
			fprintf(out, "%-*s  %s\n", width, left, o->help);
		else
			fprintf(out, "%s\n", left);
	}
}
