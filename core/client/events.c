/* events.c - `tug events`: GET /events followed, each event printed as the
 * docker CLI prints it (its line, or --format), --since/--until converted
 * on this side as it does. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"
#include "core/client/obs.h"
#include "json.h"

//applet: events tug_events_main "Get real time events from the server"

static const char *o_since, *o_until, *o_format;
static struct args_list o_filter;

static const struct args_opt ev_opts[] = {
	{.name = "filter",
	 .shortname = 'f',
	 .flags = ARGS_VALUE,
	 .meta = "filter",
	 .help = "Filter output based on conditions provided",
	 .list = &o_filter},
	{.name = "format",
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Format output using a custom template",
	 .value = &o_format},
	{.name = "since",
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Show all events created since timestamp",
	 .value = &o_since},
	{.name = "until",
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Stream events until this timestamp",
	 .value = &o_until},
	{0},
};

/* ?since=..&until=..&filters=.. */
static int query(char *path, size_t size, struct err *e)
{
	struct timespec now;
	char ts[64], *f = NULL;
	const char *names[] = {"since", "until"}, *vals[] = {o_since, o_until};

	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(path, size, "/events");
	for (int i = 0; i < 2; i++) {
		if (!vals[i] || !*vals[i])
			continue;
		if (obs_timestamp(vals[i], &now, ts, sizeof(ts), e) < 0)
			return -1;
		snprintf(path + strlen(path), size - strlen(path), "%c%s=%s",
			 strchr(path, '?') ? '&' : '?', names[i], eng_q(ts));
	}
	if (obs_filters_json(o_filter.v, o_filter.n, "-f, --filter", &f, e) < 0)
		return -1;
	if (f)
		snprintf(path + strlen(path), size - strlen(path), "%cfilters=%s",
			 strchr(path, '?') ? '&' : '?', eng_q(f));
	free(f);
	return 0;
}

/* The template's view of an event: Go's field names (events.Message)
 * where its JSON names differ. */
static void go_names(cJSON *ev)
{
	static const char *const names[][2] = {{"status", "Status"}, {"id", "ID"},
					       {"from", "From"},     {"scope", "Scope"},
					       {"time", "Time"},     {"timeNano", "TimeNano"}};
	cJSON *it;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((it = cJSON_DetachItemFromObjectCaseSensitive(ev, names[i][0])))
			cJSON_AddItemToObject(ev, names[i][1], it);
}

static int print_event(const char *line, const struct tmpl *tp, bool json)
{
	struct tmpl_buf b = {0};
	struct err e = {0};
	cJSON *ev = NULL;
	int rc = 0;

	if (json_parse(line, strlen(line), &ev, &e) < 0)
		return 0; /* not an event: skipped */
	obs_event_sort(ev);
	if (json) {
		/* the daemon's key order is the docker CLI's; the nanoseconds exact */
		char num[24], *s;
		int64_t tn = obs_time_nano_of(line);

		snprintf(num, sizeof(num), "%lld", (long long)tn);
		if (tn && cJSON_GetObjectItemCaseSensitive(ev, "timeNano"))
			cJSON_ReplaceItemInObjectCaseSensitive(ev, "timeNano",
							       cJSON_CreateRaw(num));
		if ((s = cJSON_PrintUnformatted(ev)))
			printf("%s\n", s);
		free(s);
	} else if (tp) {
		go_names(ev);
		rc = tmpl_exec(tp, ev, &b, &e);
		tmpl_buf_add(&b, "\n", 1);
	} else {
		rc = obs_event_line(ev, obs_time_nano_of(line), &b);
	}
	if (rc == 0 && b.s)
		fputs(b.s, stdout);
	else if (rc < 0)
		fprintf(stderr, "%s\n", e.msg);
	fflush(stdout);
	free(b.s);
	cJSON_Delete(ev);
	return rc;
}

static int follow(struct api_client *c, const char *path, const struct tmpl *tp, bool json)
{
	struct api_resp r;
	struct err e = {0};
	char *line = malloc(1 << 20);
	int got = 0, rc = 0;

	if (!line || api_do(c, "GET", path, NULL, NULL, 0, NULL, &r, &e) < 0) {
		free(line);
		return line ? eng_fail(&e, ENG_EXIT_FAIL) : ENG_EXIT_FAIL;
	}
	if (r.status >= 400)
		rc = (api_error(&r, &e), eng_fail(&e, ENG_EXIT_FAIL));
	while (!rc && (got = api_read_line(&r, line, 1 << 20, &e)) > 0)
		if (*line && print_event(line, tp, json) < 0)
			rc = ENG_EXIT_FAIL;
	if (!rc && got < 0)
		rc = eng_fail(&e, ENG_EXIT_FAIL);
	api_end(c, &r);
	free(line);
	return rc;
}

int tug_events_main(int argc, char **argv)
{
	static const struct args_table t = {"tug events [OPTIONS]",
					    "Get real time events from the server",
					    ARGS_INTERSPERSED, ev_opts};
	struct api_client c;
	struct err e = {0};
	struct tmpl *tp = NULL;
	char path[8192];
	bool json;
	int rc, n = cli_parse(&t, argc, argv, 0, 0, &rc);

	if (n < 0)
		return rc;
	if (obs_filters_json(o_filter.v, o_filter.n, "-f, --filter", NULL, &e) < 0) {
		fprintf(stderr,
			"%s\n\nUsage:  %s\n\nRun 'tug events --help' for more information\n", e.msg,
			t.usage);
		return ENG_EXIT_RUN;
	}
	json = o_format && (!strcmp(o_format, "json") || !strcmp(o_format, "{{json .}}"));
	if (o_format && *o_format && !json && tmpl_parse(o_format, &tp, &e) < 0) {
		fprintf(stderr, "Error parsing format: %s\n", e.msg);
		return 64; /* the docker CLI's status for it */
	}
	if (query(path, sizeof(path), &e) < 0) {
		tmpl_free(tp);
		return eng_fail(&e, ENG_EXIT_FAIL);
	}
	if (eng_connect(&c) < 0) {
		tmpl_free(tp);
		return ENG_EXIT_FAIL;
	}
	rc = follow(&c, path, tp, json);
	tmpl_free(tp);
	api_close(&c);
	return rc;
}
