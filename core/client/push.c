/* push.c - `tug push`: an image from the local store to a registry, without
 * a daemon (tug --data-root DIR push ...), with docker's output. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/cli.h"
#include "core/client/engine.h"
#include "core/client/progress.h"
#include "registry/push.h"
#include "registry/ref.h"

//applet: push tug_push_main "Upload an image to a registry"

static int push_quiet, push_all_tags, push_no_trust;

static void on_event(const struct reg_push_event *ev, void *arg)
{
	struct cli_progress *p = arg;
	char detail[160];

	switch (ev->kind) {
	case REG_PUSH_PREPARING:
		cli_progress_show(p, ev->layer, ev->digest, "Preparing", NULL);
		break;
	case REG_PUSH_PROGRESS:
		cli_progress_bytes(p, ev->layer, ev->digest, "Pushing", ev->current, ev->total);
		break;
	case REG_PUSH_EXISTS:
		cli_progress_show(p, ev->layer, ev->digest, "Layer already exists", NULL);
		break;
	case REG_PUSH_MOUNTED:
		snprintf(detail, sizeof(detail), "Mounted from %s", ev->msg);
		cli_progress_show(p, ev->layer, ev->digest, detail, NULL);
		break;
	case REG_PUSH_PUSHED:
		cli_progress_show(p, ev->layer, ev->digest, "Pushed", NULL);
		break;
	case REG_PUSH_SKIPPED:
		cli_progress_show(p, ev->layer, ev->digest, "Skipped foreign layer", NULL);
		break;
	case REG_PUSH_FAILED:
		cli_progress_show(p, ev->layer, ev->digest, "Failed", NULL);
		break;
	}
}

/* TUG_PUSH_CHUNK_SIZE=N: blobs larger than N bytes go in N-byte chunks
 * (tests force the chunked upload with it). */
static int chunk_env(struct reg_push_opts *po, struct err *e)
{
	const char *s = getenv("TUG_PUSH_CHUNK_SIZE");
	char *end;
	long long n;

	if (!s || !*s)
		return 0;
	n = strtoll(s, &end, 10);
	if (*end || n <= 0)
		return err_set(e, "TUG_PUSH_CHUNK_SIZE=%s: not a positive number of bytes", s);
	po->chunk_size = po->chunk_threshold = n;
	return 0;
}

struct tag_list {
	const char *name; /* "127.0.0.1:5000/tug/single" */
	struct pushed_tag {
		char tag[129];
		char id[DIGEST_STR_MAX], digest[DIGEST_STR_MAX]; /* once pushed */
	} * tags;
	size_t n, cap;
};

static int collect_tag(const char *name, const char *id, void *arg)
{
	struct tag_list *tl = arg;
	size_t l = strlen(tl->name);

	(void)id;
	if (strncmp(name, tl->name, l) || name[l] != ':' || strchr(name + l, '@'))
		return 0;
	if (tl->n == tl->cap) {
		size_t cap = tl->cap ? tl->cap * 2 : 8;
		struct pushed_tag *nt = realloc(tl->tags, cap * sizeof(*nt));

		if (!nt)
			return -1;
		tl->tags = nt;
		tl->cap = cap;
	}
	memset(&tl->tags[tl->n], 0, sizeof(tl->tags[0]));
	snprintf(tl->tags[tl->n++].tag, sizeof(tl->tags[0].tag), "%s", name + l + 1);
	return 0;
}

/* The tags of ref's repository in the store (all of them, or ref's own). */
static int find_tags(struct oci_store *st, const struct reg_ref *ref, bool all, struct tag_list *tl,
		     struct err *e)
{
	char name[REG_REF_STR_MAX], fam[REG_REF_STR_MAX], id[DIGEST_STR_MAX];
	int r;

	tl->name = reg_ref_name(ref, name, sizeof(name));
	if (oci_store_ref_each(st, collect_tag, tl, e) < 0)
		return -1;
	if (tl->n == 0)
		return err_set(e, "An image does not exist locally with the tag: %s",
			       reg_ref_familiar_name(ref, fam, sizeof(fam)));
	if (all)
		return 0;
	r = oci_store_ref_get(st, reg_ref_string(ref, name, sizeof(name)), id, e);
	if (r == 1)
		return err_set(e, "tag does not exist: %s",
			       reg_ref_familiar(ref, fam, sizeof(fam)));
	if (r < 0)
		return -1;
	tl->n = 1;
	snprintf(tl->tags[0].tag, sizeof(tl->tags[0].tag), "%s", ref->tag);
	return 0;
}

/* Record where the image now is, as docker does (RepoDigests): a short
 * exclusive lock after the upload, which held only a shared one. */
static void add_repo_digest(const struct reg_ref *ref, const char *id, const char *digest)
{
	struct oci_store st = {.root_fd = -1, .lock_fd = -1};
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	char name[REG_REF_STR_MAX], rd[sizeof(rec->repo_digests[0])];
	struct err e = {0};
	size_t i;

	if (!rec || cli_store_open(&st, OCI_STORE_EXCLUSIVE, &e) < 0) {
		free(rec);
		return;
	}
	if ((size_t)snprintf(rd, sizeof(rd), "%s@%s", reg_ref_name(ref, name, sizeof(name)),
			     digest) < sizeof(rd) &&
	    oci_store_image_get(&st, id, rec, &e) == 0) {
		for (i = 0; i < rec->nrepo_digests && strcmp(rec->repo_digests[i], rd); i++)
			;
		if (i == rec->nrepo_digests &&
		    i < sizeof(rec->repo_digests) / sizeof(*rec->repo_digests)) {
			strcpy(rec->repo_digests[i], rd);
			rec->nrepo_digests++;
			if (oci_store_image_put(&st, rec, &e) < 0)
				fprintf(stderr, "tug: push: warning: %s\n", e.msg);
		}
	}
	oci_store_close(&st);
	free(rec);
}

/* Push one tag: the image it names, its layers, its manifest. */
static int push_one(struct oci_store *st, struct reg_ref *ref, struct reg_push_opts *po,
		    struct oci_image_rec *rec, struct err *e)
{
	char name[REG_REF_STR_MAX], id[DIGEST_STR_MAX];
	struct cli_progress *d = po->arg;
	struct reg_push_result res;
	int r;

	r = oci_store_ref_get(st, reg_ref_string(ref, name, sizeof(name)), id, e);
	if (r != 0)
		return r < 0 ? -1 : err_set(e, "tag does not exist: %s", name);
	if (oci_store_image_get(st, id, rec, e) < 0)
		return -1;
	cli_progress_reset(d);
	if (reg_push(st, ref, rec, po, &res, e) < 0)
		return -1;
	if (!d->quiet)
		printf("%s: digest: %s size: %zu\n", ref->tag, res.digest, res.size);
	fflush(stdout);
	return 0;
}

static int push_tags(struct reg_ref *ref, struct tag_list *tl, struct reg_push_opts *po,
		     struct oci_store *st, struct err *e)
{
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	int r = 0;

	if (!rec)
		return err_set(e, "out of memory");
	for (size_t i = 0; i < tl->n && r == 0; i++) {
		snprintf(ref->tag, sizeof(ref->tag), "%s", tl->tags[i].tag);
		if ((r = push_one(st, ref, po, rec, e)) == 0) {
			strcpy(tl->tags[i].id, rec->id);
			strcpy(tl->tags[i].digest, rec->manifest);
		}
	}
	free(rec);
	oci_store_close(st); /* the shared lock, before add_repo_digest's exclusive one */
	for (size_t i = 0; i < tl->n; i++)
		if (tl->tags[i].id[0])
			add_repo_digest(ref, tl->tags[i].id, tl->tags[i].digest);
	return r;
}

int tug_push_main(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"all-tags", 'a', 0, NULL, "push all tags of an image to the repository",
		 &push_all_tags, NULL, NULL, NULL},
		{"quiet", 'q', 0, NULL, "suppress verbose output", &push_quiet, NULL, NULL, NULL},
		{"disable-content-trust", 0, 0, NULL, "skip image signing (always: no signing)",
		 &push_no_trust, NULL, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug push [OPTIONS] NAME[:TAG]",
					    "Upload an image to a registry", 0, opts};
	struct reg_options ro;
	struct reg_ref ref;
	static struct cli_progress d; /* one push a process */
	struct reg_push_opts po = {.reg = &ro, .progress = on_event, .arg = &d};
	struct tag_list tl = {0};
	struct oci_store st = {.root_fd = -1, .lock_fd = -1};
	struct err e = {0};
	char name[REG_REF_STR_MAX];
	int rc, n;

	if (CFG_CLIENT && eng_use_api())
		return eng_push_main(argc, argv);
	n = cli_parse(&t, argc, argv, 1, 1, &rc);
	if (n < 0)
		return rc;
	cli_progress_init(&d, stdout, push_quiet);
	if (reg_ref_parse(&ref, argv[1], &e) < 0 || chunk_env(&po, &e) < 0)
		return cli_fail("push", &e);
	if (ref.digest[0])
		return cli_fail("push", (err_set(&e, "cannot push a digest reference"), &e));
	if (push_all_tags && !ref.tag_implied)
		return cli_fail("push", (err_set(&e, "tag can't be used with --all-tags/-a"), &e));
	cli_registry_options(&ro);
	if (cli_store_open(&st, OCI_STORE_SHARED, &e) < 0 ||
	    find_tags(&st, &ref, push_all_tags, &tl, &e) < 0) {
		rc = cli_fail("push", &e);
		goto out;
	}
	if (!push_quiet) {
		if (ref.tag_implied && !push_all_tags)
			printf("Using default tag: latest\n");
		printf("The push refers to repository [%s]\n",
		       reg_ref_name(&ref, name, sizeof(name)));
		fflush(stdout); /* before any error on stderr */
	}
	rc = push_tags(&ref, &tl, &po, &st, &e);
	if (rc < 0) {
		fprintf(stderr, "tug: push %s: %s\n", reg_ref_string(&ref, name, sizeof(name)),
			e.msg);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	if (push_quiet)
		printf("%s\n", push_all_tags ? reg_ref_name(&ref, name, sizeof(name))
					     : reg_ref_string(&ref, name, sizeof(name)));
	rc = 0;
out:
	if (st.lock_fd >= 0)
		oci_store_close(&st);
	free(tl.tags);
	return rc;
}
