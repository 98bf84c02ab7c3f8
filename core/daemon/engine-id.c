/* engine-id.c - the daemon's own ID, as dockerd keeps it in
 * <data-root>/engine-id: a random UUID made at the first start and kept,
 * so that what identifies an engine by `docker info`'s ID (Portainer, the
 * events' daemon actor) sees the same one across restarts. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/daemon/daemon.h"
#include "file.h"

/* A well-formed UUID: 36 characters, hex digits and dashes at 8-4-4-4-12. */
static bool uuid_ok(const char *s, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return false;
	}
	return true;
}

int daemon_engine_id(const char *data_root, char id[37], struct err *e)
{
	char path[PATH_MAX + 16], *txt = NULL;
	unsigned char r[16];
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/engine-id", data_root);
	if (file_read_all(path, 4096, &txt, &len, e) < 0 && e->errnum != ENOENT)
		return err_wrap(e, "engine id"); /* unreadable is not missing: keep it */
	if (txt) {
		while (len && (txt[len - 1] == '\n' || txt[len - 1] == ' '))
			len--;
		if (uuid_ok(txt, len)) {
			memcpy(id, txt, 36);
			id[36] = '\0';
			free(txt);
			return 0;
		}
	}
	free(txt);
	/* missing or damaged: a new one (version 4, RFC 4122 variant) */
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return err_sys(e, errno, "engine id: getrandom");
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(id, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
		 r[13], r[14], r[15]);
	return file_write_atomic(AT_FDCWD, path, id, 36, 0600, e) < 0
		       ? err_wrap(e, "engine id %s", path)
		       : 0;
}
