/* img-pull.c - pull and push through the daemon: the JSON progress stream
 * shown as docker shows it (lines redrawn in place on a terminal, status
 * lines only otherwise), X-Registry-Auth from the stored credentials. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "core/client/engine.h"
#include "json.h"
#include "registry/auth.h"
#include "registry/ref.h"

/* base64url of {"username","password","serveraddress"}, or of {}. */
static void registry_auth(const char *image, char *hdr, size_t size)
{
	struct reg_ref ref;
	struct reg_creds cr;
	struct err e;
	cJSON *j = cJSON_CreateObject();
	char *s;

	if (reg_ref_parse(&ref, image, &e) == 0 && reg_creds_find(ref.domain, &cr, &e) == 1) {
		cJSON_AddStringToObject(j, "username", cr.user);
		cJSON_AddStringToObject(j, "password", cr.pass);
		cJSON_AddStringToObject(j, "serveraddress", ref.domain);
	}
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	snprintf(hdr, size, "X-Registry-Auth: ");
	if (s && strlen(hdr) + (strlen(s) + 2) / 3 * 4 + 1 < size)
		base64_encode(s, strlen(s), hdr + strlen(hdr), true);
	free(s);
}

/* Lines by layer id, to redraw one in place on a terminal. */
struct progress {
	FILE *out;
	bool tty;
	char ids[256][72];
	int n;
};

static void show(struct progress *p, const cJSON *m)
{
	const char *id = eng_str(m, "id"), *st = eng_str(m, "status");
	const char *bar = eng_str(m, "progress");
	int at = -1;

	if (!p->tty) {
		if (cJSON_GetObjectItemCaseSensitive(m, "progressDetail") && bar[0])
			return;
		fprintf(p->out, "%s%s%s\n", id, id[0] ? ": " : "", st);
		return;
	}
	for (int i = 0; id[0] && i < p->n; i++)
		if (!strcmp(p->ids[i], id))
			at = i;
	if (id[0] && at < 0 && p->n < 256) {
		snprintf(p->ids[p->n], sizeof(p->ids[0]), "%s", id);
		at = p->n++;
		fputc('\n', p->out);
	}
	if (at >= 0)
		fprintf(p->out, "\033[%dA\r\033[2K%s: %s %s\r\033[%dB", p->n - at, id, st, bar,
			p->n - at);
	else
		fprintf(p->out, "%s\n", st);
	fflush(p->out);
}

/* Read the message stream; an in-stream error fails. aux (push) is kept. */
static int progress_stream(struct api_resp *r, FILE *out, bool quiet, struct err *e)
{
	struct progress *p = calloc(1, sizeof(*p));
	char line[65536];
	int got, rc = 0;

	if (!p)
		return err_set(e, "out of memory");
	p->out = out;
	p->tty = isatty(fileno(out));
	while ((got = api_read_line(r, line, sizeof(line), e)) > 0) {
		cJSON *m = NULL;
		const cJSON *err;

		if (!line[0] || json_parse(line, strlen(line), &m, e) < 0)
			continue;
		err = cJSON_GetObjectItemCaseSensitive(m, "errorDetail");
		if (err || eng_str(m, "error")[0]) {
			rc = err_set(e, "%s",
				     eng_str(m, "error")[0] ? eng_str(m, "error")
							    : eng_str(err, "message"));
		} else if (!quiet && (eng_str(m, "status")[0] || eng_str(m, "id")[0])) {
			show(p, m);
		}
		cJSON_Delete(m);
	}
	free(p);
	return got < 0 ? -1 : rc;
}

/* name[:tag] or name@digest into fromImage and tag, as the CLI sends them. */
static void split_ref(const char *image, char *name, size_t size, const char **tag)
{
	const char *at = strchr(image, '@'), *slash = strrchr(image, '/');
	const char *colon = strrchr(image, ':');

	snprintf(name, size, "%s", image);
	*tag = "latest";
	if (at) {
		name[at - image] = '\0';
		*tag = at + 1;
	} else if (colon && (!slash || colon > slash)) {
		name[colon - image] = '\0';
		*tag = colon + 1;
	}
}

int eng_pull(struct api_client *c, const char *image, bool quiet, FILE *out, struct err *e)
{
	char name[1024], path[3300], auth[4096];
	const char *tag, *hdrs[] = {auth, NULL};
	struct api_resp r;
	int rc;

	split_ref(image, name, sizeof(name), &tag);
	registry_auth(image, auth, sizeof(auth));
	snprintf(path, sizeof(path), "/images/create?fromImage=%s&tag=%s", eng_q(name), eng_q(tag));
	if (api_do(c, "POST", path, NULL, NULL, 0, hdrs, &r, e) < 0)
		return -1;
	if (r.status >= 400)
		rc = api_error(&r, e);
	else
		rc = progress_stream(&r, out, quiet, e);
	api_end(c, &r);
	return rc;
}

int eng_push(struct api_client *c, const char *image, bool quiet, struct err *e)
{
	char name[1024], path[3300], auth[4096];
	const char *tag, *hdrs[] = {auth, NULL};
	struct api_resp r;
	int rc;

	split_ref(image, name, sizeof(name), &tag);
	registry_auth(image, auth, sizeof(auth));
	snprintf(path, sizeof(path), "/images/%s/push?tag=%s", name, eng_q(tag));
	if (api_do(c, "POST", path, NULL, NULL, 0, hdrs, &r, e) < 0)
		return -1;
	if (r.status >= 400)
		rc = api_error(&r, e);
	else
		rc = progress_stream(&r, stdout, quiet, e);
	api_end(c, &r);
	return rc;
}
