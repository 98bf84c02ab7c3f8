/* format.c - --format for the list commands: Go templates over rows of
 * preformatted fields, "table" headers, and docker's tabwriter layout. */
#include <stdlib.h>
#include <string.h>

#include "core/client/engine.h"

int eng_fmt_init(struct eng_fmt *f, const char *format, const char *def, struct err *e)
{
	int table = 0;
	char *text;
	int rc;

	memset(f, 0, sizeof(*f));
	if (!format || !*format)
		format = def;
	if (!strcmp(format, "json")) {
		f->json = true;
		format = "{{json .}}";
	}
	text = tmpl_docker_format(format, &table);
	f->table = table;
	rc = tmpl_parse(text, &f->t, e);
	free(text);
	return rc;
}

int eng_fmt_row(struct eng_fmt *f, const cJSON *row, struct err *e)
{
	if (tmpl_exec(f->t, row, &f->out, e) < 0)
		return -1;
	return tmpl_buf_add(&f->out, "\n", 1);
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

void eng_tabwrite(const char *text, FILE *out)
{
	eng_tabwrite_min(text, 10, out);
}

void eng_tabwrite_min(const char *text, size_t minwidth, FILE *out)
{
	size_t w[64] = {0};
	const char *line, *p;

	for (line = text; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0)) {
		size_t len = strcspn(line, "\n"), col = 0;

		for (p = line; col < 64; col++) {
			const char *tab = memchr(p, '\t', (size_t)(line + len - p));

			if (!tab)
				break;
			if (width(p, (size_t)(tab - p)) + 3 > w[col])
				w[col] = width(p, (size_t)(tab - p)) + 3;
			p = tab + 1;
		}
	}
	for (line = text; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0)) {
		size_t len = strcspn(line, "\n"), col = 0;

		for (p = line;; col++) {
			const char *tab = memchr(p, '\t', (size_t)(line + len - p));
			size_t cw;

			if (!tab || col >= 64) {
				fprintf(out, "%.*s\n", (int)(line + len - p), p);
				break;
			}
			cw = width(p, (size_t)(tab - p));
			fprintf(out, "%.*s%*s", (int)(tab - p), p,
				(int)((w[col] < minwidth ? minwidth : w[col]) - cw), "");
			p = tab + 1;
		}
	}
}

void eng_fmt_flush(struct eng_fmt *f, FILE *out)
{
	if (f->out.s && f->table)
		eng_tabwrite(f->out.s, out);
	else if (f->out.s)
		fputs(f->out.s, out);
	tmpl_free(f->t);
	free(f->out.s);
	memset(f, 0, sizeof(*f));
}
