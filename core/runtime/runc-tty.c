/* runc-tty.c - `run` in the foreground with process.terminal and no
 * --console-socket: tug is its own console socket, as runc is. It receives
 * the pty master and copies between it and its own stdin/stdout, with the
 * user's terminal in raw mode and window size changes passed on. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "core/runtime/runc.h"
#include "file.h"
#include "oci/console.h"

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

static void copy_winsize(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

int runc_tty_take_master(int sock)
{
	struct err e;

	/* The init sent the master before it said it was ready: it is queued
	 * already, or process.terminal was false and none will come. */
	if (fcntl(sock, F_SETFL, O_NONBLOCK) < 0)
		return -1;
	return oci_recv_fd(sock, NULL, 0, &e);
}

/* Move what one side has to the other; 0 at its end (EIO: every slave fd
 * closed, i.e. the container's processes are gone), -1 on error. */
static int pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	return file_write_full(to, buf, (size_t)n, NULL) < 0 ? -1 : 1;
}

void runc_tty_proxy(int master)
{
	struct sigaction sa = {.sa_handler = on_winch};
	struct termios saved, raw;
	bool restore = tcgetattr(STDIN_FILENO, &saved) == 0;
	struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
			      {.fd = master, .events = POLLIN}};

	if (restore) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		copy_winsize(master);
		sigaction(SIGWINCH, &sa, NULL);
	}
	for (;;) {
		if (winch) {
			winch = 0;
			copy_winsize(master);
		}
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents && pump(master, STDOUT_FILENO) <= 0)
			break;
		/* stdin at its end: the container keeps its terminal */
		if (p[0].revents && pump(STDIN_FILENO, master) <= 0)
			p[0].fd = -1;
	}
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(master);
}
