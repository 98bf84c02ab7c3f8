/* path.h - paths from untrusted sources (image layers, OCI configs, API
 * requests) kept inside a root: lexical joins and an fd-based open that
 * resolves symlinks the way a chroot at the root would. */
#ifndef TUG_PATH_H
#define TUG_PATH_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Lexical clean, like Go's filepath.Clean: collapses "//", drops ".",
 * resolves ".." against the previous component; ".." at "/" stays at "/";
 * leading ".." of a relative path are kept; "" becomes ".". out may not
 * overlap in. Fails with ENAMETOOLONG when out is too small. */
int path_clean(const char *in, char *out, size_t outsize, struct err *e);

/* root + untrusted, where untrusted is taken as relative to root even when
 * it is absolute, and ".." can never climb above root (as under chroot).
 * The result is clean. Lexical only: a symlink inside root can still point
 * out, so use path_open_beneath to open what is there.
 * The _n form takes a counted buffer (tar headers, JSON strings) and refuses
 * one that holds a NUL byte (EINVAL). */
int path_join_under(const char *root, const char *untrusted, char *out, size_t outsize,
		    struct err *e);
int path_join_under_n(const char *root, const char *untrusted, size_t len, char *out,
		      size_t outsize, struct err *e);

/* openat(rootfd, relpath, flags, mode) with every step, symlinks included,
 * resolved as if rootfd were "/": absolute symlinks start again at rootfd,
 * ".." stops at rootfd, magic links (/proc/<pid>/fd/...) are never
 * followed. Returns a new fd (O_CLOEXEC added; the caller closes it) or -1.
 * rootfd is borrowed. Uses openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
 * when the kernel has it (5.6+), else a component-by-component walk with
 * O_PATH | O_NOFOLLOW that follows at most PATH_MAX_SYMLINKS links (ELOOP). */
#define PATH_MAX_SYMLINKS 40
int path_open_beneath(int rootfd, const char *relpath, int flags, mode_t mode, struct err *e);

/* Tests: force the walk even when openat2 exists (1), or back to auto (0). */
void path_force_fallback(int force);

#endif
