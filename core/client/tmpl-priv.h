/* tmpl-priv.h - the parsed template's tree, shared by tmpl.c (parser) and
 * tmpl-exec.c (evaluator). */
#ifndef TUG_CLIENT_TMPL_PRIV_H
#define TUG_CLIENT_TMPL_PRIV_H

#include "core/client/tmpl.h"

#define TMPL_MAX_ARGS 8
#define TMPL_MAX_CMDS 4

enum tmpl_arg_kind { TMPL_FIELD, TMPL_STR, TMPL_NUM, TMPL_WORD };

struct tmpl_arg {
	enum tmpl_arg_kind kind;
	char *text; /* ".A.B", the string's value, "12", "json" */
};

struct tmpl_cmd {
	struct tmpl_arg args[TMPL_MAX_ARGS];
	size_t nargs;
};

enum tmpl_node_kind { TMPL_TEXT, TMPL_ACTION, TMPL_RANGE, TMPL_IF };

struct tmpl_node {
	enum tmpl_node_kind kind;
	char *text; /* TEXT */
	struct tmpl_cmd cmds[TMPL_MAX_CMDS]; /* the pipeline */
	size_t ncmds;
	struct tmpl_node *body, *alt; /* RANGE, IF: {{else}} part in alt */
	struct tmpl_node *next;
};

struct tmpl {
	struct tmpl_node *root;
};

#endif
