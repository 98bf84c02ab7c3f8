/* ctr-priv.h - what the container manager's files share. */
#ifndef TUG_DAEMON_CTR_PRIV_H
#define TUG_DAEMON_CTR_PRIV_H

#include "core/daemon/ctr.h"

/* ctr-shim.c */
void ctr_socket_path(struct daemon *d, const struct ctr *c, char *buf, size_t size);
/* Start the shim (without d->mu); *pid gets the container's pid. */
int ctr_shim_start(struct daemon *d, struct ctr *c, pid_t *pid, struct err *e);
/* Connect to the shim's socket and send request (may be NULL): the fd. */
int ctr_shim_connect(struct daemon *d, struct ctr *c, const char *request, struct err *e);
/* Connect to the unix socket at path and send request (may be NULL). */
int ctr_sock_request(const char *path, const char *request, struct err *e);
/* Send request with fd attached (SCM_RIGHTS) on sock. */
int ctr_shim_send_fd(int sock, const char *request, int fd, struct err *e);
/* Update exit code, OOM and finish time from <cdir>/exit.json. */
void ctr_read_exit(struct ctr *c);

/* ctr-cmd.c: 0 when args[0] of the OCI process proc can run in c's
 * (mounted) rootfs; else 127 (not there) or 126 (not runnable) with
 * runc's words in e. */
int ctr_cmd_check(const struct ctr *c, const cJSON *proc, struct err *e);

/* ctr-logcfg.c: HostConfig.LogConfig over the daemon's defaults. */
const char *ctr_log_driver(struct daemon *d, const struct ctr *c);
int64_t ctr_log_max_size(struct daemon *d, const struct ctr *c);
int ctr_log_max_file(struct daemon *d, const struct ctr *c);
/* "10m" -> bytes (k, m, g), -1 on garbage. */
int64_t ctr_size_parse(const char *s);

/* ctr-run.c: watch the shim's `wait` connection (d->mu held). */
int ctr_watch(struct daemon *d, struct ctr *c, struct err *e);
/* The container's process is gone (d->mu held): state, events, policy. */
void ctr_exited(struct daemon *d, struct ctr *c);

#endif
