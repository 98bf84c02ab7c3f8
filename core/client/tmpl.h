/* tmpl.h - the subset of Go's text/template that docker's --format and
 * inspect -f use, evaluated over JSON: {{.A.B}}, {{.}}, {{json .X}},
 * {{index .X "k"}}, pipelines ({{.X | json}}), {{range}}, {{if}}/{{else}},
 * {{- trimming -}}, and the functions json, index, join, upper, lower,
 * title, len, split, truncate, print, println. */
#ifndef TUG_CLIENT_TMPL_H
#define TUG_CLIENT_TMPL_H

#include <stddef.h>

#include <cJSON.h>

#include "err.h"

struct tmpl; /* a parsed template */

/* Growing output buffer; s is NUL-terminated, the caller frees s. */
struct tmpl_buf {
	char *s;
	size_t n, cap;
};
int tmpl_buf_add(struct tmpl_buf *b, const char *s, size_t n);

/* Parse text; *out is the caller's (tmpl_free). Errors are Go's in
 * spirit: "template: unexpected \"}\" in operand", "unclosed action". */
int tmpl_parse(const char *text, struct tmpl **out, struct err *e);
void tmpl_free(struct tmpl *t);
/* Run t on data (borrowed), appending to out. */
int tmpl_exec(const struct tmpl *t, const cJSON *data, struct tmpl_buf *out, struct err *e);

/* One value as Go's fmt prints it with %v: strings bare, whole numbers
 * without a fraction, arrays "[a b]", objects "map[k:v]", null "<nil>". */
int tmpl_print_value(const cJSON *v, struct tmpl_buf *out);

/* docker's formatter preprocessing: a "table " prefix is removed (and
 * *table set), surrounding blanks trimmed and the escapes \t and \n
 * replaced. Returns a malloc'd string. */
char *tmpl_docker_format(const char *format, int *table);

#endif
