/* hooks.c - fork and exec one hook with the container's state on its stdin,
 * waiting at most its timeout. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "oci/hooks.h"

const char *oci_hook_kind_name(enum oci_hook_kind kind)
{
	static const char *const names[] = {"prestart",       "createRuntime", "createContainer",
					    "startContainer", "poststart",     "poststop"};
	return names[kind];
}

static void hook_child(const struct oci_hook *h, int in)
{
	static char *const empty[] = {NULL};
	const char *argv0[] = {h->path, NULL};

	if (dup2(in, 0) < 0)
		_exit(127);
	execve(h->path, (char *const *)(h->args ? h->args : argv0),
	       h->env ? (char *const *)h->env : empty);
	_exit(127);
}

/* waitpid with a deadline in milliseconds (< 0: none); 0 when it ended. */
static int wait_deadline(pid_t pid, int *status, long ms)
{
	struct timespec nap = {0, 2 * 1000 * 1000};

	for (long waited = 0;; waited += 2) {
		pid_t r = waitpid(pid, status, ms < 0 ? 0 : WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (ms >= 0 && waited >= ms)
			return 1;
		if (r == 0)
			nanosleep(&nap, NULL);
	}
}

static int run_one(const struct oci_hook *h, const char *kind, size_t i, const char *state,
		   struct err *e)
{
	int pipefd[2], status = 0, r;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return err_sys(e, errno, "%s hook %zu (%s)", kind, i, h->path);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return err_sys(e, errno, "%s hook %zu (%s): fork", kind, i, h->path);
	}
	if (pid == 0)
		hook_child(h, pipefd[0]);
	close(pipefd[0]);
	/* A hook that does not read its stdin is fine: EPIPE, not SIGPIPE. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGPIPE, &ign, &old);
	file_write_full(pipefd[1], state, strlen(state), NULL);
	close(pipefd[1]);
	sigaction(SIGPIPE, &old, NULL);
	r = wait_deadline(pid, &status, h->timeout.has ? h->timeout.v * 1000 : -1);
	if (r == 1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return err_set(e, "%s hook %zu (%s): timed out after %llds", kind, i, h->path,
			       (long long)h->timeout.v);
	}
	if (r < 0)
		return err_sys(e, errno, "%s hook %zu (%s): wait", kind, i, h->path);
	if (WIFSIGNALED(status))
		return err_set(e, "%s hook %zu (%s): killed by signal %d", kind, i, h->path,
			       WTERMSIG(status));
	if (WEXITSTATUS(status) == 127)
		return err_set(e, "%s hook %zu (%s): could not be run", kind, i, h->path);
	if (WEXITSTATUS(status) != 0)
		return err_set(e, "%s hook %zu (%s): exited with status %d", kind, i, h->path,
			       WEXITSTATUS(status));
	return 0;
}

int oci_hooks_run(const struct oci_spec *s, enum oci_hook_kind kind, const char *state_json,
		  struct err *e)
{
	for (size_t i = 0; i < s->hooks.n[kind]; i++)
		if (run_one(&s->hooks.list[kind][i], oci_hook_kind_name(kind), i, state_json, e) <
		    0)
			return -1;
	return 0;
}
