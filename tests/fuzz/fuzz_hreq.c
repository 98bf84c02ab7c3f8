/* fuzz_hreq.c - libFuzzer harness for the daemon's request head parser
 * (core/daemon/hreq.c: what every API client reaches first) and its query
 * parameter readers. Built and run by `make fuzz` with the others. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/hreq.h"

static int each(const char *v, void *arg)
{
	*(size_t *)arg += strlen(v);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[HREQ_HEAD_MAX + 1];
	static const char *const names[] = {"all", "filters", "a", "", "stream", "t"};
	struct hreq rq;
	struct err e;
	char v[64];
	long long n;
	size_t total = 0;

	if (size > HREQ_HEAD_MAX)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (hreq_parse(buf, size, &rq, &e) != 0) {
		if (!e.msg[0])
			abort(); /* a refusal always says why */
		return 0;
	}
	if (rq.nheaders > HREQ_MAX_HEADERS || rq.content_length < -1 ||
	    (rq.chunked && rq.content_length >= 0) || !rq.method || !rq.path || !rq.query ||
	    rq.path[0] != '/')
		abort();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (hreq_query(&rq, names[i], v, sizeof(v)) && strlen(v) >= sizeof(v))
			abort();
		hreq_query_bool(&rq, names[i], false);
		hreq_query_int(&rq, names[i], 0, &n, &e);
		hreq_query_each(&rq, names[i], each, &total);
	}
	hreq_header(&rq, "Content-Type");
	return 0;
}
