/* console.c - the pty of a container with process.terminal, handed over a
 * unix socket the way runc hands it to containerd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "oci/console.h"

int oci_console_connect(const char *path, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_sys(e, ENAMETOOLONG, "console socket %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, errno, "console socket %s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int saved = errno;

		close(fd);
		return err_sys(e, saved, "connect to the console socket %s", path);
	}
	return fd;
}

int oci_send_fd(int sockfd, const char *name, int fd, struct err *e)
{
	char ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {(void *)name, strlen(name)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sockfd, &msg, MSG_NOSIGNAL) < 0)
		return err_sys(e, errno, "send the terminal over the console socket");
	return 0;
}

int oci_recv_fd(int sockfd, char *name, size_t namesize, struct err *e)
{
	char ctl[CMSG_SPACE(sizeof(int))], buf[4096];
	struct iovec iov = {buf, sizeof(buf) - 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c;
	ssize_t n = recvmsg(sockfd, &msg, MSG_CMSG_CLOEXEC);
	int fd;

	if (n < 0)
		return err_sys(e, errno, "receive a terminal");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return err_set(e, "receive a terminal: no file descriptor came");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (name && namesize) {
		buf[n] = '\0';
		snprintf(name, namesize, "%s", buf);
	}
	return fd;
}

static int open_pty(int *slave, char *name, size_t size, struct err *e)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), n, unlock = 0;

	if (master < 0)
		return err_sys(e, errno, "open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0) {
		close(master);
		return err_sys(e, errno, "unlock the pty");
	}
	snprintf(name, size, "/dev/pts/%d", n);
	*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0) {
		int saved = errno;

		close(master);
		return err_sys(e, saved, "open %s", name);
	}
	return master;
}

int oci_console_setup(int sockfd, unsigned rows, unsigned cols, struct err *e)
{
	char name[64];
	int slave = -1, master, fd, r = -1;

	master = open_pty(&slave, name, sizeof(name), e);
	if (master < 0)
		return -1;
	if (rows && cols) {
		struct winsize ws = {.ws_row = (unsigned short)rows,
				     .ws_col = (unsigned short)cols};
		ioctl(slave, TIOCSWINSZ, &ws);
	}
	if (oci_send_fd(sockfd, name, master, e) < 0)
		goto out;
	fd = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	if (fd < 0 || mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0) {
		err_sys(e, errno, "bind %s on /dev/console", name);
		goto out;
	}
	if (ioctl(slave, TIOCSCTTY, 0) < 0) {
		err_sys(e, errno, "make %s the controlling terminal", name);
		goto out;
	}
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0) {
			err_sys(e, errno, "use %s as stdio", name);
			goto out;
		}
	r = 0;
out:
	close(master);
	close(slave);
	return r;
}
