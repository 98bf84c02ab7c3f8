/* test_push.c - the URL that finishes a blob upload: a registry's Location
 * may be absolute or relative and may carry its own query already. */
#include <string.h>

#include "registry/push.h"
#include "tap.h"

#define D "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void url_is(const char *base, const char *loc, const char *want, const char *name)
{
	char out[2600];
	struct err e = {0};
	int r = reg_push_finish_url(base, loc, D, out, sizeof(out), &e);

	if (r < 0)
		diag("%s", e.msg);
	is_str(r == 0 ? out : e.msg, want, "%s", name);
}

int main(void)
{
	char small[40];
	struct err e = {0};

	url_is("http://127.0.0.1:5000", "/v2/a/b/blobs/uploads/u1",
	       "http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1?digest=" D, "relative path");
	url_is("http://127.0.0.1:5000", "/v2/a/blobs/uploads/u1?_state=xy%3D",
	       "http://127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=xy%3D&digest=" D,
	       "a query already: &digest=");
	url_is("https://reg.example:5000", "https://blobs.example/up/u1?sig=1",
	       "https://blobs.example/up/u1?sig=1&digest=" D, "absolute, another host");
	url_is("https://reg.example", "https://reg.example:443/v2/x/blobs/uploads/u",
	       "https://reg.example/v2/x/blobs/uploads/u?digest=" D, "default port dropped");
	url_is("http://127.0.0.1:5000/v2/a/blobs/uploads/", "u2?x=1",
	       "http://127.0.0.1:5000/v2/a/blobs/uploads/u2?x=1&digest=" D,
	       "relative to the folder of the base");
	ok(reg_push_finish_url("http://127.0.0.1:5000", "/v2/a", D, small, sizeof(small), &e) < 0 &&
		   strstr(e.msg, "too long"),
	   "a URL that does not fit is an error: %s", e.msg);
	ok(reg_push_finish_url("http://127.0.0.1:5000", "ftp://x/y", D, small, sizeof(small), &e) <
		   0,
	   "not an http URL: %s", e.msg);
	return done_testing();
}
