/* cli.h - what the Docker-grammar commands share: parsing with docker's
 * exit codes, the data-root and its store, image lookup by name or id,
 * sizes and times printed the way docker prints them. */
#ifndef TUG_CLIENT_CLI_H
#define TUG_CLIENT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "args.h"
#include "core/applet.h"
#include "digest.h"
#include "err.h"
#include "oci/store.h"

/* The docker CLI's: 125 when the command line or the engine failed. */
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 125

#define CLI_DEFAULT_DATA_ROOT "/var/lib/tug"

/* tug_data_root and tug_keep_layer_blobs: core/applet.h (global options). */

/* Parse like args_parse; --help prints usage. Returns the argument count,
 * or -2 with *rc the exit code to return. */
int cli_parse(const struct args_table *t, int argc, char **argv, int min, int max, int *rc);
/* Print "tug: <cmd>: <msg>" (or just the message) and return CLI_EXIT_FAIL. */
int cli_fail(const char *cmd, const struct err *e);

struct reg_options;
/* Registry options from the environment: TUG_INSECURE_REGISTRIES and
 * TUG_REGISTRY_MIRRORS (comma-separated), TUG_CA_BUNDLE (a PEM file used
 * instead of the system's CA bundle). */
void cli_registry_options(struct reg_options *o);

int cli_store_open(struct oci_store *s, enum oci_store_lock lock, struct err *e);

/* An image by reference ("busybox", "x:5000/a/b:1", "name@sha256:...") or
 * by id (full, "sha256:" prefixed or not, or a unique prefix of 4+ hex
 * digits). *ref_name gets the normalized name when it was a reference. */
int cli_find_image(struct oci_store *s, const char *what, char id[DIGEST_STR_MAX], char *ref_name,
		   size_t ref_size, struct err *e);

/* When the image was built: its config's "created", else when it was stored. */
int64_t cli_image_created(struct oci_store *s, const struct oci_image_rec *rec);

/* docker's units.HumanSize: 3 significant digits, decimal units ("4.26MB"). */
char *cli_human_size(int64_t bytes, char *buf, size_t size);
/* docker's "4 weeks ago" (units.HumanDuration of now - t). */
char *cli_human_ago(int64_t unix_seconds, char *buf, size_t size);
/* The first 12 hex digits of an id. */
const char *cli_short_id(const char *id, char buf[13]);

/* Columns padded like Go's tabwriter (minwidth 0, padding 3): collect rows,
 * then print. Cells are copied. */
struct cli_table {
	size_t ncols, nrows, cap;
	char **cells;
};
void cli_table_row(struct cli_table *t, size_t ncols, ...);
void cli_table_print(struct cli_table *t, FILE *out);

#endif
