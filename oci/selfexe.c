/* selfexe.c - the sealed copy of the runtime binary (see selfexe.h). A
 * sealed memfd cannot be written by anyone, root in the container included,
 * and it goes away with the last process that runs it. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/selfexe.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool oci_self_is_sealed(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals = fd < 0 ? -1 : fcntl(fd, F_GET_SEALS);

	if (fd >= 0)
		close(fd);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

static int copy_self(int to, struct err *e)
{
	struct stat st;
	off_t off = 0;
	int from = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (from < 0 || fstat(from, &st) < 0) {
		int saved = errno;

		if (from >= 0)
			close(from);
		return err_sys(e, saved, "open /proc/self/exe");
	}
	while (off < st.st_size) {
		ssize_t n = sendfile(to, from, &off, (size_t)(st.st_size - off));

		if (n <= 0) {
			int saved = n < 0 ? errno : EIO;

			close(from);
			return err_sys(e, saved, "copy /proc/self/exe into memory");
		}
	}
	close(from);
	return 0;
}

int oci_reexec_sealed(char **argv, struct err *e)
{
	int fd;

	if (oci_self_is_sealed())
		return 0;
	fd = memfd_create("tug", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return err_sys(e, errno, "memfd_create for a sealed copy of tug");
	if (copy_self(fd, e) < 0 || fchmod(fd, 0555) < 0 || fcntl(fd, F_ADD_SEALS, SEALS) < 0) {
		if (!e || !e->msg[0])
			err_sys(e, errno, "seal the copy of tug");
		close(fd);
		return -1;
	}
	fexecve(fd, argv, environ);
	err_sys(e, errno, "execute the sealed copy of tug");
	close(fd);
	return -1;
}
