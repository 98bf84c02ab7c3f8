/* test_json.c - json.c: typed getters and their path-naming errors, parse
 * positions, printing to a buffer and an fd. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "tap.h"

static const char config[] =
	"{\n"
	"  \"ociVersion\": \"1.0.2\",\n"
	"  \"process\": {\n"
	"    \"terminal\": true,\n"
	"    \"user\": { \"uid\": 1000, \"gid\": \"0\" },\n"
	"    \"args\": [\"sh\", \"-c\", 3],\n"
	"    \"env\": [\"A=1\", \"B=2\"],\n"
	"    \"cwd\": null,\n"
	"    \"oomScoreAdj\": -17\n"
	"  },\n"
	"  \"linux\": { \"namespaces\": [\n"
	"    {\"type\": \"pid\"}, {\"type\": \"net\"}, {\"type\": 7} ] },\n"
	"  \"big\": 9007199254740992, \"neg\": -9007199254740992, \"frac\": 1.5,\n"
	"  \"huge\": 1e300, \"u32max\": 4294967295, \"u32over\": 4294967296,\n"
	"  \"Image\": \"nginx\"\n"
	"}\n";

static cJSON *root;

static void test_getters(void)
{
	const cJSON *proc = NULL, *user = NULL, *arr = NULL;
	const char *s = NULL;
	uint32_t u = 0;
	int64_t i64 = 0;
	int i = 0;
	bool b = false;
	struct err e;
	size_t n = 0;

	is_int(json_get_string(root, "", "ociVersion", JSON_REQUIRED, &s, &e), 1, "get string");
	is_str(s, "1.0.2", "... value");
	is_int(json_get_object(root, "", "process", 0, &proc, &e), 1, "get object");
	ok(json_get_bool(proc, "process", "terminal", 0, &b, &e) == 1 && b, "get bool");
	is_int(json_get_object(proc, "process", "user", 0, &user, &e), 1, "nested object");
	ok(json_get_uint32(user, "process.user", "uid", 0, &u, &e) == 1 && u == 1000, "get uint32");
	is_int(json_get_uint32(user, "process.user", "gid", 0, &u, &e), -1,
	       "string as number fails");
	is_str(e.msg, "process.user.gid: expected a number, got a string", "... naming the path");
	is_int(json_get_string(proc, "process", "cwd", 0, &s, &e), 0, "null is absent");
	is_int(json_get_string(proc, "process", "cwd", JSON_REQUIRED, &s, &e), -1,
	       "null is missing when required");
	is_str(e.msg, "process.cwd: missing", "... message");
	is_int(json_get_string(proc, "process", "nope", 0, &s, &e), 0, "absent is 0");
	is_int(json_get_string(proc, "process", "nope", JSON_REQUIRED, &s, &e), -1,
	       "absent and required fails");
	ok(json_get_int(proc, "process", "oomScoreAdj", 0, &i, &e) == 1 && i == -17, "get int");
	is_int(json_get_strings(proc, "process", "env", 0, &arr, &n, &e), 1, "string array");
	is_int((long long)n, 2, "... size");
	is_int(json_get_strings(proc, "process", "args", 0, &arr, &n, &e), -1,
	       "array with a number fails");
	is_str(e.msg, "process.args[2]: expected a string, got a number", "... naming the index");
	is_int(json_get_array(proc, "process", "terminal", 0, &arr, &e), -1, "bool as array fails");
	is_str(e.msg, "process.terminal: expected an array, got a boolean", "... message");
	is_int(json_get_string(user, "process.user", "uid", 0, &s, &e), -1, "number as string");
	is_int(json_get_string(arr, "process.env", "x", 0, &s, &e), -1, "lookup in a non-object");
	is_str(e.msg, "process.env: expected an object, got an array", "... message");
	is_int(json_get_string(root, "", "image", 0, &s, &e), 0, "keys are exact by default");
	ok(json_get_string(root, "", "image", JSON_NOCASE, &s, &e) == 1 && !strcmp(s, "nginx"),
	   "JSON_NOCASE matches like Go's decoder");
	(void)i64;
}

static void test_numbers(void)
{
	int64_t i64 = 0;
	uint32_t u = 0;
	int i = 0;
	struct err e;

	ok(json_get_int64(root, "", "big", 0, &i64, &e) == 1 && i64 == 9007199254740992LL,
	   "2^53 as int64");
	ok(json_get_int64(root, "", "neg", 0, &i64, &e) == 1 && i64 == -9007199254740992LL,
	   "-2^53 as int64");
	is_int(json_get_int64(root, "", "frac", 0, &i64, &e), -1, "1.5 is not an integer");
	is_str(e.msg, "frac: expected an integer, got 1.5", "... message");
	is_int(json_get_int64(root, "", "huge", 0, &i64, &e), -1, "1e300 is out of int64 range");
	ok(json_get_uint32(root, "", "u32max", 0, &u, &e) == 1 && u == 4294967295u, "uint32 max");
	is_int(json_get_uint32(root, "", "u32over", 0, &u, &e), -1, "2^32 overflows uint32");
	is_str(e.msg, "u32over: 4294967296 is out of range (0 to 4294967295)", "... message");
	is_int(json_get_int(root, "", "u32max", 0, &i, &e), -1, "4294967295 overflows int");
	is_int(json_get_uint32(root, "", "oops", JSON_REQUIRED, &u, &e), -1, "required number");
}

static void test_paths(void)
{
	char a[JSON_PATH_MAX], b[JSON_PATH_MAX], c[JSON_PATH_MAX], small[10];
	const cJSON *lin = NULL, *nss = NULL, *ns;
	const char *type = NULL;
	struct err e;
	size_t idx = 0;
	int bad = 0;

	is_str(json_path_key(a, sizeof(a), "", "linux"), "linux", "top-level key");
	is_str(json_path_key(b, sizeof(b), a, "namespaces"), "linux.namespaces", "nested key");
	is_str(json_path_index(c, sizeof(c), b, 2), "linux.namespaces[2]", "index");
	is_str(json_path_key(a, sizeof(a), c, "type"), "linux.namespaces[2].type", "key of index");
	is_str(json_path_key(small, sizeof(small), "abcdef", "ghijk"), "abcdef...",
	       "a cut path ends in ...");
	json_get_object(root, "", "linux", 0, &lin, &e);
	json_get_array(lin, "linux", "namespaces", 0, &nss, &e);
	cJSON_ArrayForEach(ns, nss)
	{
		json_path_index(c, sizeof(c), "linux.namespaces", idx++);
		if (json_get_string(ns, c, "type", JSON_REQUIRED, &type, &e) < 0)
			bad++;
	}
	is_int(bad, 1, "one namespace has a bad type");
	is_str(e.msg, "linux.namespaces[2].type: expected a string, got a number",
	       "nested parser reports the full path");
}

static void test_parse(void)
{
	static const char bad1[] = "{\n  \"a\": 1,\n  \"b\": tru\n}";
	static const char trail[] = "{\"a\":1}  \n x";
	static const char nonul[] = "[1,2]garbage";
	cJSON *v = NULL;
	struct err e;

	is_int(json_parse(bad1, sizeof(bad1) - 1, &v, &e), -1, "bad literal fails");
	is_str(e.msg, "invalid JSON at line 3, column 8", "... with line and column");
	is_int(json_parse(trail, sizeof(trail) - 1, &v, &e), -1, "data after the value fails");
	is_str(e.msg, "invalid JSON at line 2, column 2: data after the value", "... where");
	is_int(json_parse(nonul, 5, &v, &e), 0, "a counted buffer needs no NUL");
	is_int(cJSON_GetArraySize(v), 2, "... parsed");
	cJSON_Delete(v);
	v = NULL;
	is_int(json_parse("  {}\n\t ", 7, &v, &e), 0, "whitespace around is fine");
	cJSON_Delete(v);
	v = NULL;
	is_int(json_parse("{}\0", 3, &v, &e), -1, "a NUL inside the counted buffer fails");
	is_int(json_parse("", 0, &v, &e), -1, "empty fails");
	is_str(e.msg, "invalid JSON: empty document", "... message");
	is_int(json_parse("{\"a\":\"\\ud800\"", 12, &v, &e), -1, "cut document fails");
	is_int(json_as_object(root, "", &e), 0, "root is an object");
	is_int(json_as_array(root, "", &e), -1, "root is not an array");
	is_str(e.msg, "JSON value: expected an array, got an object", "top-level message");
}

static void test_print(void)
{
	cJSON *v = cJSON_CreateObject();
	char *s = NULL, buf[128];
	size_t len = 0;
	struct err e;
	int fds[2];
	ssize_t n;

	cJSON_AddStringToObject(v, "msg", "a\"b\n");
	cJSON_AddNumberToObject(v, "n", 3);
	is_int(json_print(v, false, &s, &len, &e), 0, "print");
	is_str(s, "{\"msg\":\"a\\\"b\\n\",\"n\":3}", "... compact and escaped");
	is_int((long long)len, (long long)strlen(s), "... length");
	cJSON_free(s);
	if (pipe(fds) < 0)
		return;
	is_int(json_write_fd(fds[1], v, false, &e), 0, "write to fd");
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	is_str(buf, "{\"msg\":\"a\\\"b\\n\",\"n\":3}\n", "... with a newline");
	close(fds[0]);
	is_int(json_write_fd(fds[1], v, true, &e), -1, "write to a closed pipe fails");
	is_int(e.errnum, EPIPE, "... with EPIPE");
	close(fds[1]);
	cJSON_Delete(v);
}

/* Exact uint64 output where cJSON's doubles would round or go exponential. */
static void test_u64(void)
{
	struct err e;
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;
	size_t len;

	ok(json_add_u64(o, "max", UINT64_MAX) != NULL, "add 2^64-1");
	ok(json_add_u64(o, "big", 9223372036854771712ULL) != NULL, "add a memory 'unlimited'");
	json_add_u64(o, "zero", 0);
	is_int(json_print(o, false, &text, &len, &e), 0, "print");
	is_str(text, "{\"max\":18446744073709551615,\"big\":9223372036854771712,\"zero\":0}",
	       "digits are exact");
	cJSON_free(text);
	cJSON_Delete(o);
}

int main(void)
{
	struct err e;

	signal(SIGPIPE, SIG_IGN); /* test_print writes to a closed pipe */
	if (json_parse(config, sizeof(config) - 1, &root, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 1;
	}
	test_getters();
	test_numbers();
	test_paths();
	test_parse();
	test_print();
	test_u64();
	cJSON_Delete(root);
	return done_testing();
}
