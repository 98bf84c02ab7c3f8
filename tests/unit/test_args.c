/* test_args.c - args.c: Docker's and runc's grammars, errors with pflag's
 * wording, argument compaction, usage text. */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "tap.h"

static int detach, interactive, tty, rm;
static const char *name, *publish_last;
static struct args_list env, publish;
static int calls;

static int count_cb(const struct args_opt *opt, const char *val, void *ctx, struct err *e)
{
	(void)opt;
	if (strcmp(val, "boom") == 0)
		return err_set(e, "bad volume \"%s\"", val);
	calls++;
	*(int *)ctx += 1;
	return 0;
}

static const struct args_opt run_opts[] = {
	{"detach", 'd', 0, NULL, "Run container in background", &detach, NULL, NULL, NULL},
	{"interactive", 'i', 0, NULL, "Keep STDIN open", &interactive, NULL, NULL, NULL},
	{"tty", 't', 0, NULL, "Allocate a pseudo-TTY", &tty, NULL, NULL, NULL},
	{"rm", 0, 0, NULL, "Remove the container when it exits", &rm, NULL, NULL, NULL},
	{"name", 0, ARGS_VALUE, "string", "Assign a name", NULL, &name, NULL, NULL},
	{"env", 'e', ARGS_VALUE, "list", "Set environment variables", NULL, NULL, &env, NULL},
	{"publish", 'p', ARGS_VALUE, "list", "Publish a port", NULL, &publish_last, &publish, NULL},
	{"volume", 'v', ARGS_VALUE, "list", "Bind mount a volume", NULL, NULL, NULL, count_cb},
	{"secret", 0, ARGS_HIDDEN, NULL, "not shown", NULL, NULL, NULL, NULL},
	{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct args_table run_table = {
	"tug run [OPTIONS] IMAGE [COMMAND] [ARG...]",
	"Create and run a new container from an image",
	0,
	run_opts,
};

static const struct args_table ps_table = {
	"tug ps [OPTIONS]",
	NULL,
	ARGS_INTERSPERSED,
	run_opts,
};

static const char *root, *log_format;
static int systemd;

static const struct args_opt runc_opts[] = {
	{"root", 0, ARGS_VALUE, "value", "root directory for storage of container state", NULL,
	 &root, NULL, NULL},
	{"log-format", 0, ARGS_VALUE, "value", "log format", NULL, &log_format, NULL, NULL},
	{"systemd-cgroup", 0, 0, NULL, "use systemd cgroups", &systemd, NULL, NULL, NULL},
	{"bundle", 'b', ARGS_VALUE, "value", "path to the bundle", NULL, &name, NULL, NULL},
	{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct args_table runc_table = {
	"runc [global options] command [command options] [arguments...]",
	NULL,
	ARGS_GO_FLAGS,
	runc_opts,
};

static void reset(void)
{
	detach = interactive = tty = rm = systemd = calls = 0;
	name = publish_last = root = log_format = NULL;
	args_list_free(&env);
	args_list_free(&publish);
}

/* Parses a space-separated command line; argv stays valid until the next call. */
static int parse(const struct args_table *t, const char *line, char ***out, struct err *e)
{
	static char buf[1024];
	static char *argv[64];
	int argc = 0, ctx = 0;
	char *tok, *save = NULL;

	reset();
	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 63; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(tok, "''") ? tok : (char *)"";
	argv[argc] = NULL;
	*out = argv;
	return args_parse(t, argc, argv, &ctx, e);
}

/* The arguments left after parsing, joined by spaces, "(null)" checked too. */
static const char *rest(char **argv, int n)
{
	static char buf[512];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 1; i <= n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i > 1 ? " " : "",
					argv[i]);
	return argv[n + 1] == NULL ? buf : "(not NULL-terminated)";
}

static void test_docker(void)
{
	struct err e;
	char **argv;
	int n;

	n = parse(&run_table,
		  "run -it --rm --name web -p 80:80 -p8080:80 -e A=1 --env=B=2 "
		  "nginx sh -c -d",
		  &argv, &e);
	is_int(n, 4, "run: arguments counted");
	is_str(rest(argv, n), "nginx sh -c -d", "run: options end at IMAGE (not interspersed)");
	ok(interactive && tty && rm && !detach, "combined -it and --rm set; -d after IMAGE not");
	is_str(name, "web", "--name value");
	ok(publish.n == 2 && !strcmp(publish.v[0], "80:80") && !strcmp(publish.v[1], "8080:80"),
	   "-p 80:80 and -p8080:80 both listed");
	is_str(publish_last, "8080:80", "value pointer gets the last");
	ok(env.n == 2 && !strcmp(env.v[0], "A=1") && !strcmp(env.v[1], "B=2"),
	   "-e v and --env=v repeat into a list");
	n = parse(&run_table, "run -d=false --rm=True -p= x", &argv, &e);
	ok(n == 1 && !detach && rm && publish.n == 1 && !strcmp(publish.v[0], ""),
	   "-d=false, --rm=True, -p= (empty value)");
	n = parse(&run_table, "run -tip 443 img", &argv, &e);
	ok(n == 1 && tty && interactive && !strcmp(publish.v[0], "443"),
	   "a value letter ends a cluster and takes the next word");
	n = parse(&run_table, "run -pd img", &argv, &e);
	ok(n == 1 && !detach && !strcmp(publish.v[0], "d"), "-pd: p takes \"d\" as its value");
	n = parse(&run_table, "run --name -x img", &argv, &e);
	ok(n == 1 && !strcmp(name, "-x"), "a value may start with a dash");
	n = parse(&run_table, "run -- -img -d", &argv, &e);
	is_str(rest(argv, n), "-img -d", "-- ends the options");
	n = parse(&run_table, "run img -- x", &argv, &e);
	is_str(rest(argv, n), "img -- x", "-- after the first argument is an argument");
	n = parse(&run_table, "run - x", &argv, &e);
	is_str(rest(argv, n), "- x", "a lone - is an argument");
	n = parse(&run_table, "run", &argv, &e);
	is_int(n, 0, "no arguments");
	n = parse(&run_table, "run -v a -v b img", &argv, &e);
	ok(n == 1 && calls == 2, "callback called for each occurrence");
	n = parse(&run_table, "run --secret img", &argv, &e);
	is_int(n, 1, "hidden option is accepted");
}

static void test_interspersed(void)
{
	struct err e;
	char **argv;
	int n;

	n = parse(&ps_table, "ps a -d b --name x c", &argv, &e);
	is_str(rest(argv, n), "a b c", "interspersed: options between arguments");
	ok(detach && !strcmp(name, "x"), "... and they are parsed");
	n = parse(&ps_table, "ps a -- -d", &argv, &e);
	ok(!detach && !strcmp(rest(argv, n), "a -d"), "interspersed: -- still ends options");
}

static void test_errors(void)
{
	struct err e;
	char **argv;

	is_int(parse(&run_table, "run --foo img", &argv, &e), -1, "unknown long flag");
	is_str(e.msg, "unknown flag: --foo", "... pflag's message");
	is_int(parse(&run_table, "run --foo=1 img", &argv, &e), -1, "unknown long with value");
	is_str(e.msg, "unknown flag: --foo", "... names the flag only");
	is_int(parse(&run_table, "run -itx img", &argv, &e), -1, "unknown letter in a cluster");
	is_str(e.msg, "unknown shorthand flag: 'x' in -itx", "... pflag's message");
	is_int(parse(&run_table, "run --name", &argv, &e), -1, "missing value, long");
	is_str(e.msg, "flag needs an argument: --name", "... message");
	is_int(parse(&run_table, "run -dp", &argv, &e), -1, "missing value, short");
	is_str(e.msg, "flag needs an argument: 'p' in -dp", "... message");
	is_int(parse(&run_table, "run --rm=maybe x", &argv, &e), -1, "bad boolean");
	is_str(e.msg, "invalid argument \"maybe\" for \"--rm\" flag: expected true or false",
	       "... message");
	is_int(parse(&run_table, "run -v boom x", &argv, &e), -1, "callback error stops");
	is_str(e.msg, "bad volume \"boom\"", "... with the callback's message");
	is_int(parse(&runc_table, "runc -root", &argv, &e), -1, "Go-style missing value");
	is_str(e.msg, "flag needs an argument: -root", "... as typed");
}

static void test_runc(void)
{
	struct err e;
	char **argv;
	int n;

	n = parse(&runc_table,
		  "runc --root /run/tug -log-format=json --systemd-cgroup "
		  "create -x",
		  &argv, &e);
	is_str(rest(argv, n), "create -x", "runc: global options, then the command");
	ok(!strcmp(root, "/run/tug") && !strcmp(log_format, "json") && systemd,
	   "--root v, -log-format=v (Go style), --systemd-cgroup");
	n = parse(&runc_table, "runc -b /b -bundle /c id", &argv, &e);
	ok(n == 1 && !strcmp(name, "/c"), "-b letter and -bundle long name");
	is_int(parse(&runc_table, "runc -rooty x", &argv, &e), -1, "unknown Go-style name");
	is_str(e.msg, "unknown shorthand flag: 'r' in -rooty", "... falls to letters");
	is_int(parse(&run_table, "run -rm x", &argv, &e), -1, "Docker grammar: -rm is letters");
}

static const struct args_opt short_opts[] = {
	{NULL, 'x', ARGS_VALUE, "n", NULL, NULL, NULL, NULL, NULL},
	{"all", 0, 0, NULL, "Show all", NULL, NULL, NULL, NULL},
	{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct args_table short_table = {NULL, NULL, 0, short_opts};

static void test_usage(void)
{
	static const char want[] = "Usage:  tug run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
				   "\n"
				   "Create and run a new container from an image\n"
				   "\n"
				   "Options:\n"
				   "  -d, --detach        Run container in background\n"
				   "  -i, --interactive   Keep STDIN open\n"
				   "  -t, --tty           Allocate a pseudo-TTY\n"
				   "      --rm            Remove the container when it exits\n"
				   "      --name string   Assign a name\n"
				   "  -e, --env list      Set environment variables\n"
				   "  -p, --publish list  Publish a port\n"
				   "  -v, --volume list   Bind mount a volume\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	args_usage(&run_table, f);
	fclose(f);
	is_str(buf, want, "usage text, hidden option left out");
	free(buf);
	f = open_memstream(&buf, &len);
	args_usage(&short_table, f);
	fclose(f);
	is_str(buf, "Options:\n  -x n\n      --all  Show all\n", "short-only option, no help");
	free(buf);
}

int main(void)
{
	test_docker();
	test_interspersed();
	test_errors();
	test_runc();
	test_usage();
	reset();
	return done_testing();
}
