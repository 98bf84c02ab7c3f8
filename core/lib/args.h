/* args.h - the option parser of every face: Docker's grammar (pflag: -it,
 * -p80, --name=x, --rm=false, interleaved options) and runc's (Go's flag:
 * -root x, options end at the first argument), driven by one table each. */
#ifndef TUG_ARGS_H
#define TUG_ARGS_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

struct args_opt;

/* Called for each occurrence with the value, or "true"/"false" for a flag;
 * val is borrowed from argv. Return -1 with e filled to stop the parse. */
typedef int (*args_cb)(const struct args_opt *opt, const char *val, void *ctx, struct err *e);

/* Every value of a repeatable option, in order. The strings are argv's;
 * the array is the list's own (args_list_free). Start from {0}. */
struct args_list {
	const char **v;
	size_t n, cap;
};
void args_list_free(struct args_list *l);

/* args_opt.flags */
#define ARGS_VALUE 0x1 /* takes a value: --name v, --name=v, -n v, -nv, -n=v */
#define ARGS_HIDDEN 0x2 /* accepted but not listed by args_usage */

/* One option. Set any of flag/value/list/cb (usually one) to receive it. */
struct args_opt {
	const char *name; /* long name without "--", or NULL */
	char shortname; /* one letter, or 0 */
	unsigned flags;
	const char *meta; /* value placeholder for usage: "string", "list" */
	const char *help;
	int *flag; /* flag: 1, or 0 for --name=false */
	const char **value; /* value: the last one wins */
	struct args_list *list; /* value: all of them */
	args_cb cb;
};

/* args_table.flags */
#define ARGS_INTERSPERSED                                                                          \
	0x1 /* options may follow arguments (docker ps x -a);
				 * without it the first argument ends the options
				 * (docker run IMAGE CMD -x, runc exec ID CMD -x) */
#define ARGS_GO_FLAGS                                                                              \
	0x2 /* "-name" is a long option too, as in Go's flag
				 * package that runc's command line uses */

struct args_table {
	const char *usage; /* "tug run [OPTIONS] IMAGE [COMMAND] [ARG...]" */
	const char *summary; /* one line under the usage */
	unsigned flags;
	const struct args_opt *opts; /* ends with an entry without name and letter */
};

/* Parse argv[1..argc) (argv[0] is the command name). "--" ends the options
 * and "-" is an argument. The arguments are moved, in order, to argv[1..n]
 * with argv[n + 1] = NULL when it fits (so a command tail can be exec'd);
 * returns n, or -1 with pflag's messages: "unknown flag: --foo",
 * "unknown shorthand flag: 'x' in -xd", "flag needs an argument: --name". */
int args_parse(const struct args_table *t, int argc, char **argv, void *ctx, struct err *e);

/* Usage, summary and the option list in Docker's layout, for --help. */
void args_usage(const struct args_table *t, FILE *out);

#endif
