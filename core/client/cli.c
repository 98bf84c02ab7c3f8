/* cli.c - helpers of the Docker-grammar commands (see cli.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/client/cli.h"
#include "json.h"
#include "oci/image-info.h"
#include "registry/ref.h"
#include "timefmt.h"

int cli_parse(const struct args_table *t, int argc, char **argv, int min, int max, int *rc)
{
	struct err e = {0};
	int n;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			args_usage(t, stdout);
			*rc = 0;
			return -2;
		}
	n = args_parse(t, argc, argv, NULL, &e);
	if (n >= 0 && (n < min || n > max))
		snprintf(e.msg, sizeof(e.msg), "\"%s\" requires %s %d argument%s", argv[0],
			 n < min ? "at least" : "at most", n < min ? min : max,
			 (n < min ? min : max) == 1 ? "" : "s");
	if (n < 0 || n < min || n > max) {
		fprintf(stderr, "tug: %s\nSee 'tug %s --help'.\n\nUsage:  %s\n\n%s\n", e.msg,
			argv[0], t->usage, t->summary);
		*rc = CLI_EXIT_USAGE;
		return -2;
	}
	return n;
}

int cli_fail(const char *cmd, const struct err *e)
{
	fprintf(stderr, "tug: %s%s%s\n", cmd ? cmd : "", cmd ? ": " : "", e->msg);
	return CLI_EXIT_FAIL;
}

int cli_store_open(struct oci_store *s, enum oci_store_lock lock, struct err *e)
{
	const char *keep = getenv("TUG_KEEP_LAYER_BLOBS");

	if (oci_store_open(s, tug_data_root ? tug_data_root : CLI_DEFAULT_DATA_ROOT, lock, false,
			   e) < 0)
		return -1;
	s->keep_layer_blobs = tug_keep_layer_blobs || (keep && !strcmp(keep, "1"));
	return 0;
}

int cli_find_image(struct oci_store *s, const char *what, char id[DIGEST_STR_MAX], char *ref_name,
		   size_t ref_size, struct err *e)
{
	return oci_image_find(s, what, id, ref_name, ref_size, e);
}

int64_t cli_image_created(struct oci_store *s, const struct oci_image_rec *rec)
{
	return oci_image_created(s, rec, NULL);
}

char *cli_human_size(int64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
	double v = (double)bytes;
	size_t i = 0;

	while (v >= 1000 && i + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		i++;
	}
	snprintf(buf, size, "%.3g%s", v, units[i]);
	return buf;
}

char *cli_human_ago(int64_t t, char *buf, size_t size)
{
	int64_t s = (int64_t)time(NULL) - t, m = s / 60, h = m / 60;

	if (s < 1)
		snprintf(buf, size, "Less than a second ago");
	else if (s == 1)
		snprintf(buf, size, "1 second ago");
	else if (s < 60)
		snprintf(buf, size, "%lld seconds ago", (long long)s);
	else if (m == 1)
		snprintf(buf, size, "About a minute ago");
	else if (m < 60)
		snprintf(buf, size, "%lld minutes ago", (long long)m);
	else if (h == 1)
		snprintf(buf, size, "About an hour ago");
	else if (h < 48)
		snprintf(buf, size, "%lld hours ago", (long long)h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, size, "%lld days ago", (long long)(h / 24));
	else if (h < 24 * 30 * 2)
		snprintf(buf, size, "%lld weeks ago", (long long)(h / 24 / 7));
	else if (h < 24 * 365 * 2)
		snprintf(buf, size, "%lld months ago", (long long)(h / 24 / 30));
	else
		snprintf(buf, size, "%lld years ago", (long long)(h / 24 / 365));
	return buf;
}

const char *cli_short_id(const char *id, char buf[13])
{
	const char *hex = !strncmp(id, "sha256:", 7) ? id + 7 : id;

	snprintf(buf, 13, "%s", hex);
	return buf;
}

void cli_table_row(struct cli_table *t, size_t ncols, ...)
{
	va_list ap;

	if (!t->ncols)
		t->ncols = ncols;
	if ((t->nrows + 1) * t->ncols > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64 * t->ncols;
		char **c = realloc(t->cells, cap * sizeof(*c));

		if (!c)
			return;
		t->cells = c;
		t->cap = cap;
	}
	va_start(ap, ncols);
	for (size_t i = 0; i < t->ncols; i++) {
		const char *v = i < ncols ? va_arg(ap, const char *) : "";

		t->cells[t->nrows * t->ncols + i] = strdup(v ? v : "");
	}
	va_end(ap);
	t->nrows++;
}

void cli_table_print(struct cli_table *t, FILE *out)
{
	size_t w[16] = {0};

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols && c < 16; c++) {
			const char *v = t->cells[r * t->ncols + c];
			size_t n = v ? strlen(v) : 0;

			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols && c < 16; c++) {
			const char *v = t->cells[r * t->ncols + c];

			if (c + 1 < t->ncols)
				fprintf(out, "%-*s", (int)(w[c] + 3), v ? v : "");
			else
				fprintf(out, "%s\n", v ? v : "");
			free(t->cells[r * t->ncols + c]);
		}
	}
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
