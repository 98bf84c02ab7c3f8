/* ctr-cmd.c - is the command of a process there in the container, and may
 * it run? Checked before a start or an exec, as runc's LookPath does, so
 * that a missing command is dockerd's 127 with its words, a file that may
 * not run is 126, and nothing was started. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/daemon/ctr-priv.h"
#include "path.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* 0: a regular file, 1: not there, 2: there but not a runnable file. */
static int probe(int rfd, const char *cand)
{
	struct stat st;
	int fd = path_open_beneath(rfd, cand[0] == '/' ? cand + 1 : cand, O_PATH, 0, NULL), r;

	if (fd < 0)
		return 1;
	r = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) ? 0 : 2;
	close(fd);
	return r;
}

int ctr_cmd_check(const struct ctr *c, const cJSON *proc, struct err *e)
{
	const cJSON *a0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(proc, "args"), 0);
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(proc, "env"), *it;
	const char *path = DEFAULT_PATH, *cmd;
	char root[PATH_MAX + 128], cand[PATH_MAX];
	int rfd, best = 1;

	if (!cJSON_IsString(a0) || !*a0->valuestring)
		return err_set(e, "exec: no command"), 127;
	cmd = a0->valuestring;
	ctr_path(c, "rootfs", root, sizeof(root));
	if ((rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0; /* cannot tell: the runtime will say */
	cJSON_ArrayForEach(it, env) if (cJSON_IsString(it) && !strncmp(it->valuestring, "PATH=", 5))
		path = it->valuestring + 5;
	if (strchr(cmd, '/')) {
		best = probe(rfd, cmd);
	} else {
		for (const char *p = path; best;) {
			size_t n = strcspn(p, ":");
			snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, n ? p : ".", cmd);
			int r = probe(rfd, cand);
			if (r < best)
				best = r;
			if (!p[n])
				break;
			p += n + 1;
		}
	}
	close(rfd);
	if (best == 0)
		return 0;
	if (best == 2)
		return err_set(e, "exec: \"%s\": permission denied", cmd), 126;
	if (strchr(cmd, '/'))
		return err_set(e, "exec: \"%s\": stat %s: no such file or directory", cmd, cmd),
		       127;
	return err_set(e, "exec: \"%s\": executable file not found in $PATH", cmd), 127;
}
