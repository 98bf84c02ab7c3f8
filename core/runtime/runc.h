/* runc.h - what the files of the runc command line share. */
#ifndef TUG_RUNC_H
#define TUG_RUNC_H

#include "args.h"
#include "err.h"

struct runc_globals {
	const char *root; /* --root */
	const char *log; /* --log */
	int version;
};
extern struct runc_globals runc_g;

struct runc_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int runc_parse(const struct args_table *t, int argc, char **argv, int min, int max, int *rc);
int runc_fail(const char *cmd, const struct err *e);
int runc_usage_error(const struct args_table *t, const char *msg);
/* "KILL", "SIGKILL", "9" -> 9; -1 when unknown. */
int runc_signal(const char *s);

/* runc-tty.c: the pty master the init sent over sock (-1 when none came),
 * and the copy loop between it and our stdin/stdout until it ends. */
int runc_tty_take_master(int sock);
void runc_tty_proxy(int master);

int runc_cmd_list(int argc, char **argv);
int runc_cmd_ps(int argc, char **argv);
int runc_cmd_pause(int argc, char **argv);
int runc_cmd_resume(int argc, char **argv);
int runc_cmd_update(int argc, char **argv);
int runc_cmd_events(int argc, char **argv);
int runc_cmd_features(int argc, char **argv);
int runc_cmd_spec(int argc, char **argv);
int runc_cmd_exec(int argc, char **argv);

#endif
