/* ctr-cmd.c - is the command of a process there in the container, and may
 * it run? Checked before a start or an exec, as runc's LookPath does, so
 * that a missing command is dockerd's 127 with its words, a file that may
 * not run is 126, and nothing was started. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/daemon/ctr-priv.h"
#include "file.h"
#include "json.h"
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

/* dir is dest or beneath it ("/a/b" is beneath "/a", not beneath "/ab"). */
static bool beneath(const char *dir, const char *dest)
{
	size_t n = strlen(dest);

	while (n > 1 && dest[n - 1] == '/')
		n--;
	return n > 1 && !strncmp(dir, dest, n) && (!dir[n] || dir[n] == '/');
}

/* The command, or a folder of the PATH searched for it, lies in one of the
 * container's mounts (a volume, a bind): the rootfs does not show what is
 * there, only the runtime can tell. */
static bool in_mount(const struct ctr *c, const char *cmd, const char *path)
{
	char p[PATH_MAX + 128], *txt = NULL;
	const cJSON *m, *dest;
	cJSON *cfg = NULL;
	size_t len;
	bool r = false;

	ctr_path(c, "config.json", p, sizeof(p));
	if (file_read_all(p, 16 << 20, &txt, &len, NULL) < 0 ||
	    json_parse(txt, len, &cfg, NULL) < 0) {
		free(txt);
		return false;
	}
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(cfg, "mounts"))
	{
		dest = cJSON_GetObjectItemCaseSensitive(m, "destination");
		if (!cJSON_IsString(dest) || r)
			continue;
		if (strchr(cmd, '/')) {
			r = cmd[0] == '/' && beneath(cmd, dest->valuestring);
			continue;
		}
		for (const char *d = path; !r && *d;) {
			size_t n = strcspn(d, ":");
			char dir[PATH_MAX];

			snprintf(dir, sizeof(dir), "%.*s", (int)n, d);
			r = dir[0] == '/' && beneath(dir, dest->valuestring);
			d += d[n] ? n + 1 : n;
		}
	}
	cJSON_Delete(cfg);
	free(txt);
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
	if (best == 0 || in_mount(c, cmd, path))
		return 0;
	if (best == 2)
		return err_set(e, "exec: \"%s\": permission denied", cmd), 126;
	if (strchr(cmd, '/'))
		return err_set(e, "exec: \"%s\": stat %s: no such file or directory", cmd, cmd),
		       127;
	return err_set(e, "exec: \"%s\": executable file not found in $PATH", cmd), 127;
}
