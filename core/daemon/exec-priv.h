/* exec-priv.h - what exec's files share (api-exec.c, ctr-health.c): an exec
 * instance, its OCI process file and the `tug shim exec` that runs it. */
#ifndef TUG_DAEMON_EXEC_PRIV_H
#define TUG_DAEMON_EXEC_PRIV_H

#include <stdbool.h>
#include <sys/types.h>
#include <cJSON.h>

#include "core/daemon/ctr.h"

struct execi {
	char id[65];
	struct ctr *c; /* held */
	cJSON *body; /* the create request */
	bool running, started, tty;
	bool busy; /* a thread runs it: not forgotten meanwhile */
	bool dropped; /* its container stopped before it exited: not found */
	int exit_code; /* -1: none yet */
	char error[512]; /* why it could not start */
	pid_t pid;
	struct execi *next;
};

/* The instance called id (d->mu held), NULL when none. */
struct execi *exec_find(struct daemon *d, const char *id);
/* POST /exec/{id}/resize (api-exec-resize.c). */
struct hx;
void exec_resize(struct hx *x);
/* c stopped (d->mu held): its execs that have not exited are dropped,
 * as dockerd unregisters them (exec inspect, start, resize: 404). */
void exec_ctr_stopped(struct daemon *d, struct ctr *c);
/* A fresh random exec id (64 hex). */
int exec_new_id(char id[65]);
/* Write <cdir>/exec-<id>.json: c's process with the exec's command, env,
 * user, cwd and terminal. -2 (e: runc's words) when the command cannot
 * run in the container, -1 on other errors. */
int exec_process_file(struct execi *ex, char *path, size_t size, struct err *e);
/* fork + exec `tug shim exec` with client on fd 3 (-1: --detach), the
 * report pipe's write end on fd 4 and its control socket at sock (may be
 * NULL); the child's pid, -1 with e. */
pid_t exec_spawn(struct daemon *d, struct execi *ex, const char *pfile, int client, int report,
		 const char *sock, struct err *e);
/* The exec shim's control socket: <shims>/x-<id12>.sock. */
void exec_socket_path(struct daemon *d, const struct execi *ex, char *buf, size_t size);
/* "exec_create: sh -c true": the action word and the command, as dockerd. */
void exec_action(const char *what, const cJSON *cmd, char *buf, size_t size);

#endif
