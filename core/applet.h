/* applet.h - what a face or command registers with the multi-call binary, and
 * the exit codes every face of tug shares (docs/HACKING.md, "Exit codes"). */
#ifndef TUG_APPLET_H
#define TUG_APPLET_H

#include <stdbool.h>

/* tug's own faces (runtime, daemon, shim, features): 0 success, 1 the
 * operation failed, 2 the command line was wrong. Docker-grammar client
 * commands keep the docker CLI's codes so scripts behave the same. */
#define TUG_EXIT_OK 0
#define TUG_EXIT_FAIL 1
#define TUG_EXIT_USAGE 2

struct applet {
	const char *name;
	int (*main)(int argc, char **argv); /* argv[0] is the command's name */
	const char *summary;
};

/* The command line as the process got it, before any parser moved its
 * entries: to execute the same command again (the runtime's sealed copy). */
extern char **tug_argv;

/* Global options, given before the command (tug --data-root DIR pull x). */
extern const char *tug_data_root; /* NULL: the default, /var/lib/tug */
extern bool tug_keep_layer_blobs; /* keep compressed layers (push, save) */
extern const char *tug_host; /* -H/--host: the daemon's address, NULL: the default */

struct alias {
	const char *argv0; /* invoked under this name ... */
	const char *applet; /* ... run this applet with the whole argv */
};

#endif
