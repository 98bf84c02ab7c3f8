/* platform.h - os/architecture/variant triples: the running machine's, parsed
 * from "--platform linux/arm/v7", and the choice of an index entry. */
#ifndef TUG_REG_PLATFORM_H
#define TUG_REG_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct reg_platform {
	char os[32]; /* "linux" */
	char arch[32]; /* GOARCH names: "amd64", "arm64", "arm", "386", ... */
	char variant[16]; /* "v8", "v7", "" */
};

/* Longest reg_platform_format() output. */
#define REG_PLATFORM_STR_MAX 96

/* The machine tug runs on, from uname(2) (so a 32-bit binary on a 64-bit
 * kernel reports what the kernel runs), normalized; if uname fails, what
 * the binary was compiled for. */
void reg_platform_host(struct reg_platform *p);
/* The same from a uname machine name ("armv7l" -> linux/arm/v7). */
void reg_platform_from_machine(struct reg_platform *p, const char *machine);

/* Parse "os/arch[/variant]", "arch" (os linux) or "os" (the host's arch),
 * normalized. Returns 0 or -1. */
int reg_platform_parse(struct reg_platform *p, const char *s, struct err *e);

/* Normalize in place as containerd does: lowercase; aarch64 -> arm64,
 * armhf -> arm/v7, armel -> arm/v6, x86_64/x86-64 -> amd64, i386/i686 ->
 * 386, macos -> darwin; arm64 without variant is v8, arm without variant
 * is v7, "7" is "v7"; amd64's v1 is the same as no variant. */
void reg_platform_normalize(struct reg_platform *p);

/* Set from separate strings (a config, an index entry); NULL is "". Long
 * values are an error naming what. Normalizes. */
int reg_platform_set(struct reg_platform *p, const char *os, const char *arch, const char *variant,
		     const char *what, struct err *e);

/* "linux/arm/v7", "linux/amd64" (the variant only when there is one). */
char *reg_platform_format(const struct reg_platform *p, char *buf, size_t n);

/* How well have runs where want is asked for, as containerd's platforms.Only:
 * 0 is an exact match, higher numbers are worse fallbacks (arm/v7 takes
 * v6 then v5; amd64/v3 takes v2 then v1; amd64 takes 386; arm64 takes
 * arm/v8..v5 last); -1 when it does not run. Both are normalized first. */
int reg_platform_rank(const struct reg_platform *want, const struct reg_platform *have);
bool reg_platform_match(const struct reg_platform *want, const struct reg_platform *have);

struct reg_manifest;
struct reg_index_entry;

/* Choose the entry of an index (REG_MANIFEST_DOCKER_LIST / OCI_INDEX) that
 * best fits want: the best rank, the first in index order among equals.
 * Attestations ("unknown/unknown", vnd.docker.reference.type), nested
 * indexes and other media types are never chosen. An entry without a
 * platform is chosen only when no entry matches; then (*out)->has_platform
 * is false and the caller must check the platform of its config. The
 * error lists what the index has: "no image for linux/arm64/v8 in the
 * index; it has linux/amd64, linux/arm/v7". *out points into index. */
int reg_index_select(const struct reg_manifest *index, const struct reg_platform *want,
		     const struct reg_index_entry **out, struct err *e);

#endif
