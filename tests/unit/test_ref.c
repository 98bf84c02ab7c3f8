/* test_ref.c - registry/ref.c: Docker's normalization of image references,
 * known answers from distribution/reference's documented behaviour. */
#include <string.h>

#include "registry/ref.h"
#include "tap.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D64 "sha256:" H64
#define A10 "aaaaaaaaaa"
#define A50 A10 A10 A10 A10 A10
#define T128 A50 A50 "aaaaaaaaaaaaaaaaaaaaaaaaaaaa"

struct ok_case {
	const char *in, *full, *familiar;
};

static const struct ok_case good[] = {
	{"busybox", "docker.io/library/busybox:latest", "busybox:latest"},
	{"busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"},
	{"library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
	{"docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
	{"docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "busybox:latest"},
	{"index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
	{"index.docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
	{"index.docker.io/user/app:v1", "docker.io/user/app:v1", "user/app:v1"},
	{"user/app", "docker.io/user/app:latest", "user/app:latest"},
	{"user/app/sub", "docker.io/user/app/sub:latest", "user/app/sub:latest"},
	{"docker.io/library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest"},
	{"localhost/app", "localhost/app:latest", "localhost/app:latest"},
	{"localhost:5000/app:1.0", "localhost:5000/app:1.0", "localhost:5000/app:1.0"},
	/* no '/': a familiar name whose tag is 5000 */
	{"localhost:5000", "docker.io/library/localhost:5000", "localhost:5000"},
	{"example.com/a/b/c:tag", "example.com/a/b/c:tag", "example.com/a/b/c:tag"},
	{"127.0.0.1:5000/test", "127.0.0.1:5000/test:latest", "127.0.0.1:5000/test:latest"},
	{"[::1]:5000/test", "[::1]:5000/test:latest", "[::1]:5000/test:latest"},
	{"[2001:db8::1]/x", "[2001:db8::1]/x:latest", "[2001:db8::1]/x:latest"},
	/* an uppercase first component is a domain (splitDockerDomain) */
	{"Foo/bar", "Foo/bar:latest", "Foo/bar:latest"},
	{"busybox@" D64, "docker.io/library/busybox@" D64, "busybox@" D64},
	{"busybox:1.36@" D64, "docker.io/library/busybox:1.36@" D64, "busybox:1.36@" D64},
	{"quay.io/x/y@" D64, "quay.io/x/y@" D64, "quay.io/x/y@" D64},
	{"a__b/c-d--e/f.g_h:T_a.g-1", "docker.io/a__b/c-d--e/f.g_h:T_a.g-1",
	 "a__b/c-d--e/f.g_h:T_a.g-1"},
	{"registry.example.com:443/ns/img:TAG", "registry.example.com:443/ns/img:TAG",
	 "registry.example.com:443/ns/img:TAG"},
	{"xn--bcher-kva.example/img", "xn--bcher-kva.example/img:latest",
	 "xn--bcher-kva.example/img:latest"},
	{"a", "docker.io/library/a:latest", "a:latest"},
	{"abcdef0123", "docker.io/library/abcdef0123:latest", "abcdef0123:latest"},
	{"busybox:_x", "docker.io/library/busybox:_x", "busybox:_x"},
	{"busybox:" T128, "docker.io/library/busybox:" T128, "busybox:" T128},
	{"my-registry.local:5000/team/app-name:2024.01.01-rc1",
	 "my-registry.local:5000/team/app-name:2024.01.01-rc1",
	 "my-registry.local:5000/team/app-name:2024.01.01-rc1"},
	{"DOCKER.IO/x", "DOCKER.IO/x:latest", "DOCKER.IO/x:latest"},
	{"ubuntu:22.04", "docker.io/library/ubuntu:22.04", "ubuntu:22.04"},
	/* shown with its domain: "xocker.io/x" would read back as another host */
	{"docker.io/xocker.io/x", "docker.io/xocker.io/x:latest", "docker.io/xocker.io/x:latest"},
	{"docker.io/localhost/x", "docker.io/localhost/x:latest", "docker.io/localhost/x:latest"},
	{"docker.io/library/localhost", "docker.io/library/localhost:latest", "localhost:latest"},
};

struct bad_case {
	const char *in, *err; /* err: the message's start */
};

static const struct bad_case bad[] = {
	{"", "invalid reference format"},
	{"Busybox",
	 "invalid reference format: repository name (library/Busybox) must be lowercase"},
	{"user/App", "invalid reference format: repository name (user/App) must be lowercase"},
	{"localhost:5000/App", "invalid reference format: repository name (App) must be lowercase"},
	{"example.com/Foo:tag",
	 "invalid reference format: repository name (Foo) must be lowercase"},
	{H64, "invalid repository name (" H64 "), cannot specify 64-byte hexadecimal strings"},
	{"busybox:", "invalid reference format"},
	{"busybox:-tag", "invalid reference format"},
	{"busybox:.tag", "invalid reference format"},
	{"busybox:" T128 "a", "invalid reference format"},
	{"busybox:1:2", "invalid reference format"},
	{"busybox@sha256:abc", "invalid reference format: invalid digest"},
	{"busybox@sha256:" H64 "00", "invalid reference format: invalid digest"},
	{"busybox@sha512:" H64 H64, "invalid reference format: unsupported digest algorithm"},
	{"busybox@", "invalid reference format"},
	{"busybox@" H64, "invalid reference format"},
	{"busybox@" D64 "@" D64, "invalid reference format"},
	{"-busybox", "invalid reference format"},
	{"busybox-", "invalid reference format"},
	{"bu..sybox", "invalid reference format"},
	{"bu._sybox", "invalid reference format"},
	{"a___b", "invalid reference format"},
	{"a//b", "invalid reference format"},
	{"/busybox", "invalid reference format"},
	{"busybox/", "invalid reference format"},
	{"busy box", "invalid reference format"},
	{"localhost:port/app", "invalid reference format"},
	{"-example.com/app", "invalid reference format"},
	{"example-.com/app", "invalid reference format"},
	{"example..com/app", "invalid reference format"},
	{"example.com:/app", "invalid reference format"},
	{"[::1/app", "invalid reference format"},
	{"[]:5000/app", "invalid reference format"},
	{"[::1]x/app", "invalid reference format"},
	{"ex_ample.com/app", "invalid reference format"},
	{"docker.io/", "invalid reference format"},
	{"user/" A50 A50 A50 A50 A50 A10, "repository name must not be more than 255 characters"},
};

static void check_good(const struct ok_case *c)
{
	char buf[REG_REF_STR_MAX];
	struct reg_ref r;
	struct err e = {0};

	if (!ok(reg_ref_parse(&r, c->in, &e) == 0, "parse \"%.60s\"", c->in)) {
		diag("%s", e.msg);
		return;
	}
	is_str(reg_ref_string(&r, buf, sizeof(buf)), c->full, "  normalized");
	is_str(reg_ref_familiar(&r, buf, sizeof(buf)), c->familiar, "  familiar");
}

static void check_bad(const struct bad_case *c)
{
	struct reg_ref r;
	struct err e = {0};
	int ret = reg_ref_parse(&r, c->in, &e);

	ok(ret == -1 && strncmp(e.msg, c->err, strlen(c->err)) == 0, "refuse \"%.60s\"", c->in);
	if (ret != -1 || strncmp(e.msg, c->err, strlen(c->err)) != 0)
		diag("got \"%s\", want \"%s...\"", ret == -1 ? e.msg : "(accepted)", c->err);
}

static void check_parts(void)
{
	char buf[REG_REF_STR_MAX];
	struct reg_ref r;
	struct err e = {0};

	reg_ref_parse(&r, "busybox", &e);
	is_str(r.domain, "docker.io", "busybox: domain");
	is_str(r.path, "library/busybox", "busybox: path");
	is_str(r.tag, "latest", "busybox: tag defaults to latest");
	ok(r.tag_implied, "busybox: the tag was implied");
	is_str(reg_ref_name(&r, buf, sizeof(buf)), "docker.io/library/busybox", "name");
	is_str(reg_ref_familiar_name(&r, buf, sizeof(buf)), "busybox", "familiar name");
	is_str(reg_ref_registry_host(&r), "registry-1.docker.io", "Docker Hub's host");

	reg_ref_parse(&r, "busybox:latest", &e);
	ok(!r.tag_implied, "an explicit latest is not implied");

	reg_ref_parse(&r, "busybox@" D64, &e);
	is_str(r.tag, "", "digest only: no tag");
	is_str(r.digest, D64, "digest only: the digest");
	ok(!r.tag_implied, "digest only: not implied");

	reg_ref_parse(&r, "[::1]:5000/a/b:1", &e);
	is_str(r.domain, "[::1]:5000", "IPv6 domain keeps its brackets");
	is_str(reg_ref_registry_host(&r), "[::1]:5000", "IPv6 host");
	is_str(reg_ref_familiar_name(&r, buf, sizeof(buf)), "[::1]:5000/a/b", "IPv6 familiar");

	reg_ref_parse(&r, "example.com/a/b@" D64, &e);
	is_str(reg_ref_name(&r, buf, 11), "example.co", "a short buffer is cut, terminated");
}

static void check_ids(void)
{
	ok(reg_ref_is_id_prefix("sha256:ab12"), "sha256:ab12 is an id prefix");
	ok(reg_ref_is_id_prefix("ab12"), "ab12 is an id prefix");
	ok(reg_ref_is_id_prefix(H64), "64 hex is an id");
	ok(reg_ref_is_id_prefix(D64), "a full digest is an id");
	ok(!reg_ref_is_id_prefix(H64 "0"), "65 hex is not");
	ok(!reg_ref_is_id_prefix("sha256:"), "sha256: alone is not");
	ok(!reg_ref_is_id_prefix(""), "empty is not");
	ok(!reg_ref_is_id_prefix("AB12"), "uppercase is not");
	ok(!reg_ref_is_id_prefix("busybox"), "busybox is not");
	ok(!reg_ref_is_id_prefix(NULL), "NULL is not");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		check_good(&good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_bad(&bad[i]);
	check_parts();
	check_ids();
	return done_testing();
}
