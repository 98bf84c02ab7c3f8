/* rmtree.h - remove a folder tree that may hold anything a layer can hold
 * (symlinks out of it, folders with mode 000, whiteout devices, thousands of
 * levels), by fds only: never following a symlink, never leaving dirfd. */
#ifndef TUG_OCI_RMTREE_H
#define TUG_OCI_RMTREE_H

#include "err.h"

/* Remove name (one path component in dirfd, which is borrowed) and all that
 * is beneath it; a file or symlink is simply unlinked, a missing name is
 * not an error. Folders are made u+rwx before they are emptied. Another
 * file system mounted beneath is refused (EBUSY) rather than emptied. Uses
 * a constant number of fds whatever the depth. The store, the unpacker and
 * the snapshotters all remove trees with it. */
int oci_rm_tree(int dirfd, const char *name, struct err *e);

/* Remove everything in the folder dirfd (borrowed), which stays. */
int oci_rm_contents(int dirfd, struct err *e);

#endif
