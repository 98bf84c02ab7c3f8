/* shim.h - what the files of `tug shim` share: the one monitor's state, its
 * clients on the control socket, and the steps of its life (docs/DAEMON.md). */
#ifndef TUG_SHIM_H
#define TUG_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "jsonlog.h"

/* An attach client that does not read is dropped once this much output
 * waits for it: the log and the other clients never wait for one. */
#define SHIM_CLIENT_QUEUE (64 * 1024)
/* After the exit, attach clients get this long to take their output. */
#define SHIM_DRAIN_MS 5000

enum shim_client_kind {
	SHIM_CL_REQUEST, /* reading its request line */
	SHIM_CL_WAIT, /* waits for the exit */
	SHIM_CL_ATTACH, /* a hijacked connection: output out, stdin in */
};

struct shim_client {
	struct shim_client *next;
	enum shim_client_kind kind;
	int fd;
	int passed_fd; /* an fd that came with the request (attach) */
	bool in, out, err; /* attach: which streams */
	bool closing; /* the container exited: close once drained */
	bool rd_eof; /* the client sent its EOF */
	char req[128];
	size_t reqlen;
	char *q; /* output not yet taken by the client */
	size_t qlen;
};

struct shim {
	/* the command line */
	const char *id, *bundle, *root, *socket;
	bool tty, open_stdin, json_log;
	bool exec_mode; /* `shim exec`: no log, socket, exit.json or delete */
	int64_t log_max_size;
	unsigned log_max_file;

	struct jsonlog_writer log;
	bool log_open;
	int sigfd; /* signalfd: SIGCHLD */
	int listen_fd;
	int out_fd, err_fd; /* read ends; with a tty out_fd is the pty master */
	int in_fd; /* stdin's write end (the master with a tty); -1: none */
	char *in_buf; /* client input the container has not taken yet */
	size_t in_len, in_off;
	pid_t pid; /* the container's init */
	bool exited;
	int exit_code, exit_signal;
	struct shim_client *clients;
};

/* shim-start.c: the container's stdio, create and start. shim_pipes makes
 * the pipes (stdin only with open_stdin) with the process's ends in child;
 * shim_stdio_swap puts those on fds 0-2 for the clone, shim_stdio_null
 * puts /dev/null back. */
int shim_pipes(struct shim *s, int child[3], struct err *e);
void shim_stdio_swap(const int child[3]);
void shim_stdio_null(void);
int shim_start(struct shim *s, struct err *e);

/* shim-ctl.c: the control socket and its clients. */
int shim_listen(struct shim *s, struct err *e);
void shim_accept(struct shim *s);
/* Poll events of request and wait connections; drops them when done. */
void shim_request_event(struct shim *s, struct shim_client *c, short revents);
/* Output of the container to the attached clients (stream 1 or 2). */
void shim_broadcast(struct shim *s, int stream, const char *buf, size_t len);
void shim_client_drop(struct shim *s, struct shim_client *c);
/* The exit is known: answer the waiters, let attach clients drain. */
void shim_answer_waiters(struct shim *s);
/* Client input towards the container's stdin (pending in s->in_buf). */
void shim_stdin_flush(struct shim *s);
void shim_stdin_close(struct shim *s);
/* What to poll an attach client for, and its events (shim-io.c). */
short shim_attach_events(const struct shim *s, const struct shim_client *c);
void shim_attach_event(struct shim *s, struct shim_client *c, short revents);

/* shim-loop.c: the poll loop until the container exited and was cleaned. */
int shim_loop(struct shim *s);

/* shim-exec.c: `tug shim exec`. */
int shim_exec_main(int argc, char **argv);

/* Shared by shim and shim exec: move a client's output to its socket
 * without blocking; -1 when the client is gone. */
int shim_queue(struct shim_client *c, const void *hdr, size_t hlen, const void *buf, size_t len);
int shim_queue_flush(struct shim_client *c);

#endif
