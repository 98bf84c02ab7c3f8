/* platform.c - which os/arch/variant this machine runs, and which entry of
 * a multi-platform index fits it best (containerd's platforms.Only order). */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "registry/manifest.h"
#include "registry/platform.h"

/* What the binary was built for, should uname(2) ever fail. */
#if defined(__x86_64__)
#define BUILD_MACHINE "x86_64"
#elif defined(__aarch64__)
#define BUILD_MACHINE "aarch64"
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7
#define BUILD_MACHINE "armv7l"
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH == 6
#define BUILD_MACHINE "armv6l"
#elif defined(__arm__)
#define BUILD_MACHINE "armv5tel"
#elif defined(__i386__)
#define BUILD_MACHINE "i686"
#elif defined(__riscv) && __riscv_xlen == 64
#define BUILD_MACHINE "riscv64"
#elif defined(__s390x__)
#define BUILD_MACHINE "s390x"
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define BUILD_MACHINE "ppc64le"
#else
#define BUILD_MACHINE "unknown"
#endif

#define VECTOR_MAX 40

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static void set_arch(struct reg_platform *p, const char *arch, const char *variant)
{
	snprintf(p->arch, sizeof(p->arch), "%s", arch);
	snprintf(p->variant, sizeof(p->variant), "%s", variant);
}

static bool is(const char *s, const char *a)
{
	return strcmp(s, a) == 0;
}

void reg_platform_normalize(struct reg_platform *p)
{
	char a[sizeof(p->arch)], v[sizeof(p->variant)]; /* set_arch writes p */

	lower(p->os);
	lower(p->arch);
	lower(p->variant);
	strcpy(a, p->arch);
	strcpy(v, p->variant);
	if (is(p->os, "macos"))
		strcpy(p->os, "darwin");
	if (is(a, "i386") || is(a, "i486") || is(a, "i586") || is(a, "i686") || is(a, "x86"))
		set_arch(p, "386", "");
	else if (is(a, "x86_64") || is(a, "x86-64") || is(a, "amd64"))
		set_arch(p, "amd64", is(v, "v1") ? "" : v);
	else if (is(a, "aarch64") || is(a, "arm64"))
		set_arch(p, "arm64", !*v || is(v, "8") ? "v8" : v);
	else if (is(a, "armhf"))
		set_arch(p, "arm", "v7");
	else if (is(a, "armel"))
		set_arch(p, "arm", "v6");
	else if (is(a, "arm") && !*v)
		set_arch(p, "arm", "v7");
	else if (is(a, "arm") && strlen(v) == 1 && *v >= '5' && *v <= '8')
		set_arch(p, "arm", (const char *[]){"v5", "v6", "v7", "v8"}[*v - '5']);
}

int reg_platform_set(struct reg_platform *p, const char *os, const char *arch, const char *variant,
		     const char *what, struct err *e)
{
	const char *sep = what && *what ? "." : "";
	const char *names[3] = {"os", "architecture", "variant"};
	const char *vals[3] = {os ? os : "", arch ? arch : "", variant ? variant : ""};
	char *dst[3] = {p->os, p->arch, p->variant};
	size_t max[3] = {sizeof(p->os), sizeof(p->arch), sizeof(p->variant)};

	for (int i = 0; i < 3; i++) {
		if (strlen(vals[i]) >= max[i])
			return err_set(e, "%s%s%s: \"%.40s\" is too long (at most %zu bytes)",
				       what ? what : "", sep, names[i], vals[i], max[i] - 1);
		strcpy(dst[i], vals[i]);
	}
	reg_platform_normalize(p);
	return 0;
}

/* uname's machine names to GOARCH ones; 32-bit ARM by the prefix of its
 * version (armv7l, armv6l, armv5tel, armv8l: 32-bit on a 64-bit CPU). */
void reg_platform_from_machine(struct reg_platform *p, const char *m)
{
	static const struct {
		const char *machine, *arch, *variant;
		bool prefix;
	} table[] = {
		{"x86_64", "amd64", "", false},    {"amd64", "amd64", "", false},
		{"aarch64", "arm64", "v8", false}, {"arm64", "arm64", "v8", false},
		{"armv8", "arm", "v8", true},      {"armv7", "arm", "v7", true},
		{"armv6", "arm", "v6", true},      {"armv5", "arm", "v5", true},
		{"i686", "386", "", false},        {"i586", "386", "", false},
		{"i486", "386", "", false},        {"i386", "386", "", false},
		{"riscv64", "riscv64", "", false}, {"s390x", "s390x", "", false},
		{"ppc64le", "ppc64le", "", false}, {"loongarch64", "loong64", "", false},
	};

	memset(p, 0, sizeof(*p));
	strcpy(p->os, "linux");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t n = table[i].prefix ? strlen(table[i].machine) : strlen(m) + 1;

		if (strncmp(m, table[i].machine, n) == 0) {
			set_arch(p, table[i].arch, table[i].variant);
			return;
		}
	}
	set_arch(p, m, "");
	reg_platform_normalize(p);
}

void reg_platform_host(struct reg_platform *p)
{
	struct utsname u;

	memset(p, 0, sizeof(*p));
	reg_platform_from_machine(p, uname(&u) == 0 ? u.machine : BUILD_MACHINE);
}

static bool part_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

static bool known_os(const char *s)
{
	static const char *const oses[] = {"linux",   "windows", "darwin",  "freebsd", "netbsd",
					   "openbsd", "solaris", "illumos", "aix",     "macos"};

	for (size_t i = 0; i < sizeof(oses) / sizeof(oses[0]); i++)
		if (strcasecmp(s, oses[i]) == 0)
			return true;
	return false;
}

int reg_platform_parse(struct reg_platform *p, const char *s, struct err *e)
{
	char part[3][64] = {"", "", ""};
	const char *at = s ? s : "";
	int n = 0;

	for (;;) {
		size_t len = strcspn(at, "/");

		if (n == 3 || !part_ok(at, len) || len >= sizeof(part[0]))
			return err_set(e, "invalid platform \"%.80s\" (want os/arch[/variant])",
				       s ? s : "");
		memcpy(part[n++], at, len);
		if (!at[len])
			break;
		at += len + 1;
	}
	if (n == 1 && known_os(part[0])) {
		reg_platform_host(p);
		strcpy(part[1], p->arch);
		strcpy(part[2], p->variant);
	} else if (n == 1) {
		strcpy(part[1], part[0]);
		strcpy(part[0], "linux");
	}
	return reg_platform_set(p, part[0], part[1], part[2], "platform", e);
}

char *reg_platform_format(const struct reg_platform *p, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
	return buf;
}

static void push(struct reg_platform *v, size_t *n, const struct reg_platform *base,
		 const char *arch, const char *variant)
{
	if (*n >= VECTOR_MAX)
		return;
	v[*n] = *base;
	set_arch(&v[*n], arch, variant);
	(*n)++;
}

static int version_of(const char *variant, int *minor)
{
	char *end;
	long major;

	*minor = 0;
	if (variant[0] != 'v' || !isdigit((unsigned char)variant[1]))
		return -1;
	major = strtol(variant + 1, &end, 10);
	if (*end == '.' && isdigit((unsigned char)end[1]))
		*minor = (int)strtol(end + 1, &end, 10);
	return *end || major > 99 || *minor > 99 ? -1 : (int)major;
}

/* arm64/v9.x runs v9.0..x-1 and v8.0..x+5; v8.x runs v8.0..x-1. */
static void arm64_vector(struct reg_platform *v, size_t *n, const struct reg_platform *w)
{
	char name[16];
	int minor, major = version_of(w->variant, &minor);

	if (major < 8)
		return;
	if (major == 9) {
		for (int m = minor - 1; m >= 0; m--) {
			snprintf(name, sizeof(name), m ? "v9.%d" : "v9", m);
			push(v, n, w, "arm64", name);
		}
		minor += 5;
		snprintf(name, sizeof(name), "v8.%d", minor);
		push(v, n, w, "arm64", name);
	}
	if (major <= 9) {
		for (int m = minor - 1; m >= 0; m--) {
			snprintf(name, sizeof(name), m ? "v8.%d" : "v8", m);
			push(v, n, w, "arm64", name);
		}
	}
}

/* The platforms that run where w is asked for, best first. */
static size_t vector(const struct reg_platform *w, struct reg_platform *v)
{
	char name[16];
	int minor, ver = version_of(w->variant, &minor);
	size_t n = 0;

	push(v, &n, w, w->arch, w->variant);
	if (is(w->arch, "amd64")) {
		for (int i = ver - 1; i >= 1; i--) {
			snprintf(name, sizeof(name), "v%d", i);
			push(v, &n, w, "amd64", i == 1 ? "" : name);
		}
		push(v, &n, w, "386", "");
	} else if (is(w->arch, "arm64") && ver >= 8) {
		arm64_vector(v, &n, w);
		for (int i = 8; i >= 5; i--) { /* 32-bit arm, last */
			snprintf(name, sizeof(name), "v%d", i);
			push(v, &n, w, "arm", name);
		}
	} else if (is(w->arch, "arm") && !minor) {
		for (int i = ver - 1; i >= 5; i--) {
			snprintf(name, sizeof(name), "v%d", i);
			push(v, &n, w, "arm", name);
		}
	}
	return n;
}

int reg_platform_rank(const struct reg_platform *want, const struct reg_platform *have)
{
	struct reg_platform w = *want, h = *have, v[VECTOR_MAX];
	size_t n;

	reg_platform_normalize(&w);
	reg_platform_normalize(&h);
	n = vector(&w, v);
	for (size_t i = 0; i < n; i++)
		if (is(v[i].os, h.os) && is(v[i].arch, h.arch) && is(v[i].variant, h.variant))
			return (int)i;
	return -1;
}

bool reg_platform_match(const struct reg_platform *want, const struct reg_platform *have)
{
	return reg_platform_rank(want, have) >= 0;
}

/* An image this machine could run: a manifest, not a nested index, not an
 * artifact, not an attestation (buildx marks those, platform unknown/unknown). */
static bool runnable(const struct reg_index_entry *x)
{
	enum reg_manifest_kind k = reg_manifest_kind_of(x->d.media_type);

	return (k == REG_MANIFEST_DOCKER_V2 || k == REG_MANIFEST_OCI) && !x->attestation &&
	       !(x->has_platform && is(x->platform.os, "unknown"));
}

/* "linux/amd64, linux/arm/v7": each runnable platform once, in index order. */
static void list_platforms(const struct reg_manifest *ix, char *buf, size_t size)
{
	char one[REG_PLATFORM_STR_MAX], other[REG_PLATFORM_STR_MAX];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ix->nmanifests && len < size; i++) {
		const struct reg_index_entry *x = &ix->manifests[i];
		bool seen = false;

		if (!runnable(x) || !x->has_platform)
			continue;
		reg_platform_format(&x->platform, one, sizeof(one));
		for (size_t j = 0; j < i && !seen; j++)
			seen = runnable(&ix->manifests[j]) && ix->manifests[j].has_platform &&
			       is(reg_platform_format(&ix->manifests[j].platform, other,
						      sizeof(other)),
				  one);
		if (!seen)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
						one);
	}
}

int reg_index_select(const struct reg_manifest *ix, const struct reg_platform *want,
		     const struct reg_index_entry **out, struct err *e)
{
	const struct reg_index_entry *best = NULL, *bare = NULL;
	char w[REG_PLATFORM_STR_MAX], have[320];
	int best_rank = INT_MAX;

	if (!reg_manifest_is_index(ix->kind))
		return err_set(e, "select a platform: not an index");
	for (size_t i = 0; i < ix->nmanifests; i++) {
		const struct reg_index_entry *x = &ix->manifests[i];
		int r;

		if (!runnable(x))
			continue;
		if (!x->has_platform) {
			bare = bare ? bare : x;
			continue;
		}
		/* os.features (win32k) are needs of the image we never meet */
		r = x->os_features[0] ? -1 : reg_platform_rank(want, &x->platform);
		if (r >= 0 && r < best_rank) {
			best = x;
			best_rank = r;
		}
	}
	*out = best ? best : bare;
	if (*out)
		return 0;
	list_platforms(ix, have, sizeof(have));
	return err_set(e, "no image for %s in the index; it has %s",
		       reg_platform_format(want, w, sizeof(w)), have[0] ? have : "none to run");
}
