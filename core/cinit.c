/* cinit.c - the container's PID 1 for `docker run --init`: the tug binary
 * is mounted at /sbin/docker-init, runs the command as its child, passes
 * on the signals it gets and reaps every orphan, then exits as the child
 * did (128+signal when it was killed), as tini does for dockerd. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "applets.h"
#include "core/applet.h"

//applet: container-init tug_cinit_main "PID 1 of a container (run --init): forwards signals, reaps"
//alias: docker-init container-init

static int run_child(char **args, const sigset_t *old)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	sigprocmask(SIG_SETMASK, old, NULL);
	/* its own process group, so that a terminal's ^C reaches it */
	setpgid(0, 0);
	if (isatty(STDIN_FILENO))
		tcsetpgrp(STDIN_FILENO, getpgrp());
	execvp(args[0], args);
	fprintf(stderr, "docker-init: exec %s: %s\n", args[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Reap everything that has exited; the child's status in *status. */
static bool reap(pid_t child, int *status)
{
	bool done = false;
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p != child)
			continue;
		done = true;
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	return done;
}

int tug_cinit_main(int argc, char **argv)
{
	sigset_t all, old;
	int status = 0, sig;
	pid_t child;

	argv++;
	argc--;
	if (argc > 0 && !strcmp(argv[0], "--"))
		argv++, argc--;
	if (argc < 1) {
		fprintf(stderr, "usage: docker-init [--] COMMAND [ARG]...\n");
		return TUG_EXIT_USAGE;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	child = run_child(argv, &old);
	if (child < 0) {
		fprintf(stderr, "docker-init: fork: %s\n", strerror(errno));
		return TUG_EXIT_FAIL;
	}
	for (;;) {
		if (sigwait(&all, &sig) != 0)
			continue;
		if (sig == SIGCHLD) {
			if (reap(child, &status))
				return status;
		} else if (sig != SIGTTIN && sig != SIGTTOU && sig != SIGURG && sig != SIGWINCH) {
			kill(child, sig);
		} else if (sig == SIGWINCH) {
			kill(-child, sig);
		}
	}
}
