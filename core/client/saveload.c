/* saveload.c - `tug save` and `tug load`: images to and from the tar that
 * docker save writes, with docker's flags, messages and exit codes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/cli.h"
#include "core/client/engine.h"
#include "file.h"
#include "oci/image-archive.h"
#include "registry/ref.h"

//applet: save tug_save_main "Save one or more images to a tar archive (streamed to STDOUT by default)"
//applet: load tug_load_main "Load an image from a tar archive or STDIN"

static const char *save_output, *load_input;
static int load_quiet;

struct save_names {
	char id[DIGEST_STR_MAX];
	char name[REG_REF_STR_MAX];
	const char *names[1];
};

/* Each argument to an id and, when it was a name with a tag, that name. */
static int resolve(struct oci_store *s, int n, char **argv, struct save_names *sn,
		   struct oci_save_item *items, struct err *e)
{
	for (int i = 0; i < n; i++) {
		struct reg_ref ref;
		struct err pe;

		if (cli_find_image(s, argv[i + 1], sn[i].id, sn[i].name, sizeof(sn[i].name), e) < 0)
			return -1;
		items[i].id = sn[i].id;
		sn[i].names[0] = sn[i].name;
		items[i].names = sn[i].names;
		items[i].nnames = sn[i].name[0] && reg_ref_parse(&ref, sn[i].name, &pe) == 0 &&
				  ref.tag[0] && !ref.digest[0];
	}
	return 0;
}

static int save_to(struct oci_store *s, const struct oci_save_item *items, size_t n, struct err *e)
{
	struct file_atomic fa;
	struct stat st;
	int fd, r;

	if (!save_output)
		return oci_archive_save(s, items, n, STDOUT_FILENO, NULL, e);
	/* a device or a pipe (-o /dev/stdout) is written as it is */
	if (stat(save_output, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((fd = open(save_output, O_WRONLY | O_CLOEXEC)) < 0)
			return err_sys(e, errno, "open %s", save_output);
		r = oci_archive_save(s, items, n, fd, NULL, e);
		close(fd);
		return r;
	}
	/* a file: a temp file renamed at the end, so a failed save leaves none */
	if (file_atomic_open(&fa, AT_FDCWD, save_output, 0644, e) < 0)
		return -1;
	if (oci_archive_save(s, items, n, fa.fd, NULL, e) < 0) {
		file_atomic_abort(&fa);
		return -1;
	}
	return file_atomic_commit(&fa, e);
}

int tug_save_main(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"output", 'o', ARGS_VALUE, "string", "Write to a file, instead of STDOUT", NULL,
		 &save_output, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {
		"tug save [OPTIONS] IMAGE [IMAGE...]",
		"Save one or more images to a tar archive (streamed to STDOUT by default)",
		ARGS_INTERSPERSED, opts};
	struct oci_store s;
	struct save_names *sn;
	struct oci_save_item *items;
	struct err e = {0};
	int rc, n;

	if (CFG_CLIENT && eng_use_api())
		return eng_save_main(argc, argv);
	n = cli_parse(&t, argc, argv, 1, 1 << 16, &rc);
	if (n < 0)
		return rc;
	if (!save_output && isatty(STDOUT_FILENO))
		return cli_fail(NULL,
				(err_set(&e, "cowardly refusing to save to a terminal. Use the "
					     "-o flag or redirect"),
				 &e));
	sn = calloc((size_t)n, sizeof(*sn));
	items = calloc((size_t)n, sizeof(*items));
	if (!sn || !items) {
		free(sn);
		free(items);
		return cli_fail("save", (err_set(&e, "out of memory"), &e));
	}
	if (cli_store_open(&s, OCI_STORE_SHARED, &e) < 0) {
		rc = cli_fail("save", &e);
	} else {
		rc = resolve(&s, n, argv, sn, items, &e) < 0 ||
				     save_to(&s, items, (size_t)n, &e) < 0
			     ? cli_fail("save", &e)
			     : 0;
		oci_store_close(&s);
	}
	free(sn);
	free(items);
	return rc;
}

static void familiar(const char *name, char *buf, size_t size)
{
	struct reg_ref ref;
	struct err e;

	if (reg_ref_parse(&ref, name, &e) < 0)
		snprintf(buf, size, "%s", name);
	else
		reg_ref_familiar(&ref, buf, size);
}

/* docker load's lines; progress bars only where a person watches. */
static void load_event(const struct oci_archive_event *ev, void *arg)
{
	char fam[REG_REF_STR_MAX];
	bool tty = *(bool *)arg;

	switch (ev->kind) {
	case OCI_ARCHIVE_LAYER:
		if (tty && !load_quiet)
			printf("Loading layer %s\n", ev->id);
		break;
	case OCI_ARCHIVE_RETAGGED:
		familiar(ev->name, fam, sizeof(fam));
		printf("The image %s already exists, renaming the old one with ID %s to empty "
		       "string\n",
		       fam, ev->old_id);
		break;
	case OCI_ARCHIVE_LOADED:
		if (!ev->name) {
			printf("Loaded image ID: %s\n", ev->id);
			break;
		}
		familiar(ev->name, fam, sizeof(fam));
		printf("Loaded image: %s\n", fam);
		break;
	}
	fflush(stdout);
}

int tug_load_main(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"input", 'i', ARGS_VALUE, "string", "Read from tar archive file, instead of STDIN",
		 NULL, &load_input, NULL, NULL},
		{"quiet", 'q', 0, NULL, "Suppress the load output", &load_quiet, NULL, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug load [OPTIONS]",
					    "Load an image from a tar archive or STDIN", 0, opts};
	bool tty = isatty(STDOUT_FILENO);
	struct oci_load_opts lo = {.progress = {load_event, &tty}};
	struct oci_store s;
	struct err e = {0};
	int fd = STDIN_FILENO, rc, n;

	if (CFG_CLIENT && eng_use_api())
		return eng_load_main(argc, argv);
	n = cli_parse(&t, argc, argv, 0, 0, &rc);
	if (n < 0)
		return rc;
	if (load_input && (fd = open(load_input, O_RDONLY | O_CLOEXEC)) < 0)
		return cli_fail("load", (err_sys(&e, errno, "open %s", load_input), &e));
	if (!load_input && isatty(fd))
		return cli_fail(NULL,
				(err_set(&e, "requested load from stdin, but stdin is empty"), &e));
	if (cli_store_open(&s, OCI_STORE_EXCLUSIVE, &e) < 0) {
		rc = cli_fail("load", &e);
	} else {
		rc = oci_archive_load(&s, fd, &lo, &e) < 0 ? cli_fail("load", &e) : 0;
		oci_store_close(&s);
	}
	if (load_input)
		close(fd);
	return rc;
}
