/* console.h - the container's terminal: a pty from the container's own devpts,
 * its master sent to whoever listens on --console-socket (SCM_RIGHTS), its
 * slave the controlling terminal of the calling session leader and /dev/console. */
#ifndef TUG_OCI_CONSOLE_H
#define TUG_OCI_CONSOLE_H

#include "err.h"

/* Connect to the console socket (a unix stream socket path); returns the fd. */
int oci_console_connect(const char *path, struct err *e);

/* In the container, after pivot_root: make the pty, send the master over
 * sockfd, bind the slave on /dev/console, make it the controlling terminal
 * of a new session and stdin/stdout/stderr. */
int oci_console_setup(int sockfd, unsigned rows, unsigned cols, struct err *e);

/* Send fd over a unix socket with name as the data, as runc does. */
int oci_send_fd(int sockfd, const char *name, int fd, struct err *e);
/* Receive one fd (and the name sent with it, when name is not NULL). */
int oci_recv_fd(int sockfd, char *name, size_t namesize, struct err *e);

#endif
