/* test_platform.c - registry/platform.c: normalization, "--platform" parsing,
 * machine names, and which index entry is chosen (containerd's order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/manifest.h"
#include "registry/platform.h"
#include "tap.h"

#if defined(__x86_64__)
#define BUILT_FOR "amd64"
#elif defined(__aarch64__)
#define BUILT_FOR "arm64"
#elif defined(__arm__)
#define BUILT_FOR "arm"
#else
#define BUILT_FOR ""
#endif

static const struct {
	const char *os, *arch, *variant, *want;
} norm[] = {
	{"linux", "x86_64", "", "linux/amd64"},
	{"linux", "x86-64", "", "linux/amd64"},
	{"linux", "amd64", "v1", "linux/amd64"},
	{"linux", "amd64", "v3", "linux/amd64/v3"},
	{"linux", "aarch64", "", "linux/arm64/v8"},
	{"linux", "arm64", "8", "linux/arm64/v8"},
	{"linux", "arm64", "v8.2", "linux/arm64/v8.2"},
	{"linux", "armhf", "", "linux/arm/v7"},
	{"linux", "armel", "", "linux/arm/v6"},
	{"linux", "arm", "", "linux/arm/v7"},
	{"linux", "arm", "6", "linux/arm/v6"},
	{"linux", "arm", "7", "linux/arm/v7"},
	{"linux", "i686", "", "linux/386"},
	{"linux", "i386", "", "linux/386"},
	{"Linux", "AMD64", "", "linux/amd64"},
	{"macos", "arm64", "", "darwin/arm64/v8"},
	{"linux", "riscv64", "", "linux/riscv64"},
	{"linux", "s390x", NULL, "linux/s390x"},
};

static const struct {
	const char *in, *want; /* want NULL: refused */
} parses[] = {
	{"linux/arm/v7", "linux/arm/v7"},
	{"linux/arm64", "linux/arm64/v8"},
	{"linux/arm64/v8", "linux/arm64/v8"},
	{"arm64", "linux/arm64/v8"},
	{"linux/amd64", "linux/amd64"},
	{"linux/arm", "linux/arm/v7"},
	{"linux/armhf", "linux/arm/v7"},
	{"windows/amd64", "windows/amd64"},
	{"LINUX/X86_64", "linux/amd64"},
	{"", NULL},
	{"linux/arm/v7/x", NULL},
	{"linux//arm", NULL},
	{"linux/", NULL},
	{"/amd64", NULL},
	{"linux/a b", NULL},
	{"linux/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL},
};

static const struct {
	const char *machine, *want;
} machines[] = {
	{"x86_64", "linux/amd64"},  {"aarch64", "linux/arm64/v8"}, {"arm64", "linux/arm64/v8"},
	{"armv7l", "linux/arm/v7"}, {"armv6l", "linux/arm/v6"},    {"armv5tel", "linux/arm/v5"},
	{"armv8l", "linux/arm/v8"}, {"i686", "linux/386"},         {"riscv64", "linux/riscv64"},
	{"s390x", "linux/s390x"},   {"ppc64le", "linux/ppc64le"},  {"mips64", "linux/mips64"},
};

static void test_tables(void)
{
	char buf[REG_PLATFORM_STR_MAX];
	struct reg_platform p;
	struct err e = {0};

	for (size_t i = 0; i < sizeof(norm) / sizeof(norm[0]); i++) {
		int r = reg_platform_set(&p, norm[i].os, norm[i].arch, norm[i].variant, "x", &e);

		is_str(r == 0 ? reg_platform_format(&p, buf, sizeof(buf)) : e.msg, norm[i].want,
		       "normalize %s/%s/%s", norm[i].os, norm[i].arch,
		       norm[i].variant ? norm[i].variant : "(null)");
	}
	for (size_t i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		int r = reg_platform_parse(&p, parses[i].in, &e);

		if (parses[i].want)
			is_str(r == 0 ? reg_platform_format(&p, buf, sizeof(buf)) : e.msg,
			       parses[i].want, "parse \"%s\"", parses[i].in);
		else
			ok(r == -1, "refuse \"%s\" (%s)", parses[i].in, r == -1 ? e.msg : "");
	}
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		reg_platform_from_machine(&p, machines[i].machine);
		is_str(reg_platform_format(&p, buf, sizeof(buf)), machines[i].want, "machine %s",
		       machines[i].machine);
	}
	ok(reg_platform_parse(&p, "linux/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &e) == -1 &&
		   strstr(e.msg, "platform.architecture: ") == e.msg,
	   "a long part names its field");
	ok(reg_platform_parse(&p, "linux", &e) == 0 && strcmp(p.os, "linux") == 0,
	   "\"linux\" alone: the host's architecture");
	reg_platform_host(&p);
	is_str(p.os, "linux", "host os");
	if (BUILT_FOR[0])
		is_str(p.arch, BUILT_FOR, "host architecture");
	else
		skip("no expected architecture for this build");
}

static int rank(const char *want, const char *have)
{
	struct reg_platform w, h;

	if (reg_platform_parse(&w, want, NULL) < 0 || reg_platform_parse(&h, have, NULL) < 0)
		return -99;
	return reg_platform_rank(&w, &h);
}

static void test_rank(void)
{
	is_int(rank("linux/amd64", "linux/amd64"), 0, "amd64 on amd64");
	is_int(rank("linux/amd64", "linux/386"), 1, "amd64 runs 386 next");
	is_int(rank("linux/386", "linux/amd64"), -1, "386 does not run amd64");
	is_int(rank("linux/amd64/v3", "linux/amd64/v2"), 1, "amd64/v3 runs v2");
	is_int(rank("linux/amd64/v3", "linux/amd64"), 2, "amd64/v3 runs v1");
	is_int(rank("linux/amd64", "linux/amd64/v2"), -1, "amd64 does not run v2");
	is_int(rank("linux/arm/v7", "linux/arm/v7"), 0, "arm/v7 exact");
	is_int(rank("linux/arm/v7", "linux/arm/v6"), 1, "arm/v7 runs v6");
	is_int(rank("linux/arm/v7", "linux/arm/v5"), 2, "arm/v7 runs v5");
	is_int(rank("linux/arm/v6", "linux/arm/v7"), -1, "arm/v6 does not run v7");
	is_int(rank("linux/arm64", "linux/arm64/v8"), 0, "arm64 is arm64/v8");
	is_int(rank("linux/arm64/v8", "linux/arm64"), 0, "arm64/v8 runs arm64");
	is_int(rank("linux/arm64/v8", "linux/arm/v7"), 2, "arm64 runs arm/v7 (after arm/v8)");
	is_int(rank("linux/arm64/v8", "linux/arm64/v8.1"), -1, "v8 does not run v8.1");
	is_int(rank("linux/arm64/v8.2", "linux/arm64/v8.1"), 1, "v8.2 runs v8.1");
	is_int(rank("linux/arm64/v8.2", "linux/arm64"), 2, "v8.2 runs v8");
	is_int(rank("linux/arm64/v9", "linux/arm64/v8.5"), 1, "v9 runs v8.5");
	is_int(rank("linux/arm64/v9", "linux/arm64/v8"), 6, "v9 runs v8");
	is_int(rank("linux/amd64", "windows/amd64"), -1, "the os must agree");
	is_int(rank("linux/arm/v7", "linux/arm64"), -1, "arm does not run arm64");
	ok(!reg_platform_match(&(struct reg_platform){"linux", "amd64", ""},
			       &(struct reg_platform){"unknown", "unknown", ""}),
	   "unknown/unknown never matches");
}

static struct reg_manifest *ix;

/* An index of entries "os/arch[/variant]" or "-" (no platform) or "@att"
 * (an attestation) or "!os/arch" (a nested index), digests 01, 02, ... */
static void make_index(const char *const *plats, size_t n)
{
	struct err e = {0};
	char *buf = malloc(64 * 1024), *p = buf;

	p += sprintf(p, "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[",
		     REG_MT_OCI_INDEX);
	for (size_t i = 0; i < n; i++) {
		const char *s = plats[i];
		char os[32] = "", arch[32] = "", var[16] = "";
		bool nested = s[0] == '!', att = s[0] == '@';

		s += nested || att;
		sscanf(att ? "unknown/unknown" : s, "%31[^/]/%31[^/]/%15s", os, arch, var);
		p += sprintf(p, "%s{\"mediaType\":\"%s\",\"size\":100,\"digest\":\"sha256:%064zx\"",
			     i ? "," : "", nested ? REG_MT_OCI_INDEX : REG_MT_OCI_MANIFEST, i + 1);
		if (att)
			p += sprintf(p, ",\"annotations\":{\"vnd.docker.reference.type\":"
					"\"attestation-manifest\"}");
		if (strcmp(s, "-") != 0)
			p += sprintf(
				p, ",\"platform\":{\"os\":\"%s\",\"architecture\":\"%s\"%s%s%s}",
				os, arch, var[0] ? ",\"variant\":\"" : "", var, var[0] ? "\"" : "");
		p += sprintf(p, "}");
	}
	strcpy(p, "]}");
	if (reg_manifest_parse(ix, buf, strlen(buf), NULL, &e) < 0)
		diag("index: %s", e.msg);
	free(buf);
}

#define INDEX(...)                                                                                 \
	do {                                                                                       \
		static const char *const l[] = {__VA_ARGS__};                                      \
		make_index(l, sizeof(l) / sizeof(l[0]));                                           \
	} while (0)

/* The number (1-based) of the entry chosen for want, 0 when refused (its
 * message in msg). */
static size_t choose(const char *want, char *msg)
{
	const struct reg_index_entry *x = NULL;
	struct reg_platform w;
	struct err e = {0};

	reg_platform_parse(&w, want, NULL);
	if (reg_index_select(ix, &w, &x, &e) < 0) {
		strcpy(msg, e.msg);
		return 0;
	}
	return (size_t)(x - ix->manifests) + 1;
}

static void test_select(void)
{
	char msg[ERR_MSG_MAX];

	INDEX("linux/amd64", "@", "linux/arm/v7", "@", "linux/arm64/v8", "@");
	is_int(choose("linux/amd64", msg), 1, "amd64 from a buildx index");
	is_int(choose("linux/arm64", msg), 5, "arm64 (v8)");
	is_int(choose("linux/arm/v7", msg), 3, "arm/v7");
	is_int(choose("linux/arm/v8", msg), 3, "arm/v8 takes arm/v7");
	is_int(choose("linux/arm/v6", msg), 0, "arm/v6 finds nothing");
	is_str(msg,
	       "no image for linux/arm/v6 in the index; it has linux/amd64, linux/arm/v7, "
	       "linux/arm64/v8",
	       "  the message lists the platforms, never unknown/unknown");
	is_int(choose("linux/386", msg), 0, "386 does not take amd64");
	is_int(choose("linux/s390x", msg), 0, "s390x finds nothing");

	INDEX("linux/arm/v5", "linux/arm/v6", "linux/arm/v7", "linux/arm64", "linux/386",
	      "linux/amd64/v2", "linux/amd64/v3", "linux/amd64");
	is_int(choose("linux/arm/v7", msg), 3, "arm/v7 prefers v7 over v6, v5");
	is_int(choose("linux/arm/v6", msg), 2, "arm/v6 takes v6");
	is_int(choose("linux/arm64/v8", msg), 4, "arm64/v8 takes arm64 without variant");
	is_int(choose("linux/amd64", msg), 8, "amd64 takes plain amd64 before 386");
	is_int(choose("linux/amd64/v3", msg), 7, "amd64/v3 takes v3");
	is_int(choose("linux/amd64/v2", msg), 6, "amd64/v2 takes v2");
	is_int(choose("linux/amd64/v4", msg), 7, "amd64/v4 takes v3 next");

	INDEX("linux/arm/v5", "linux/arm/v6");
	is_int(choose("linux/arm/v7", msg), 2, "arm/v7 takes v6 before v5");
	INDEX("linux/arm/v5", "linux/arm/v7", "linux/arm/v6");
	is_int(choose("linux/arm/v7", msg), 2, "index order does not beat the rank");
	INDEX("linux/386");
	is_int(choose("linux/amd64", msg), 1, "amd64 takes 386 when it is all there is");
	INDEX("linux/arm/v7");
	is_int(choose("linux/arm64", msg), 1, "arm64 takes arm/v7 as a last resort");
	INDEX("linux/amd64", "linux/amd64");
	is_int(choose("linux/amd64", msg), 1, "the first of equals");
	INDEX("linux/aarch64", "linux/x86_64");
	is_int(choose("linux/amd64", msg), 2, "entries are normalized: x86_64");
	is_int(choose("linux/arm64", msg), 1, "entries are normalized: aarch64");
	INDEX("linux/arm64/v8.1", "linux/arm64");
	is_int(choose("linux/arm64/v8.2", msg), 1, "v8.2 prefers v8.1 over v8");
	is_int(choose("linux/arm64/v8", msg), 2, "v8 does not take v8.1");

	INDEX("@", "@");
	is_int(choose("linux/amd64", msg), 0, "only attestations");
	is_str(msg, "no image for linux/amd64 in the index; it has none to run",
	       "  says there is nothing to run");
	INDEX("-", "linux/amd64");
	is_int(choose("linux/amd64", msg), 2, "a platform beats no platform");
	is_int(choose("linux/arm64", msg), 1, "no platform is the last resort");
	ok(!ix->manifests[0].has_platform, "  and the caller is told to check the config");
	INDEX("!linux/amd64", "windows/amd64");
	is_int(choose("linux/amd64", msg), 0, "nested indexes are not chosen");
	is_str(msg, "no image for linux/amd64 in the index; it has windows/amd64", "  nor listed");
	INDEX("linux/amd64", "linux/arm/v7", "linux/amd64", "linux/arm/v7");
	is_int(choose("linux/ppc64le", msg), 0, "ppc64le");
	is_str(msg, "no image for linux/ppc64le in the index; it has linux/amd64, linux/arm/v7",
	       "  each platform listed once");

	ix->kind = REG_MANIFEST_OCI;
	is_int(choose("linux/amd64", msg), 0, "a manifest is not an index");
}

int main(void)
{
	ix = malloc(sizeof(*ix));
	if (!ix)
		return 1;
	test_tables();
	test_rank();
	test_select();
	free(ix);
	return done_testing();
}
