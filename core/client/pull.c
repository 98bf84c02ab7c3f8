/* pull.c - `tug pull`: the registry client into the local store, without a
 * daemon (tug --data-root DIR pull ...), with docker's output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/cli.h"
#include "core/client/engine.h"
#include "core/client/progress.h"
#include "registry/pull.h"
#include "registry/ref.h"
#include "version.h"

//applet: pull tug_pull_main "Download an image from a registry"

static const char *pull_platform;
static int pull_quiet, pull_all_tags;

/* A comma-separated environment list as a NULL-terminated array (static). */
static const char *const *env_list(const char *name, char *buf, size_t size, const char **v,
				   size_t nv)
{
	const char *s = getenv(name);
	size_t n = 0;

	if (!s || !*s)
		return NULL;
	snprintf(buf, size, "%s", s);
	for (char *tok = strtok(buf, ","); tok && n + 1 < nv; tok = strtok(NULL, ","))
		v[n++] = tok;
	v[n] = NULL;
	return v;
}

void cli_registry_options(struct reg_options *o)
{
	static char ins_buf[1024], mir_buf[1024];
	static const char *ins[16], *mir[16];

	memset(o, 0, sizeof(*o));
	o->insecure = env_list("TUG_INSECURE_REGISTRIES", ins_buf, sizeof(ins_buf), ins, 16);
	o->mirrors = env_list("TUG_REGISTRY_MIRRORS", mir_buf, sizeof(mir_buf), mir, 16);
	o->ca_bundle = getenv("TUG_CA_BUNDLE"); /* NULL: the system's */
	o->version = TUG_VERSION;
}

static void header(const struct reg_ref *ref)
{
	/* docker: "latest: Pulling from library/busybox" (the path, any registry) */
	printf("%s: Pulling from %s\n", ref->digest[0] ? ref->digest : ref->tag, ref->path);
	fflush(stdout);
}

struct pull_ui {
	struct cli_progress *pr;
	const struct reg_ref *ref;
};

/* "TAG: Pulling from PATH" once the registry answered, as docker prints it. */
static void on_event(const struct reg_pull_event *ev, void *arg)
{
	struct pull_ui *ui = arg;

	if (ev->kind == REG_PULL_RESOLVED && !ui->pr->quiet)
		header(ui->ref);
	cli_progress_event(ev, ui->pr);
}

int tug_pull_main(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"platform", 0, ARGS_VALUE, "string",
		 "set platform if server is multi-platform capable", NULL, &pull_platform, NULL,
		 NULL},
		{"quiet", 'q', 0, NULL, "suppress verbose output", &pull_quiet, NULL, NULL, NULL},
		{"all-tags", 'a', 0, NULL, "download all tagged images (not supported)",
		 &pull_all_tags, NULL, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug pull [OPTIONS] NAME[:TAG|@DIGEST]",
					    "Download an image from a registry", 0, opts};
	struct reg_options ro;
	struct reg_platform plat;
	struct reg_ref ref;
	struct reg_pull_result res;
	struct cli_progress *pr = malloc(sizeof(*pr));
	struct oci_store st = {.root_fd = -1, .lock_fd = -1};
	struct err e = {0};
	char name[512], fam[512];
	int rc, n;

	if (CFG_CLIENT && eng_use_api())
		return eng_pull_main(argc, argv);
	n = cli_parse(&t, argc, argv, 1, 1, &rc);

	if (n < 0 || !pr) {
		free(pr);
		return n < 0 ? rc : CLI_EXIT_FAIL;
	}
	if (pull_all_tags)
		return free(pr), cli_fail("pull", (err_set(&e, "--all-tags is not supported"), &e));
	if (reg_ref_parse(&ref, argv[1], &e) < 0 ||
	    (pull_platform && reg_platform_parse(&plat, pull_platform, &e) < 0))
		return free(pr), cli_fail("pull", &e);
	cli_registry_options(&ro);
	cli_progress_init(pr, stdout, pull_quiet);
	const char *par = getenv("TUG_MAX_CONCURRENT_DOWNLOADS");
	struct pull_ui ui = {pr, &ref};
	struct reg_pull_opts po = {.reg = &ro,
				   .platform = pull_platform ? &plat : NULL,
				   .parallel = par ? atoi(par) : 0, /* 0: 3, as dockerd's default */
				   .progress = on_event,
				   .arg = &ui};
	if (!pull_quiet && ref.tag_implied)
		printf("Using default tag: latest\n");
	if (cli_store_open(&st, OCI_STORE_EXCLUSIVE, &e) < 0 ||
	    reg_pull(&st, &ref, &po, &res, &e) < 0) {
		reg_ref_string(&ref, name, sizeof(name));
		fprintf(stderr, "tug: pull %s: %s\n", name, e.msg);
		free(pr);
		if (st.lock_fd >= 0)
			oci_store_close(&st);
		return CLI_EXIT_FAIL;
	}
	oci_store_close(&st);
	free(pr);
	reg_ref_string(&ref, name, sizeof(name));
	if (!pull_quiet) {
		printf("Digest: %s\n", res.digest);
		printf("Status: %s for %s\n",
		       res.fresh ? "Downloaded newer image" : "Image is up to date",
		       reg_ref_familiar(&ref, fam, sizeof(fam)));
	}
	printf("%s\n", name);
	return 0;
}
