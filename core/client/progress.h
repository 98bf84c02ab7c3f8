/* progress.h - the pull progress display of the image commands. */
#ifndef TUG_CLIENT_PROGRESS_H
#define TUG_CLIENT_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "registry/pull.h"

#define CLI_PROGRESS_MAX 128

struct cli_progress {
	FILE *out;
	bool tty, quiet;
	size_t n, nlines;
	struct {
		size_t index, line;
		char digest[DIGEST_STR_MAX];
		bool started;
	} layers[CLI_PROGRESS_MAX];
};

void cli_progress_init(struct cli_progress *p, FILE *out, bool quiet);
/* A reg_pull_opts.progress callback; arg is the struct cli_progress. */
void cli_progress_event(const struct reg_pull_event *ev, void *arg);

#endif
