/* progress.c - pull and push progress the way docker shows it: on a terminal one
 * line per layer, redrawn in place ("Downloading [=====>   ] 1.2MB/4.3MB");
 * otherwise one plain line per change of state. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/client/cli.h"
#include "core/client/progress.h"

#define BAR 50

static void bar(char *buf, size_t size, int64_t cur, int64_t total)
{
	char a[16], b[16], line[BAR + 3];
	int fill = total > 0 ? (int)(cur * BAR / total) : 0;

	memset(line, ' ', sizeof(line));
	line[0] = '[';
	for (int i = 0; i < fill && i < BAR; i++)
		line[1 + i] = '=';
	if (fill < BAR)
		line[1 + fill] = '>';
	line[BAR + 1] = ']';
	line[BAR + 2] = '\0';
	snprintf(buf, size, "%s  %s/%s", line, cli_human_size(cur, a, sizeof(a)),
		 cli_human_size(total, b, sizeof(b)));
}

/* Redraw line i of n: up n-i lines, print, back down. */
static void draw(struct cli_progress *p, size_t i, const char *status, const char *detail)
{
	char id[13];
	size_t up = p->nlines - p->layers[i].line;

	cli_short_id(p->layers[i].digest, id);
	if (!p->tty)
		fprintf(p->out, "%s: %s\n", id, status);
	else
		fprintf(p->out, "\033[%zuA\r\033[2K%s: %s %s\033[%zuB\r", up, id, status,
			detail ? detail : "", up);
	fflush(p->out); /* in order with errors on stderr */
}

static size_t slot(struct cli_progress *p, size_t layer, const char *digest)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->layers[i].index == layer)
			return i;
	if (p->n == CLI_PROGRESS_MAX)
		return CLI_PROGRESS_MAX - 1;
	p->layers[p->n].index = layer;
	snprintf(p->layers[p->n].digest, sizeof(p->layers[p->n].digest), "%s", digest);
	p->layers[p->n].line = p->nlines++;
	p->layers[p->n].started = false;
	if (p->tty)
		fprintf(p->out, "\n");
	return p->n++;
}

void cli_progress_show(struct cli_progress *p, size_t layer, const char *digest, const char *status,
		       const char *detail)
{
	if (!p->quiet)
		draw(p, slot(p, layer, digest), status, detail);
}

void cli_progress_bytes(struct cli_progress *p, size_t layer, const char *digest,
			const char *status, int64_t current, int64_t total)
{
	char detail[128];
	size_t i;

	if (p->quiet)
		return;
	i = slot(p, layer, digest);
	if (p->tty) {
		bar(detail, sizeof(detail), current, total);
		draw(p, i, status, detail);
	} else if (!p->layers[i].started) {
		draw(p, i, status, NULL);
	}
	p->layers[i].started = true;
}

void cli_progress_event(const struct reg_pull_event *ev, void *arg)
{
	struct cli_progress *p = arg;

	switch (ev->kind) {
	case REG_PULL_RESOLVED:
		break;
	case REG_PULL_LAYER_EXISTS:
		cli_progress_show(p, ev->layer, ev->digest, "Already exists", NULL);
		break;
	case REG_PULL_LAYER_WAITING:
		cli_progress_show(p, ev->layer, ev->digest, "Pulling fs layer", NULL);
		break;
	case REG_PULL_LAYER_PROGRESS:
		cli_progress_bytes(p, ev->layer, ev->digest, "Downloading", ev->current, ev->total);
		break;
	case REG_PULL_LAYER_DONE:
		if (!p->tty)
			cli_progress_show(p, ev->layer, ev->digest, "Verifying Checksum", NULL);
		cli_progress_show(p, ev->layer, ev->digest, "Pull complete", NULL);
		break;
	case REG_PULL_LAYER_FAILED:
		cli_progress_show(p, ev->layer, ev->digest, "Failed", NULL);
		break;
	}
}

void cli_progress_reset(struct cli_progress *p)
{
	p->n = p->nlines = 0;
}

void cli_progress_init(struct cli_progress *p, FILE *out, bool quiet)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->quiet = quiet;
	p->tty = isatty(fileno(out));
}
