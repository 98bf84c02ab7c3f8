/* progress.h - the per-layer progress display of pull and push, the way
 * docker shows it: on a terminal one line per layer, redrawn in place;
 * otherwise one plain line per change of state. */
#ifndef TUG_CLIENT_PROGRESS_H
#define TUG_CLIENT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
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
/* Forget the layers (the next image of a push -a). */
void cli_progress_reset(struct cli_progress *p);
/* Show status on the line of layer (a line is added the first time). */
void cli_progress_show(struct cli_progress *p, size_t layer, const char *digest, const char *status,
		       const char *detail);
/* Bytes moving: a bar on a terminal, else status once per layer. */
void cli_progress_bytes(struct cli_progress *p, size_t layer, const char *digest,
			const char *status, int64_t current, int64_t total);
/* A reg_pull_opts.progress callback; arg is the struct cli_progress. */
void cli_progress_event(const struct reg_pull_event *ev, void *arg);

#endif
