/* test_jsonmsg.c - Docker's JSON progress messages against the bytes
 * dockerd sent in the recorded pulls (shared/reference pull*.txt). */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonmsg.h"
#include "tap.h"

static void is_json(cJSON *o, const char *want, const char *name)
{
	char *s = NULL;
	size_t len = 0;

	if (!o || json_print(o, false, &s, &len, NULL) < 0) {
		ok(0, "%s: built", name);
		cJSON_Delete(o);
		return;
	}
	s[len] = '\0';
	is_str(s, want, "%s", name);
	free(s);
	cJSON_Delete(o);
}

static void test_sizes(void)
{
	char b[32];

	is_str(jsonmsg_size(36412, b, sizeof(b)), "36.41kB", "36412 bytes");
	is_str(jsonmsg_size(1088157, b, sizeof(b)), "1.088MB", "1088157 bytes");
	is_str(jsonmsg_size(552960, b, sizeof(b)), "553kB", "552960 bytes");
	is_str(jsonmsg_size(557056, b, sizeof(b)), "557.1kB", "557056 bytes");
	is_str(jsonmsg_size(999, b, sizeof(b)), "999B", "999 bytes");
}

static void test_bars(void)
{
	char b[128];

	is_str(jsonmsg_bar(36412, 1088157, b, sizeof(b)),
	       "[=>                                                 ]  36.41kB/1.088MB", "1/50");
	is_str(jsonmsg_bar(552960, 52435934, b, sizeof(b)),
	       "[>                                                  ]    553kB/52.44MB", "empty");
	is_str(jsonmsg_bar(14302208, 52435934, b, sizeof(b)),
	       "[=============>                                     ]   14.3MB/52.44MB", "13/50");
	is_str(jsonmsg_bar(1088157, 1088157, b, sizeof(b)),
	       "[==================================================>]  1.088MB/1.088MB", "full");
	is_str(jsonmsg_bar(2000, 1000, b, sizeof(b)),
	       "[==================================================>]      2kB/1kB",
	       "past the end");
	is_str(jsonmsg_bar(0, 0, b, sizeof(b)), "", "nothing to show");
	is_str(jsonmsg_bar(1500, 0, b, sizeof(b)), "   1.5kB", "no total");
}

static void test_messages(void)
{
	is_json(jsonmsg_status("Pulling from small", "1", false),
		"{\"status\":\"Pulling from small\",\"id\":\"1\"}", "header");
	is_json(jsonmsg_status("Pulling fs layer", "e4c475574afe", true),
		"{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"e4c475574afe\"}",
		"layer status");
	is_json(jsonmsg_progress("Downloading", "e4c475574afe", 36412, 1088157),
		"{\"status\":\"Downloading\",\"progressDetail\":{\"current\":36412,\"total\":"
		"1088157},"
		"\"progress\":\"[=>                                                 ]  "
		"36.41kB/1.088MB\",\"id\":\"e4c475574afe\"}",
		"progress");
	is_json(jsonmsg_status("Digest: sha256:d675", NULL, false),
		"{\"status\":\"Digest: sha256:d675\"}", "no id");
	is_json(jsonmsg_error("boom"),
		"{\"errorDetail\":{\"message\":\"boom\"},\"error\":\"boom\"}", "error");
	is_json(jsonmsg_stream("Loaded image: busybox:latest\n"),
		"{\"stream\":\"Loaded image: busybox:latest\\n\"}", "stream");
}

static void test_rate(void)
{
	struct jsonmsg_rate r = {0};

	ok(jsonmsg_rate_ok(&r, 5000, 100), "the first goes");
	ok(!jsonmsg_rate_ok(&r, 5050, 100), "50 ms later: held back");
	ok(jsonmsg_rate_ok(&r, 5100, 100), "100 ms later: goes");
	ok(!jsonmsg_rate_ok(&r, 5199, 100), "then held back again");
}

int main(void)
{
	test_sizes();
	test_bars();
	test_messages();
	test_rate();
	return done_testing();
}
