/* stats.c - `tug stats`: one stats stream per container (GET
 * /containers/{id}/stats), read in one poll loop, drawn as the docker
 * CLI's table every half second; without names the running (or, with
 * -a, all) containers, followed through the event stream. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"
#include "core/client/obs.h"
#include "json.h"

//applet: stats tug_stats_main "Display a live stream of container(s) resource usage statistics"

static int o_all, o_nostream, o_notrunc;
static const char *o_format;

static const struct args_opt stats_opts[] = {
	{.name = "all",
	 .shortname = 'a',
	 .help = "Show all containers (default shows just running)",
	 .flag = &o_all},
	{.name = "format",
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Format output using a custom template",
	 .value = &o_format},
	{.name = "no-stream",
	 .help = "Disable streaming stats and only pull the first result",
	 .flag = &o_nostream},
	{.name = "no-trunc", .help = "Do not truncate output", .flag = &o_notrunc},
	{0},
};

#define MAX_CTRS 256
#define LINE_MAX_ 65536

/* One container: what was asked for, its stream, its last sample. */
struct ent {
	char container[256];
	char name[256], id[80];
	struct api_resp r;
	bool open, got, invalid;
	char err[512];
	struct obs_stats st;
};

static struct ent *ents[MAX_CTRS];
static size_t nents;
static char *line;

static void ent_close(struct api_client *c, struct ent *s)
{
	if (s->open)
		api_end(c, &s->r);
	s->open = false;
}

/* Start following (or, with --no-stream, asking once for) one container. */
static void ent_add(struct api_client *c, const char *container)
{
	char path[1024];
	struct err e = {0};
	struct ent *s;

	for (size_t i = 0; i < nents; i++)
		if (!strcmp(ents[i]->container, container))
			return;
	if (nents == MAX_CTRS || !(s = calloc(1, sizeof(*s))))
		return;
	ents[nents++] = s;
	snprintf(s->container, sizeof(s->container), "%s", container);
	snprintf(path, sizeof(path), "/containers/%s/stats?stream=%d", eng_q(container),
		 !o_nostream);
	if (api_do(c, "GET", path, NULL, NULL, 0, NULL, &s->r, &e) < 0) {
		s->invalid = true;
		snprintf(s->err, sizeof(s->err), "%s", e.msg);
		return;
	}
	s->open = true;
	if (s->r.status >= 400) {
		api_error(&s->r, &e);
		snprintf(s->err, sizeof(s->err), "%s", e.msg);
		s->invalid = true;
		ent_close(c, s);
	}
}

static void ent_remove(struct api_client *c, const char *container)
{
	for (size_t i = 0; i < nents; i++)
		if (!strcmp(ents[i]->container, container)) {
			ent_close(c, ents[i]);
			free(ents[i]);
			memmove(ents + i, ents + i + 1, (nents - i - 1) * sizeof(*ents));
			nents--;
			return;
		}
}

/* The next sample of s; at the end of its stream it shows "--". */
static void ent_read(struct api_client *c, struct ent *s)
{
	struct err e = {0};
	cJSON *v = NULL;
	int got = api_read_line(&s->r, line, LINE_MAX_, &e);

	if (got <= 0) {
		s->invalid = true;
		s->got = true;
		ent_close(c, s);
		return;
	}
	if (json_parse(line, strlen(line), &v, &e) < 0)
		return;
	snprintf(s->name, sizeof(s->name), "%s", eng_str(v, "name"));
	snprintf(s->id, sizeof(s->id), "%s", eng_str(v, "id"));
	obs_stats_calc(v, &s->st);
	s->got = true;
	s->invalid = false;
	cJSON_Delete(v);
	if (o_nostream)
		ent_close(c, s);
}

/* A row of docker's preformatted fields, keys in Go's sorted order. */
static cJSON *row_of(const struct ent *s)
{
	cJSON *r = cJSON_CreateObject();
	const struct obs_stats *o = &s->st;
	char a[32], b[32], buf[96], id[80];

	snprintf(buf, sizeof(buf), "%s / %s", obs_size(o->blk_read, 3, false, a, sizeof(a)),
		 obs_size(o->blk_write, 3, false, b, sizeof(b)));
	cJSON_AddStringToObject(r, "BlockIO", s->invalid ? "--" : buf);
	snprintf(buf, sizeof(buf), "%.2f%%", o->cpu_pct);
	cJSON_AddStringToObject(r, "CPUPerc", s->invalid ? "--" : buf);
	cJSON_AddStringToObject(r, "Container", s->container);
	snprintf(id, sizeof(id), "%s", s->id);
	if (!o_notrunc)
		id[12] = '\0';
	cJSON_AddStringToObject(r, "ID", id);
	snprintf(buf, sizeof(buf), "%.2f%%", o->mem_pct);
	cJSON_AddStringToObject(r, "MemPerc", s->invalid ? "--" : buf);
	snprintf(buf, sizeof(buf), "%s / %s", obs_size(o->mem, 4, true, a, sizeof(a)),
		 obs_size(o->mem_limit, 4, true, b, sizeof(b)));
	cJSON_AddStringToObject(r, "MemUsage", s->invalid ? "-- / --" : buf);
	cJSON_AddStringToObject(r, "Name", strlen(s->name) > 1 ? s->name + 1 : "--");
	snprintf(buf, sizeof(buf), "%s / %s", obs_size(o->net_rx, 3, false, a, sizeof(a)),
		 obs_size(o->net_tx, 3, false, b, sizeof(b)));
	cJSON_AddStringToObject(r, "NetIO", s->invalid ? "--" : buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)o->pids);
	cJSON_AddStringToObject(r, "PIDs", s->invalid ? "--" : buf);
	return r;
}

static const char *header =
	"{\"Container\":\"CONTAINER\",\"Name\":\"NAME\",\"ID\":\"CONTAINER ID\",\"CPUPerc\":\"CPU "
	"%\",\"MemUsage\":\"MEM USAGE / LIMIT\",\"MemPerc\":\"MEM %\",\"NetIO\":\"NET I/O\","
	"\"BlockIO\":\"BLOCK I/O\",\"PIDs\":\"PIDS\"}";

/* The table into a string (the caller frees it). */
static char *render(struct err *e)
{
	struct eng_fmt f;
	cJSON *h = cJSON_Parse(header);
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (eng_fmt_init(&f, o_format,
			 "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t"
			 "{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}",
			 e) < 0) {
		cJSON_Delete(h);
		return NULL;
	}
	if (!(mem = open_memstream(&text, &len))) {
		tmpl_free(f.t);
		cJSON_Delete(h);
		return NULL;
	}
	if (f.table)
		eng_fmt_row(&f, h, e);
	for (size_t i = 0; i < nents; i++) {
		cJSON *r = row_of(ents[i]);

		eng_fmt_row(&f, r, e);
		cJSON_Delete(r);
	}
	eng_fmt_flush(&f, mem);
	fclose(mem);
	cJSON_Delete(h);
	return text;
}

/* One frame: on a terminal drawn over the last one as the docker CLI
 * does (home, each line erased to its end, the rest of the screen). */
static void draw(const char *text, bool tty)
{
	const char *p = text;

	if (!tty) {
		fputs(text, stdout);
	} else {
		fputs("\033[H", stdout);
		for (size_t n; *p; p += n + (p[n] == '\n')) {
			n = strcspn(p, "\n");
			printf("%.*s\033[K\n", (int)n, p);
		}
		fputs("\033[J", stdout);
	}
	fflush(stdout);
}

/* A whole chunk already buffered (its size line and the sample's newline):
 * readable without waiting on the socket. */
static bool buffered(const struct api_resp *r)
{
	const struct api_conn *k = r->conn;
	int nl = 0;

	for (size_t i = k ? k->off : 0; k && i < k->len && nl < 2; i++)
		nl += k->buf[i] == '\n';
	return nl >= 2;
}

/* A container event while following all: start (and create with -a)
 * adds, die (without -a) removes, by 12-digit id as docker keys them. */
static int on_event(struct api_client *c, struct api_resp *ev)
{
	struct err e = {0};
	cJSON *v = NULL;
	char id[13];
	const char *action;

	if (api_read_line(ev, line, LINE_MAX_, &e) <= 0)
		return -1;
	if (json_parse(line, strlen(line), &v, &e) < 0)
		return 0;
	action = eng_str(v, "Action");
	snprintf(id, sizeof(id), "%s", eng_str(cJSON_GetObjectItemCaseSensitive(v, "Actor"), "ID"));
	if (!strcmp(action, "start") || (o_all && !strcmp(action, "create")))
		ent_add(c, id);
	else if (!o_all && !strcmp(action, "die"))
		ent_remove(c, id);
	cJSON_Delete(v);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool all_got(void)
{
	for (size_t i = 0; i < nents; i++)
		if (!ents[i]->got && !ents[i]->invalid)
			return false;
	return true;
}

/* Read the streams and redraw every 500 ms, the first time once every
 * container has a sample (or after 2 s, as docker gives up waiting). */
static int follow(struct api_client *c, struct api_resp *ev, bool show_all)
{
	struct pollfd fds[MAX_CTRS + 1];
	struct ent *who[MAX_CTRS];
	int64_t start = now_ms(), next = start + 500;
	bool tty = isatty(STDOUT_FILENO), drawn = false;
	struct err e = {0};
	char *text;

	for (;;) {
		int n = 0, wait = (int)(next - now_ms());

		for (size_t i = 0; i < nents; i++)
			if (ents[i]->open) {
				if (buffered(&ents[i]->r))
					wait = 0;
				who[n] = ents[i];
				fds[n++] = (struct pollfd){ents[i]->r.conn->fd, POLLIN, 0};
			}
		if (ev && ev->conn)
			fds[n] = (struct pollfd){ev->conn->fd, POLLIN, 0};
		if (poll(fds, (nfds_t)n + (ev && ev->conn), wait < 0 ? 0 : wait) < 0)
			continue;
		for (int i = 0; i < n; i++)
			if (fds[i].revents || buffered(&who[i]->r))
				ent_read(c, who[i]);
		if (ev && ev->conn && (fds[n].revents || buffered(ev)) && on_event(c, ev) < 0)
			return eng_fail(&(struct err){.msg = "the event stream ended"},
					ENG_EXIT_FAIL);
		if (now_ms() < next)
			continue;
		next += 500;
		if (!drawn && !all_got() && now_ms() - start < 2000)
			continue;
		if (!(text = render(&e)))
			return eng_fail(&e, ENG_EXIT_FAIL);
		draw(text, tty);
		free(text);
		drawn = true;
		if (!show_all && nents == 0)
			return 0;
	}
}

/* The running (or all) containers, and with streaming their events,
 * subscribed to first so that none started in between is missed. */
static int start_all(struct api_client *c, struct api_resp *ev, struct err *e)
{
	cJSON *list = NULL;
	const cJSON *it;

	if (!o_nostream) {
		if (api_do(c, "GET",
			   "/events?filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D", NULL,
			   NULL, 0, NULL, ev, e) < 0)
			return -1;
		if (ev->status >= 400)
			return api_error(ev, e);
	}
	if (api_json(c, "GET", o_all ? "/containers/json?all=1" : "/containers/json", NULL, &list,
		     e) < 0)
		return -1;
	cJSON_ArrayForEach(it, list)
	{
		char id[13];

		snprintf(id, sizeof(id), "%s", eng_str(it, "Id"));
		ent_add(c, id);
	}
	cJSON_Delete(list);
	return 0;
}

/* Named containers that cannot be followed: each error, and docker's 1. */
static int named_errors(void)
{
	int rc = 0;

	for (size_t i = 0; i < nents; i++)
		if (ents[i]->err[0]) {
			fprintf(stderr, "%s\n", ents[i]->err);
			rc = ENG_EXIT_FAIL;
		}
	return rc;
}

static int once(struct api_client *c)
{
	struct err e = {0};
	char *text;

	for (size_t i = 0; i < nents; i++)
		if (ents[i]->open)
			ent_read(c, ents[i]);
	if (!(text = render(&e)))
		return eng_fail(&e, ENG_EXIT_FAIL);
	fputs(text, stdout);
	free(text);
	return 0;
}

int tug_stats_main(int argc, char **argv)
{
	static const struct args_table t = {
		"tug stats [OPTIONS] [CONTAINER...]",
		"Display a live stream of container(s) resource usage statistics",
		ARGS_INTERSPERSED, stats_opts};
	struct api_client c;
	struct api_resp ev = {0};
	struct err e = {0};
	int rc, n = cli_parse(&t, argc, argv, 0, 1 << 20, &rc);

	if (n < 0)
		return rc;
	if (!(line = malloc(LINE_MAX_)) || eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	if (n == 0 && start_all(&c, &ev, &e) < 0) {
		rc = eng_fail(&e, ENG_EXIT_FAIL);
		goto out;
	}
	for (int i = 1; i <= n; i++)
		ent_add(&c, argv[i]);
	if (n && (rc = named_errors()))
		goto out;
	rc = o_nostream ? once(&c) : follow(&c, n ? NULL : &ev, n == 0);
out:
	for (size_t i = 0; i < nents; i++)
		ent_close(&c, ents[i]), free(ents[i]);
	if (ev.conn)
		api_end(&c, &ev);
	api_close(&c);
	free(line);
	return rc;
}
