/* main.c - the multi-call entry point: the face is chosen by the name the
 * binary was invoked as (tugd, runc), then by the first argument (BusyBox). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/applet.h"
#include "applets.h"
#include "applet-table.h"
#include "version.h"

#define NAPPLETS (sizeof(applets) / sizeof(applets[0]))

char **tug_argv;
const char *tug_data_root;
const char *tug_host;
bool tug_keep_layer_blobs;

static const struct applet *find_applet(const char *name)
{
	for (size_t i = 0; i < NAPPLETS; i++)
		if (strcmp(applets[i].name, name) == 0)
			return &applets[i];
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: tug [-H HOST] [--data-root DIR] [--keep-layer-blobs] COMMAND [ARG...]\n"
		   "       tug --version | --help\n\n"
		   "A container engine for embedded and edge Linux.\n\nCommands:\n");
	for (size_t i = 0; i < NAPPLETS; i++)
		fprintf(f, "  %-12s %s\n", applets[i].name, applets[i].summary);
	fprintf(f, "\nAlso answers as:");
	for (const struct alias *a = aliases; a->argv0; a++)
		fprintf(f, " %s (tug %s)", a->argv0, a->applet);
	fprintf(f, "%s\n", aliases[0].argv0 ? "" : " -");
}

int main(int argc, char **argv)
{
	const char *self = base_name(argc > 0 ? argv[0] : "tug");
	const struct applet *ap;
	char **copy = calloc((size_t)argc + 1, sizeof(char *));

	if (copy)
		memcpy(copy, argv, (size_t)argc * sizeof(char *));
	tug_argv = copy ? copy : argv;

	for (const struct alias *a = aliases; a->argv0; a++)
		if (strcmp(self, a->argv0) == 0)
			return find_applet(a->applet)->main(argc, argv);

	/* Global options before the command, as docker's and dockerd's. */
	while (argc > 1 &&
	       ((!strncmp(argv[1], "--", 2) && argv[1][2]) || !strncmp(argv[1], "-H", 2))) {
		if ((!strcmp(argv[1], "--host") || !strcmp(argv[1], "-H")) && argc > 2) {
			tug_host = argv[2];
			argc -= 2;
			argv += 2;
		} else if (!strncmp(argv[1], "--host=", 7) || !strncmp(argv[1], "-H", 2)) {
			tug_host = argv[1] + (argv[1][1] == 'H' ? 2 + (argv[1][2] == '=') : 7);
			argc--;
			argv++;
		} else if (!strcmp(argv[1], "--data-root") && argc > 2) {
			tug_data_root = argv[2];
			argc -= 2;
			argv += 2;
		} else if (!strncmp(argv[1], "--data-root=", 12)) {
			tug_data_root = argv[1] + 12;
			argc--;
			argv++;
		} else if (!strcmp(argv[1], "--keep-layer-blobs")) {
			tug_keep_layer_blobs = true;
			argc--;
			argv++;
		} else {
			break;
		}
	}
	if (argc < 2) {
		usage(stderr);
		return TUG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v")) {
		printf("tug version %s, build %s\n", TUG_VERSION, TUG_GIT_REV);
		return TUG_EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return TUG_EXIT_OK;
	}
	ap = find_applet(argv[1]);
	if (!ap) {
		fprintf(stderr, "tug: unknown command \"%s\"\nRun 'tug --help' for usage.\n",
			argv[1]);
		return TUG_EXIT_USAGE;
	}
	return ap->main(argc - 1, argv + 1);
}
