/* images.c - `tug images`, `tag`, `rmi`: the local image store as docker
 * shows and edits it. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/cli.h"
#include "oci/image-info.h"
#include "core/client/engine.h"
#include "registry/ref.h"

//applet: images tug_images_main "List images"
//applet: tag tug_tag_main "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"
//applet: rmi tug_rmi_main "Remove one or more images"

static int img_quiet, img_digests, img_all, img_notrunc;
static struct args_list img_filters;

struct listing {
	struct cli_table t;
	struct oci_store *s;
	const char *want_ref; /* "reference=" filter, or the positional argument */
	int dangling; /* -1 any, 0 only tagged, 1 only dangling (no tag) */
};

/* docker's reference filter (reference.FamiliarMatch): a path.Match glob,
 * "*" stopping at "/", against "repo:tag" and against "repo". */
static bool ref_matches(const char *pattern, const char *familiar, const char *repo)
{
	return fnmatch(pattern, familiar, FNM_PATHNAME) == 0 ||
	       fnmatch(pattern, repo, FNM_PATHNAME) == 0;
}

static void row(struct listing *l, const struct oci_image_rec *rec, const char *repo,
		const char *tag, const char *digest)
{
	char id[80], created[48], size[16];

	if (img_notrunc)
		snprintf(id, sizeof(id), "%s", rec->id);
	else
		cli_short_id(rec->id, id);
	if (img_quiet) { /* one line a row, as docker */
		printf("%s\n", id);
		return;
	}
	cli_human_ago(cli_image_created(l->s, rec), created, sizeof(created));
	cli_human_size(rec->size, size, sizeof(size));
	if (img_digests)
		cli_table_row(&l->t, 6, repo, tag, digest, id, created, size);
	else
		cli_table_row(&l->t, 5, repo, tag, id, created, size);
}

struct ref_scan {
	const char *id;
	struct listing *l;
	const struct oci_image_rec *rec;
	int tags; /* tagged names the image has */
	bool print;
};

static const char *rec_digest(const struct oci_image_rec *rec, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < rec->nrepo_digests; i++)
		if (!strncmp(rec->repo_digests[i], name, n) && rec->repo_digests[i][n] == '@')
			return rec->repo_digests[i] + n + 1;
	return "<none>";
}

static int each_tag(const char *name, const char *id, void *arg)
{
	struct ref_scan *rs = arg;
	struct reg_ref ref;
	struct err e;
	char repo[512], fam[512], base[512];

	if (strcmp(id, rs->id) || reg_ref_parse(&ref, name, &e) < 0 || !ref.tag[0])
		return 0;
	rs->tags++;
	if (!rs->print)
		return 0;
	reg_ref_familiar(&ref, fam, sizeof(fam));
	reg_ref_familiar_name(&ref, repo, sizeof(repo));
	if (rs->l->want_ref && !ref_matches(rs->l->want_ref, fam, repo))
		return 0;
	reg_ref_name(&ref, base, sizeof(base));
	row(rs->l, rs->rec, repo, ref.tag, rec_digest(rs->rec, base));
	return 0;
}

/* An image without tags: a "repo <none>" row per repository it came from
 * (docker's RepoDigests), or "<none> <none>". */
static void untagged_rows(struct listing *l, const struct oci_image_rec *rec)
{
	size_t rows = 0;

	for (size_t i = 0; i < rec->nrepo_digests; i++) {
		struct reg_ref ref;
		struct err e;
		char repo[512];

		if (reg_ref_parse(&ref, rec->repo_digests[i], &e) < 0)
			continue;
		reg_ref_familiar_name(&ref, repo, sizeof(repo));
		if (l->want_ref && !ref_matches(l->want_ref, repo, repo))
			continue;
		row(l, rec, repo, "<none>", ref.digest);
		rows++;
	}
	if (!rows && !rec->nrepo_digests && !l->want_ref)
		row(l, rec, "<none>", "<none>", "<none>");
}

static int each_image(const struct oci_image_rec *rec, void *arg)
{
	struct listing *l = arg;
	struct ref_scan rs = {rec->id, l, rec, 0, false};
	struct err e;

	if (oci_store_ref_each(l->s, each_tag, &rs, &e) < 0)
		return 0;
	if (rs.tags == 0) {
		if (l->dangling != 0)
			untagged_rows(l, rec);
		return 0;
	}
	if (l->dangling == 1)
		return 0;
	rs.print = true;
	oci_store_ref_each(l->s, each_tag, &rs, &e);
	return 0;
}

int tug_images_main(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"all", 'a', 0, NULL, "show all images", &img_all, NULL, NULL, NULL},
		{"digests", 0, 0, NULL, "show digests", &img_digests, NULL, NULL, NULL},
		{"filter", 'f', ARGS_VALUE, "filter", "dangling=true|false, reference=PATTERN",
		 NULL, NULL, &img_filters, NULL},
		{"no-trunc", 0, 0, NULL, "don't truncate output", &img_notrunc, NULL, NULL, NULL},
		{"quiet", 'q', 0, NULL, "only show image IDs", &img_quiet, NULL, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug images [OPTIONS] [REPOSITORY[:TAG]]",
					    "List images", ARGS_INTERSPERSED, opts};
	struct oci_store s;
	struct listing l = {.dangling = -1};
	struct err e = {0};
	int rc, n;

	if (CFG_CLIENT && eng_use_api())
		return eng_images_main(argc, argv);
	n = cli_parse(&t, argc, argv, 0, 1, &rc);
	if (n < 0)
		return rc;
	for (size_t i = 0; i < img_filters.n; i++) {
		const char *f = img_filters.v[i];

		if (!strcmp(f, "dangling=true") || !strcmp(f, "dangling=1"))
			l.dangling = 1;
		else if (!strcmp(f, "dangling=false") || !strcmp(f, "dangling=0"))
			l.dangling = 0;
		else if (!strncmp(f, "reference=", 10))
			l.want_ref = f + 10;
		else
			return cli_fail(
				"images",
				(err_set(&e, "invalid filter \"%s\" (dangling, reference)", f),
				 &e));
	}
	if (n == 1)
		l.want_ref = argv[1];
	if (cli_store_open(&s, OCI_STORE_SHARED, &e) < 0)
		return cli_fail("images", &e);
	l.s = &s;
	if (!img_quiet) {
		if (img_digests)
			cli_table_row(&l.t, 6, "REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED",
				      "SIZE");
		else
			cli_table_row(&l.t, 5, "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
	}
	rc = oci_store_image_each(&s, each_image, &l, &e);
	oci_store_close(&s);
	if (!img_quiet)
		cli_table_print(&l.t, stdout);
	args_list_free(&img_filters);
	return rc < 0 ? cli_fail("images", &e) : 0;
}

int tug_tag_main(int argc, char **argv)
{
	static const struct args_opt opts[] = {{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL}};
	static const struct args_table t = {"tug tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
					    "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
					    0, opts};
	struct oci_store s;
	struct reg_ref ref;
	struct err e = {0};
	char id[DIGEST_STR_MAX], name[512];
	int rc, n;

	if (CFG_CLIENT && eng_use_api())
		return eng_tag_main(argc, argv);
	n = cli_parse(&t, argc, argv, 2, 2, &rc);
	if (n < 0)
		return rc;
	if (reg_ref_parse(&ref, argv[2], &e) < 0)
		return cli_fail("tag", &e);
	if (ref.digest[0])
		return cli_fail("tag", (err_set(&e, "refusing to create a tag with a digest "
						    "reference"),
					&e));
	reg_ref_string(&ref, name, sizeof(name));
	if (cli_store_open(&s, OCI_STORE_EXCLUSIVE, &e) < 0)
		return cli_fail("tag", &e);
	rc = cli_find_image(&s, argv[1], id, NULL, 0, &e) < 0 ||
			     oci_store_ref_set(&s, name, id, &e) < 0
		     ? cli_fail("tag", &e)
		     : 0;
	oci_store_close(&s);
	return rc;
}

static int rmi_force, rmi_noprune;

static void rmi_report(const char *kind, const char *value, const char *image, void *arg)
{
	(void)image;
	(void)arg;
	printf("%s: %s\n", kind, value);
}

/* docker rmi: a name loses that name; the image goes with its last name.
 * An id removes the image, all its names with -f (or when it has one). */
static int rmi_one(struct oci_store *s, const char *what, struct err *e)
{
	const struct oci_rmi_ops o = {NULL, rmi_report, NULL};

	return oci_image_delete(s, what, rmi_force, &o, e);
}

int tug_rmi_main(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"force", 'f', 0, NULL, "force removal of the image", &rmi_force, NULL, NULL, NULL},
		{"no-prune", 0, 0, NULL, "do not delete untagged parents", &rmi_noprune, NULL, NULL,
		 NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug rmi [OPTIONS] IMAGE [IMAGE...]",
					    "Remove one or more images", ARGS_INTERSPERSED, opts};
	struct oci_store s;
	struct err e = {0};
	int rc, n;

	if (CFG_CLIENT && eng_use_api())
		return eng_rmi_main(argc, argv);
	n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);
	if (n < 0)
		return rc;
	if (cli_store_open(&s, OCI_STORE_EXCLUSIVE, &e) < 0)
		return cli_fail("rmi", &e);
	rc = 0;
	for (int i = 1; i <= n; i++)
		if (rmi_one(&s, argv[i], &e) < 0) {
			fprintf(stderr, "tug: rmi %s: %s\n", argv[i], e.msg);
			rc = CLI_EXIT_FAIL;
		}
	oci_store_close(&s);
	return rc;
}
