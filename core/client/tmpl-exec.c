/* tmpl-exec.c - running a parsed template over JSON data: field lookup,
 * the functions docker's templates use, Go's %v printing. Values made on
 * the way (function results) live in a scratch array freed at the end. */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client/tmpl-priv.h"

struct run {
	cJSON *scratch; /* owns values that functions made */
	struct tmpl_buf *out;
	struct err *e;
};

static const cJSON *keep(struct run *r, cJSON *v)
{
	if (v)
		cJSON_AddItemToArray(r->scratch, v);
	return v;
}

static int print_number(double d, struct tmpl_buf *out)
{
	char buf[64];

	if (d == floor(d) && fabs(d) < 1e18)
		snprintf(buf, sizeof(buf), "%lld", (long long)d);
	else
		snprintf(buf, sizeof(buf), "%g", d);
	return tmpl_buf_add(out, buf, strlen(buf));
}

int tmpl_print_value(const cJSON *v, struct tmpl_buf *out)
{
	const cJSON *c;
	const char *sep = "";

	if (!v || cJSON_IsNull(v))
		return tmpl_buf_add(out, "<nil>", 5);
	if (cJSON_IsString(v))
		return tmpl_buf_add(out, v->valuestring, strlen(v->valuestring));
	if (cJSON_IsNumber(v))
		return print_number(v->valuedouble, out);
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? tmpl_buf_add(out, "true", 4)
				       : tmpl_buf_add(out, "false", 5);
	tmpl_buf_add(out, cJSON_IsArray(v) ? "[" : "map[", cJSON_IsArray(v) ? 1 : 4);
	cJSON_ArrayForEach(c, v)
	{
		tmpl_buf_add(out, sep, strlen(sep));
		if (cJSON_IsObject(v)) {
			tmpl_buf_add(out, c->string, strlen(c->string));
			tmpl_buf_add(out, ":", 1);
		}
		tmpl_print_value(c, out);
		sep = " ";
	}
	return tmpl_buf_add(out, "]", 1);
}

/* .A.B.C from dot; a missing key gives NULL ("<no value>"). */
static int field(struct run *r, const cJSON *dot, const char *path, const cJSON **out)
{
	const char *s = path + 1;

	*out = dot;
	while (*s) {
		size_t n = strcspn(s, ".");
		char key[256];

		if (!*out || !cJSON_IsObject(*out)) {
			if (!*out)
				return *out = NULL, 0;
			return err_set(r->e, "template: can't evaluate field %.*s in type %s",
				       (int)n, s,
				       cJSON_IsArray(*out) ? "[]interface {}" : "string");
		}
		snprintf(key, sizeof(key), "%.*s", (int)n, s);
		*out = cJSON_GetObjectItemCaseSensitive(*out, key);
		s += n + (s[n] == '.');
	}
	return 0;
}

static char *text_of(const cJSON *v)
{
	struct tmpl_buf b = {0};

	tmpl_print_value(v, &b);
	return b.s ? b.s : strdup("");
}

static const cJSON *fn_json(struct run *r, const cJSON *v)
{
	char *s = v ? cJSON_PrintUnformatted(v) : strdup("null");
	const cJSON *res = keep(r, cJSON_CreateString(s ? s : ""));

	free(s);
	return res;
}

static const cJSON *fn_index(struct run *r, const cJSON **a, size_t n)
{
	const cJSON *v = a[0];

	for (size_t i = 1; i < n && v; i++) {
		if (cJSON_IsArray(v) && cJSON_IsNumber(a[i]))
			v = cJSON_GetArrayItem(v, (int)a[i]->valuedouble);
		else if (cJSON_IsObject(v) && cJSON_IsString(a[i]))
			v = cJSON_GetObjectItemCaseSensitive(v, a[i]->valuestring);
		else
			v = NULL;
	}
	return v;
}

static const cJSON *fn_join(struct run *r, const cJSON *arr, const cJSON *sep)
{
	struct tmpl_buf b = {0};
	const cJSON *c;
	const char *s = cJSON_IsString(sep) ? sep->valuestring : "";
	const cJSON *res;

	tmpl_buf_add(&b, "", 0);
	cJSON_ArrayForEach(c, arr)
	{
		if (c != arr->child)
			tmpl_buf_add(&b, s, strlen(s));
		tmpl_print_value(c, &b);
	}
	res = keep(r, cJSON_CreateString(b.s));
	free(b.s);
	return res;
}

static const cJSON *fn_case(struct run *r, const char *name, const cJSON *v)
{
	char *s = text_of(v);
	const cJSON *res;

	for (char *p = s; *p; p++) {
		if (!strcmp(name, "upper"))
			*p = (char)toupper((unsigned char)*p);
		else if (!strcmp(name, "lower"))
			*p = (char)tolower((unsigned char)*p);
		else if (p == s || p[-1] == ' ')
			*p = (char)toupper((unsigned char)*p);
	}
	res = keep(r, cJSON_CreateString(s));
	free(s);
	return res;
}

static const cJSON *fn_split(struct run *r, const cJSON *v, const cJSON *sep)
{
	char *s = text_of(v), *p = s;
	const char *d = cJSON_IsString(sep) ? sep->valuestring : "";
	cJSON *arr = cJSON_CreateArray();

	while (*d && strstr(p, d)) {
		char *at = strstr(p, d);

		*at = '\0';
		cJSON_AddItemToArray(arr, cJSON_CreateString(p));
		p = at + strlen(d);
	}
	cJSON_AddItemToArray(arr, cJSON_CreateString(p));
	free(s);
	return keep(r, arr);
}

static const cJSON *fn_print(struct run *r, const cJSON **a, size_t n, bool nl)
{
	struct tmpl_buf b = {0};
	const cJSON *res;

	tmpl_buf_add(&b, "", 0);
	for (size_t i = 0; i < n; i++) {
		if (i && (nl || !cJSON_IsString(a[i]) || !cJSON_IsString(a[i - 1])))
			tmpl_buf_add(&b, " ", 1);
		tmpl_print_value(a[i], &b);
	}
	if (nl)
		tmpl_buf_add(&b, "\n", 1);
	res = keep(r, cJSON_CreateString(b.s));
	free(b.s);
	return res;
}

static int call(struct run *r, const char *fn, const cJSON **a, size_t n, const cJSON **out)
{
	if (!strcmp(fn, "json") && n == 1)
		*out = fn_json(r, a[0]);
	else if (!strcmp(fn, "index") && n >= 1)
		*out = fn_index(r, a, n);
	else if (!strcmp(fn, "join") && n == 2)
		*out = fn_join(r, a[0], a[1]);
	else if ((!strcmp(fn, "upper") || !strcmp(fn, "lower") || !strcmp(fn, "title")) && n == 1)
		*out = fn_case(r, fn, a[0]);
	else if (!strcmp(fn, "split") && n == 2)
		*out = fn_split(r, a[0], a[1]);
	else if (!strcmp(fn, "len") && n == 1)
		*out = keep(r, cJSON_CreateNumber(cJSON_IsString(a[0])
							  ? (double)strlen(a[0]->valuestring)
							  : (double)cJSON_GetArraySize(a[0])));
	else if (!strcmp(fn, "truncate") && n == 2 && cJSON_IsNumber(a[1])) {
		char *s = text_of(a[0]);

		if ((double)strlen(s) > a[1]->valuedouble && a[1]->valuedouble >= 0)
			s[(size_t)a[1]->valuedouble] = '\0';
		*out = keep(r, cJSON_CreateString(s));
		free(s);
	} else if (!strcmp(fn, "print") || !strcmp(fn, "println"))
		*out = fn_print(r, a, n, fn[5] == 'l');
	else
		return err_set(r->e, "template: function \"%s\" not defined or wrong arguments",
			       fn);
	return 0;
}

static int arg_value(struct run *r, const cJSON *dot, const struct tmpl_arg *a, const cJSON **v)
{
	switch (a->kind) {
	case TMPL_FIELD:
		return strcmp(a->text, ".") ? field(r, dot, a->text, v) : (*v = dot, 0);
	case TMPL_STR:
		*v = keep(r, cJSON_CreateString(a->text));
		return 0;
	case TMPL_NUM:
		*v = keep(r, cJSON_CreateNumber(strtod(a->text, NULL)));
		return 0;
	default:
		if (!strcmp(a->text, "true") || !strcmp(a->text, "false")) {
			*v = keep(r, cJSON_CreateBool(a->text[0] == 't'));
			return 0;
		}
		return err_set(r->e, "template: function \"%s\" used as a value", a->text);
	}
}

/* cmd's value; prev is the previous command's value in a pipeline (or
 * "absent" when first: has_prev false). */
static int run_cmd(struct run *r, const cJSON *dot, const struct tmpl_cmd *c, bool has_prev,
		   const cJSON *prev, const cJSON **out)
{
	const cJSON *a[TMPL_MAX_ARGS + 1];
	size_t n = 0;

	if (c->args[0].kind != TMPL_WORD || !strcmp(c->args[0].text, "true") ||
	    !strcmp(c->args[0].text, "false")) {
		if (c->nargs > 1 || has_prev)
			return err_set(r->e, "template: can't give argument to non-function %s",
				       c->args[0].text);
		return arg_value(r, dot, &c->args[0], out);
	}
	for (size_t i = 1; i < c->nargs; i++)
		if (arg_value(r, dot, &c->args[i], &a[n++]) < 0)
			return -1;
	if (has_prev)
		a[n++] = prev;
	return call(r, c->args[0].text, a, n, out);
}

static int pipeline(struct run *r, const cJSON *dot, const struct tmpl_node *n, const cJSON **v)
{
	*v = NULL;
	for (size_t i = 0; i < n->ncmds; i++)
		if (run_cmd(r, dot, &n->cmds[i], i > 0, *v, v) < 0)
			return -1;
	return 0;
}

static bool truth(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return false;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	return true;
}

static int run_list(struct run *r, const cJSON *dot, const struct tmpl_node *n)
{
	for (; n; n = n->next) {
		const cJSON *v, *c;

		if (n->kind == TMPL_TEXT) {
			tmpl_buf_add(r->out, n->text, strlen(n->text));
			continue;
		}
		if (pipeline(r, dot, n, &v) < 0)
			return -1;
		if (n->kind == TMPL_ACTION) {
			if (v)
				tmpl_print_value(v, r->out);
			else
				tmpl_buf_add(r->out, "<no value>", 10);
		} else if (n->kind == TMPL_IF) {
			if (run_list(r, dot, truth(v) ? n->body : n->alt) < 0)
				return -1;
		} else if (!truth(v)) {
			if (run_list(r, dot, n->alt) < 0)
				return -1;
		} else {
			cJSON_ArrayForEach(c, v) if (run_list(r, c, n->body) < 0) return -1;
		}
	}
	return 0;
}

int tmpl_exec(const struct tmpl *t, const cJSON *data, struct tmpl_buf *out, struct err *e)
{
	struct run r = {cJSON_CreateArray(), out, e};
	int rc;

	if (!r.scratch)
		return err_set(e, "template: out of memory");
	tmpl_buf_add(out, "", 0);
	rc = run_list(&r, data, t->root);
	cJSON_Delete(r.scratch);
	return rc;
}
