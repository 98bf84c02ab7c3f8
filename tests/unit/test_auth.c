/* test_auth.c - auth.c and creds.c: challenges as registries send them,
 * Docker config.json lookups and edits, token answers, X-Registry-Auth. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "file.h"
#include "registry/auth.h"
#include "tap.h"

static void challenges(void)
{
	struct reg_challenge c;
	struct err e;

	ok(reg_challenge_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry."
			       "docker.io\",scope=\"repository:library/busybox:pull\"",
			       &c, &e) == 0 &&
		   c.scheme == REG_AUTH_BEARER,
	   "Docker Hub's challenge");
	is_str(c.realm, "https://auth.docker.io/token", "realm");
	is_str(c.service, "registry.docker.io", "service");
	is_str(c.scope, "repository:library/busybox:pull", "scope");
	ok(reg_challenge_parse("bearer realm=\"http://127.0.0.1:5001/token\", "
			       "service=\"tug test\",error=\"insufficient_scope\"",
			       &c, &e) == 0 &&
		   !strcmp(c.service, "tug test") && !strcmp(c.error, "insufficient_scope"),
	   "lower-case scheme, spaces after commas, error");
	ok(reg_challenge_parse("Basic realm=\"Registry Realm\"", &c, &e) == 0 &&
		   c.scheme == REG_AUTH_BASIC && !strcmp(c.realm, "Registry Realm"),
	   "Basic");
	ok(reg_challenge_parse("Bearer realm=\"a\\\"b\",foo=bar,service=svc", &c, &e) == 0 &&
		   !strcmp(c.realm, "a\"b") && !strcmp(c.service, "svc"),
	   "escapes in quoted strings; unknown and token-form parameters");
	ok(reg_challenge_parse("Negotiate abc", &c, &e) < 0 && strstr(e.msg, "Negotiate"),
	   "an unsupported scheme is named");
	ok(reg_challenge_parse("Bearer service=\"x\"", &c, &e) < 0 && strstr(e.msg, "realm"),
	   "Bearer without realm");
	ok(reg_challenge_parse("Bearer realm=\"unterminated", &c, &e) < 0, "unterminated quote");
	ok(reg_challenge_parse("Bearer realm", &c, &e) < 0, "parameter without value");
}

static void creds(const char *dir)
{
	char path[512], text[2048];
	struct reg_creds c, in = {"tug", "s3cr:et", ""};
	struct err e;
	const char *other;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	other = "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"aHViOmh1YnB3\"},"
		"\"http://127.0.0.1:5000/v1/\": {\"username\": \"u\", \"password\": \"p\"}},"
		"\"psFormat\": \"table {{.ID}}\"}";
	file_write_atomic(AT_FDCWD, path, other, strlen(other), 0600, &e);
	ok(reg_creds_lookup(path, "docker.io", &c, &e) == 0 && !strcmp(c.user, "hub") &&
		   !strcmp(c.pass, "hubpw"),
	   "docker.io uses the index key");
	ok(reg_creds_lookup(path, "127.0.0.1:5000", &c, &e) == 0 && !strcmp(c.user, "u") &&
		   !strcmp(c.pass, "p"),
	   "a key with scheme and path matches its host; username/password fields");
	ok(reg_creds_lookup(path, "127.0.0.1:5001", &c, &e) == 1, "another port is not a match");
	ok(reg_creds_store(path, "localhost:5443", &in, &e) == 0, "store: %s", e.msg);
	ok(reg_creds_lookup(path, "localhost:5443", &c, &e) == 0 && !strcmp(c.pass, "s3cr:et"),
	   "a colon in the password survives");
	ok(reg_creds_lookup(path, "docker.io", &c, &e) == 0, "other entries are kept");
	{
		char *buf;
		size_t len;
		struct stat st;

		file_read_all(path, 1 << 16, &buf, &len, &e);
		snprintf(text, sizeof(text), "%s", buf);
		free(buf);
		ok(strstr(text, "psFormat") != NULL, "other keys of the file are kept");
		ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is 0600");
	}
	ok(reg_creds_erase(path, "localhost:5443", &e) == 0 &&
		   reg_creds_lookup(path, "localhost:5443", &c, &e) == 1,
	   "logout removes the entry");
	ok(reg_creds_erase(path, "localhost:5443", &e) == 1, "logout twice: nothing to do");
	snprintf(path, sizeof(path), "%s/missing/config.json", dir);
	ok(reg_creds_lookup(path, "docker.io", &c, &e) == 1, "no file: no credentials");
	ok(reg_creds_store(path, "docker.io", &in, &e) == 0, "login creates the file and folder");
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	file_write_atomic(AT_FDCWD, path, "{\"auths\": [", 11, 0600, &e);
	ok(reg_creds_lookup(path, "docker.io", &c, &e) < 0 && strstr(e.msg, "bad.json"),
	   "a broken file is an error naming it");
	file_write_atomic(AT_FDCWD, path, "{\"auths\":{\"x.io\":{\"auth\":\"!!\"}}}", 32, 0600, &e);
	ok(reg_creds_lookup(path, "x.io", &c, &e) < 0 && strstr(e.msg, "auth"),
	   "an auth that is not base64 of user:password");
}

static void tokens_and_header(void)
{
	struct reg_token t;
	struct reg_creds c;
	struct err e;
	char enc[256];
	const char *hdr = "{\"username\":\"tug\",\"password\":\"pw\",\"serveraddress\":\"x\"}";

	const char *answer = "{\"token\":\"abc\",\"expires_in\":300}";

	ok(reg_token_parse(answer, strlen(answer), 1000, &t, &e) == 0 && !strcmp(t.token, "abc") &&
		   t.expires == 1290,
	   "token with expiry (renewed 10 s early)");
	free(t.token);
	ok(reg_token_parse("{\"access_token\":\"xyz\"}", 22, 0, &t, &e) == 0 &&
		   !strcmp(t.token, "xyz") && t.expires == 50,
	   "access_token; 60 s when no expiry");
	free(t.token);
	ok(reg_token_parse("{}", 2, 0, &t, &e) < 0 && strstr(e.msg, "no token"), "no token");
	ok(reg_token_parse("<html>", 6, 0, &t, &e) < 0, "not JSON");
	base64_encode(hdr, strlen(hdr), enc, true);
	ok(reg_creds_from_header(enc, &c, &e) == 0 && !strcmp(c.user, "tug") &&
		   !strcmp(c.pass, "pw"),
	   "X-Registry-Auth");
	ok(reg_creds_from_header("e30", &c, &e) == 0 && !c.user[0], "X-Registry-Auth: {}");
	ok(reg_creds_from_header("???", &c, &e) < 0, "X-Registry-Auth: garbage");
}

int main(void)
{
	char dir[] = "/tmp/test_auth.XXXXXX";

	if (!mkdtemp(dir))
		return 1;
	challenges();
	creds(dir);
	tokens_and_header();
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	return done_testing();
}
