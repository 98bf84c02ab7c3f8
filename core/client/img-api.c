/* img-api.c - the image commands through the daemon: pull, push, images,
 * tag, rmi, save, load (the daemonless ones in images.c, pull.c, ...
 * call these when no --data-root was given). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/client/engine.h"
#include "json.h"

static int q_quiet, q_all, q_notrunc, q_force, q_noprune;
static const char *q_format, *q_output, *q_input, *q_platform;

static const struct args_opt pull_opts[] = {
	{.name = "all-tags",
	 .shortname = 'a',
	 .help = "Download all tagged images in the repository",
	 .flag = &q_all},
	{.name = "platform",
	 .shortname = 0,
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Set platform if server is multi-platform capable",
	 .value = &q_platform},
	{.name = "quiet", .shortname = 'q', .help = "Suppress verbose output", .flag = &q_quiet},
	{0},
};

static int with_client(int (*fn)(struct api_client *c, int n, char **args), int n, char **args)
{
	struct api_client c;
	int rc;

	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	rc = fn(&c, n, args);
	api_close(&c);
	return rc;
}

static int do_pull(struct api_client *c, int n, char **args)
{
	struct err e = {0};
	const char *img = args[0];
	char full[1100];

	(void)n;
	if (eng_pull(c, img, q_quiet, stdout, &e) < 0)
		return eng_fail(&e, ENG_EXIT_FAIL);
	snprintf(full, sizeof(full), "%s%s", img,
		 strchr(img + (strrchr(img, '/') ? strrchr(img, '/') - img : 0), ':') ||
				 strchr(img, '@')
			 ? ""
			 : ":latest");
	printf("%s\n", full);
	return 0;
}

int eng_pull_main(int argc, char **argv)
{
	static const struct args_table t = {"tug pull [OPTIONS] NAME[:TAG|@DIGEST]",
					    "Download an image from a registry", ARGS_INTERSPERSED,
					    pull_opts};
	int rc, n = cli_parse(&t, argc, argv, 1, 1, &rc);

	return n < 0 ? rc : with_client(do_pull, n, argv + 1);
}

static int do_push(struct api_client *c, int n, char **args)
{
	struct err e = {0};

	(void)n;
	return eng_push(c, args[0], q_quiet, &e) < 0 ? eng_fail(&e, ENG_EXIT_FAIL) : 0;
}

int eng_push_main(int argc, char **argv)
{
	static const struct args_table t = {"tug push [OPTIONS] NAME[:TAG]",
					    "Upload an image to a registry", ARGS_INTERSPERSED,
					    pull_opts};
	int rc, n = cli_parse(&t, argc, argv, 1, 1, &rc);

	return n < 0 ? rc : with_client(do_push, n, argv + 1);
}

static void image_row(struct eng_fmt *f, const cJSON *img, const char *repotag)
{
	char id[80], size[32], ago[64], created[64];
	const char *full = eng_str(img, "Id"), *colon = strrchr(repotag, ':');
	char repo[512];
	int64_t t = (int64_t)eng_num(img, "Created");
	cJSON *row = cJSON_CreateObject();
	struct err e;

	snprintf(repo, sizeof(repo), "%.*s", colon ? (int)(colon - repotag) : (int)strlen(repotag),
		 repotag);
	snprintf(id, sizeof(id), "%s",
		 q_notrunc ? full : full + (strncmp(full, "sha256:", 7) ? 0 : 7));
	if (!q_notrunc)
		id[12] = '\0';
	cli_human_size((int64_t)eng_num(img, "Size"), size, sizeof(size));
	cJSON_AddStringToObject(row, "Containers", "N/A");
	cJSON_AddStringToObject(row, "CreatedAt", eng_created_at(t, created, sizeof(created)));
	cJSON_AddStringToObject(row, "CreatedSince", cli_human_ago(t, ago, sizeof(ago)));
	cJSON_AddStringToObject(row, "Digest", "<none>");
	cJSON_AddStringToObject(row, "ID", id);
	cJSON_AddStringToObject(row, "Repository", repo);
	cJSON_AddStringToObject(row, "SharedSize", "N/A");
	cJSON_AddStringToObject(row, "Size", size);
	cJSON_AddStringToObject(row, "Tag", colon ? colon + 1 : "<none>");
	cJSON_AddStringToObject(row, "UniqueSize", "N/A");
	cJSON_AddStringToObject(row, "VirtualSize", size);
	eng_fmt_row(f, row, &e);
	cJSON_Delete(row);
}

static const struct args_opt images_opts[] = {
	{.name = "all",
	 .shortname = 'a',
	 .help = "Show all images (default hides intermediate images)",
	 .flag = &q_all},
	{.name = "format",
	 .shortname = 0,
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Format output using a custom template",
	 .value = &q_format},
	{.name = "no-trunc", .shortname = 0, .help = "Don't truncate output", .flag = &q_notrunc},
	{.name = "quiet", .shortname = 'q', .help = "Only show image IDs", .flag = &q_quiet},
	{0},
};

static int do_images(struct api_client *c, int n, char **args)
{
	static const char *hdr =
		"{\"Repository\":\"REPOSITORY\",\"Tag\":\"TAG\",\"ID\":\"IMAGE "
		"ID\",\"CreatedSince\":"
		"\"CREATED\",\"CreatedAt\":\"CREATED AT\",\"Size\":\"SIZE\",\"Digest\":\"DIGEST\"}";
	struct eng_fmt f;
	struct err e = {0};
	cJSON *list = NULL, *h = cJSON_Parse(hdr);
	const cJSON *img, *tag;

	(void)n;
	(void)args;
	if (api_json(c, "GET", q_all ? "/images/json?all=1" : "/images/json", NULL, &list, &e) <
		    0 ||
	    eng_fmt_init(&f, q_quiet ? "{{.ID}}" : q_format,
			 "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}",
			 &e) < 0) {
		cJSON_Delete(h);
		cJSON_Delete(list);
		return eng_fail(&e, ENG_EXIT_FAIL);
	}
	if (f.table)
		eng_fmt_row(&f, h, &e);
	cJSON_ArrayForEach(img, list)
	{
		const cJSON *tags = cJSON_GetObjectItemCaseSensitive(img, "RepoTags");

		if (!cJSON_GetArraySize(tags))
			image_row(&f, img, "<none>:<none>");
		cJSON_ArrayForEach(tag, tags) image_row(&f, img, tag->valuestring);
	}
	eng_fmt_flush(&f, stdout);
	cJSON_Delete(h);
	cJSON_Delete(list);
	return 0;
}

int eng_images_main(int argc, char **argv)
{
	static const struct args_table t = {"tug images [OPTIONS] [REPOSITORY[:TAG]]",
					    "List images", ARGS_INTERSPERSED, images_opts};
	int rc, n = cli_parse(&t, argc, argv, 0, 1, &rc);

	return n < 0 ? rc : with_client(do_images, n, argv + 1);
}

static int do_tag(struct api_client *c, int n, char **args)
{
	char repo[1024], path[3300];
	const char *colon = strrchr(args[1], ':'), *slash = strrchr(args[1], '/');
	struct err e = {0};

	(void)n;
	if (colon && slash && colon < slash)
		colon = NULL;
	snprintf(repo, sizeof(repo), "%.*s", colon ? (int)(colon - args[1]) : (int)strlen(args[1]),
		 args[1]);
	snprintf(path, sizeof(path), "/images/%s/tag?repo=%s&tag=%s", args[0], eng_q(repo),
		 eng_q(colon ? colon + 1 : "latest"));
	return api_json(c, "POST", path, NULL, NULL, &e) < 0 ? eng_fail(&e, ENG_EXIT_FAIL) : 0;
}

static const struct args_opt no_opts[] = {{0}};

int eng_tag_main(int argc, char **argv)
{
	static const struct args_table t = {"tug tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
					    "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
					    ARGS_INTERSPERSED, no_opts};
	int rc, n = cli_parse(&t, argc, argv, 2, 2, &rc);

	return n < 0 ? rc : with_client(do_tag, n, argv + 1);
}

static int rmi_one(struct api_client *c, const char *name, void *ctx, struct err *e)
{
	char path[1200];
	cJSON *res = NULL;
	const cJSON *it;

	(void)ctx;
	snprintf(path, sizeof(path), "/images/%s%s%s", name, q_force ? "?force=1" : "",
		 q_noprune ? (q_force ? "&noprune=1" : "?noprune=1") : "");
	if (api_json(c, "DELETE", path, NULL, &res, e) < 0)
		return -1;
	cJSON_ArrayForEach(it, res)
	{
		if (eng_str(it, "Untagged")[0])
			printf("Untagged: %s\n", eng_str(it, "Untagged"));
		if (eng_str(it, "Deleted")[0])
			printf("Deleted: %s\n", eng_str(it, "Deleted"));
	}
	cJSON_Delete(res);
	return 0;
}

static const struct args_opt rmi_opts[] = {
	{.name = "force", .shortname = 'f', .help = "Force removal of the image", .flag = &q_force},
	{.name = "no-prune",
	 .shortname = 0,
	 .help = "Do not delete untagged parents",
	 .flag = &q_noprune},
	{0},
};

static int do_rmi(struct api_client *c, int n, char **args)
{
	return eng_each(c, n, args, rmi_one, NULL, false);
}

int eng_rmi_main(int argc, char **argv)
{
	static const struct args_table t = {"tug rmi [OPTIONS] IMAGE [IMAGE...]",
					    "Remove one or more images", ARGS_INTERSPERSED,
					    rmi_opts};
	int rc, n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);

	return n < 0 ? rc : with_client(do_rmi, n, argv + 1);
}

static const struct args_opt save_opts[] = {
	{.name = "output",
	 .shortname = 'o',
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Write to a file, instead of STDOUT",
	 .value = &q_output},
	{0},
};

static int do_save(struct api_client *c, int n, char **args)
{
	char path[8192] = "/images/get";
	struct api_resp r;
	struct err e = {0};
	char buf[65536];
	ssize_t got;
	int fd = STDOUT_FILENO, rc = 0;

	for (int i = 0; i < n; i++)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "%cnames=%s",
			 i ? '&' : '?', eng_q(args[i]));
	if (q_output && (fd = open(q_output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return fprintf(stderr, "failed to save image: %s: %s\n", q_output, strerror(errno)),
		       ENG_EXIT_FAIL;
	if (api_do(c, "GET", path, NULL, NULL, 0, NULL, &r, &e) < 0)
		return eng_fail(&e, ENG_EXIT_FAIL);
	if (r.status >= 400)
		rc = (api_error(&r, &e), eng_fail(&e, ENG_EXIT_FAIL));
	while (!rc && (got = api_read(&r, buf, sizeof(buf), &e)) != 0)
		if (got < 0 || write(fd, buf, (size_t)got) != got)
			rc = eng_fail(&e, ENG_EXIT_FAIL);
	api_end(c, &r);
	if (fd != STDOUT_FILENO)
		close(fd);
	return rc;
}

int eng_save_main(int argc, char **argv)
{
	static const struct args_table t = {"tug save [OPTIONS] IMAGE [IMAGE...]",
					    "Save one or more images to a tar archive",
					    ARGS_INTERSPERSED, save_opts};
	int rc, n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);

	if (n < 0)
		return rc;
	if (!q_output && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "tug: cowardly refusing to save to a terminal. Use the -o flag or "
				"redirect\n");
		return ENG_EXIT_FAIL;
	}
	return with_client(do_save, n, argv + 1);
}

static const struct args_opt load_opts[] = {
	{.name = "input",
	 .shortname = 'i',
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Read from tar archive file, instead of STDIN",
	 .value = &q_input},
	{.name = "quiet", .shortname = 'q', .help = "Suppress the load output", .flag = &q_quiet},
	{0},
};

static int do_load(struct api_client *c, int n, char **args)
{
	struct api_resp r;
	struct err e = {0};
	int fd = q_input ? open(q_input, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	char line[4096];
	int got, rc = 0;

	(void)n;
	(void)args;
	if (fd < 0)
		return fprintf(stderr, "open %s: %s\n", q_input, strerror(errno)), ENG_EXIT_FAIL;
	if (api_do_fd(c, "POST", q_quiet ? "/images/load?quiet=1" : "/images/load?quiet=0",
		      "application/x-tar", fd, &r, &e) < 0)
		return eng_fail(&e, ENG_EXIT_FAIL);
	if (r.status >= 400)
		rc = (api_error(&r, &e), eng_fail(&e, ENG_EXIT_FAIL));
	while (!rc && (got = api_read_line(&r, line, sizeof(line), &e)) > 0) {
		cJSON *m = NULL;

		if (json_parse(line, strlen(line), &m, &e) < 0)
			continue;
		if (eng_str(m, "error")[0])
			rc = (fprintf(stderr, "%s\n", eng_str(m, "error")), ENG_EXIT_FAIL);
		else if (eng_str(m, "stream")[0])
			fputs(eng_str(m, "stream"), stdout);
		cJSON_Delete(m);
	}
	api_end(c, &r);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

int eng_load_main(int argc, char **argv)
{
	static const struct args_table t = {"tug load [OPTIONS]",
					    "Load an image from a tar archive or STDIN",
					    ARGS_INTERSPERSED, load_opts};
	int rc, n = cli_parse(&t, argc, argv, 0, 0, &rc);

	return n < 0 ? rc : with_client(do_load, n, argv + 1);
}
