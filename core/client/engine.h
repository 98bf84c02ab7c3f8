/* engine.h - what the Docker-grammar commands that talk to the daemon
 * share: connecting, failing with docker's messages and exit codes,
 * --format (Go templates, "table", docker's tabwriter) and docker's way
 * of printing JSON, sizes and times. */
#ifndef TUG_CLIENT_ENGINE_H
#define TUG_CLIENT_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#include "core/client/api.h"
#include "core/client/cli.h"
#include "core/client/tmpl.h"
#include "err.h"

/* docker's exit codes: 1 a command failed, 125 docker run/create itself
 * failed (daemon or client), 126 the command cannot be invoked, 127 it
 * was not found. */
#define ENG_EXIT_FAIL 1
#define ENG_EXIT_RUN 125
#define ENG_EXIT_CANNOT 126
#define ENG_EXIT_NOTFOUND 127

/* True when the image commands go to the daemon: no --data-root given. */
bool eng_use_api(void);

/* api_init with -H/$TUG_HOST/$DOCKER_HOST and api_ping; prints the error
 * and returns -1 when the daemon cannot be reached. */
int eng_connect(struct api_client *c);
/* Print e's message on stderr (as docker: bare for daemon errors); returns code. */
int eng_fail(const struct err *e, int code);

/* A path with printf formatting and %-escaping of the arguments is left
 * to callers; this escapes one segment or query value (static buffer
 * rotation of 4). */
const char *eng_q(const char *s);

/* --format: rows are JSON objects of preformatted fields; header maps each
 * field to its column title (for "table"). format NULL or "" uses def. */
struct eng_fmt {
	struct tmpl *t;
	bool table;
	bool json; /* "json": {{json .}} per line */
	struct tmpl_buf out;
};
int eng_fmt_init(struct eng_fmt *f, const char *format, const char *def, struct err *e);
/* One row (header: the titles object, printed once first for tables). */
int eng_fmt_row(struct eng_fmt *f, const cJSON *row, struct err *e);
/* Print: table lines aligned as docker's tabwriter (minwidth 10,
 * padding 3), others as they are. Frees f. */
void eng_fmt_flush(struct eng_fmt *f, FILE *out);

/* Lines with tab-separated cells, aligned like Go's tabwriter with
 * docker's settings (minwidth 10, padding 3, last cell not padded). */
void eng_tabwrite(const char *text, FILE *out);
/* The same with another minimum column width (docker top: 20). */
void eng_tabwrite_min(const char *text, size_t minwidth, FILE *out);

/* JSON as Go's json.MarshalIndent(v, "", "    ") prints it. */
void eng_print_json(const cJSON *v, FILE *out);

/* docker's units.HumanDuration: "Less than a second", "3 minutes". */
char *eng_human_duration(int64_t seconds, char *buf, size_t size);
/* Time as RFC 3339 (possibly with nanoseconds) or a number, to seconds; -1. */
int64_t eng_parse_time(const cJSON *v);
/* "2026-11-29 20:31:39 +0000 UTC", the CreatedAt of ps and images. */
char *eng_created_at(int64_t t, char *buf, size_t size);

/* A string field of obj ("" when absent). */
const char *eng_str(const cJSON *obj, const char *key);
/* A number field of obj (0 when absent). */
double eng_num(const cJSON *obj, const char *key);

/* Names or ids of many objects, one request each: print each name (as
 * given) on success, the daemon's error on stderr otherwise; returns 0
 * or 1 (some failed). fn does the request for one name. */
int eng_each(struct api_client *c, int n, char **names,
	     int (*fn)(struct api_client *c, const char *name, void *ctx, struct err *e), void *ctx,
	     bool print);

/* Pull image through the daemon, progress to out (docker's display). */
int eng_pull(struct api_client *c, const char *image, bool quiet, FILE *out, struct err *e);
/* Push image through the daemon, progress to stdout. */
int eng_push(struct api_client *c, const char *image, bool quiet, struct err *e);

/* The image commands through the daemon (img-api.c), called by the
 * daemonless commands' mains when no --data-root was given. */
int eng_pull_main(int argc, char **argv);
int eng_push_main(int argc, char **argv);
int eng_images_main(int argc, char **argv);
int eng_tag_main(int argc, char **argv);
int eng_rmi_main(int argc, char **argv);
int eng_save_main(int argc, char **argv);
int eng_load_main(int argc, char **argv);

/* inspect of names (type NULL: any kind), as JSON or through format. */
int eng_inspect(int n, char **names, const char *type, const char *format);

#endif
