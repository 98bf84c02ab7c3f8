/* test_tmpl.c - the Go-template subset against known outputs of Go's
 * text/template (as docker inspect -f and --format print them). */
#include <stdlib.h>
#include <string.h>

#include "core/client/tmpl.h"
#include "json.h"
#include "tap.h"

static const char *data_json =
	"{\"Id\":\"abc123\",\"State\":{\"Status\":\"running\",\"Pid\":42,\"Running\":true,"
	"\"ExitCode\":0},\"Config\":{\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],\"Labels\":"
	"{\"a.b\":\"x\",\"c\":\"y\"},\"Env\":null},\"Names\":[\"/web\"],\"Empty\":\"\","
	"\"Ratio\":0.5}";

static void check(const cJSON *data, const char *tmpl, const char *want)
{
	struct tmpl *t = NULL;
	struct tmpl_buf b = {0};
	struct err e = {0};
	int rc = tmpl_parse(tmpl, &t, &e);

	if (rc == 0)
		rc = tmpl_exec(t, data, &b, &e);
	if (want) {
		ok(rc == 0 && b.s && !strcmp(b.s, want), "%s -> \"%s\"", tmpl, want);
		if (rc < 0 || !b.s || strcmp(b.s, want))
			diag("got rc %d \"%s\" (%s)", rc, b.s ? b.s : "", e.msg);
	} else {
		ok(rc < 0, "%s fails (%s)", tmpl, e.msg);
	}
	tmpl_free(t);
	free(b.s);
}

int main(void)
{
	cJSON *d = NULL;
	struct err e;
	int table;
	char *f;

	if (json_parse(data_json, strlen(data_json), &d, &e) < 0)
		return 1;
	check(d, "{{.State.Status}}", "running");
	check(d, "{{.Id}} {{.State.Pid}}", "abc123 42");
	check(d, "{{.State.Running}}", "true");
	check(d, "{{.Ratio}}", "0.5");
	check(d, "{{json .Config.Cmd}}", "[\"sh\",\"-c\",\"echo hi\"]");
	check(d, "{{.Config.Cmd | json}}", "[\"sh\",\"-c\",\"echo hi\"]");
	check(d, "{{.Config.Cmd}}", "[sh -c echo hi]");
	check(d, "{{.Config.Labels}}", "map[a.b:x c:y]");
	check(d, "{{index .Config.Labels \"a.b\"}}", "x");
	check(d, "{{index .Config.Cmd 2}}", "echo hi");
	check(d, "{{.Config.Env}}", "<nil>");
	check(d, "{{.Nope}}", "<no value>");
	check(d, "{{range .Config.Cmd}}[{{.}}]{{end}}", "[sh][-c][echo hi]");
	check(d, "{{if .Empty}}yes{{else}}no{{end}}", "no");
	check(d, "{{if .State.Running}}up{{end}}", "up");
	check(d, "{{join .Names \",\"}}", "/web");
	check(d, "{{upper .State.Status}}", "RUNNING");
	check(d, "{{.State.Status | upper | lower}}", "running");
	check(d, "{{len .Config.Cmd}}", "3");
	check(d, "a {{- \" b \" -}} c", "a b c");
	check(d, "{{println .Id}}", "abc123\n");
	check(d, "{{.Id", NULL);
	check(d, "{{nosuch .Id}}", NULL);
	check(d, "{{range .Config.Cmd}}x", NULL);
	check(d, "{{end}}", NULL);
	check(d, "{{.Config.Cmd.X}}", NULL);
	f = tmpl_docker_format("table {{.ID}}\\t{{.Names}}", &table);
	ok(table && !strcmp(f, "{{.ID}}\t{{.Names}}"), "docker format: table prefix and \\t");
	free(f);
	f = tmpl_docker_format("{{.ID}}", &table);
	ok(!table && !strcmp(f, "{{.ID}}"), "docker format: plain");
	free(f);
	cJSON_Delete(d);
	return done_testing();
}
