/* dockerspec-priv.h - what the parts of the Docker request -> OCI config
 * translation share: the build context and lookups in Docker bodies (Go's
 * decoder matches keys ignoring case, and null is "not set"). */
#ifndef TUG_OCI_DOCKERSPEC_PRIV_H
#define TUG_OCI_DOCKERSPEC_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "oci/dockerspec.h"

/* This build's architecture as Docker's seccomp profile names it (Go's
 * GOARCH) and as libseccomp does. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define DS_GOARCH "amd64"
#define DS_SCMP_ARCH "SCMP_ARCH_X86_64"
#elif defined(__i386__)
#define DS_GOARCH "x86"
#define DS_SCMP_ARCH "SCMP_ARCH_X86"
#elif defined(__aarch64__)
#define DS_GOARCH "arm64"
#define DS_SCMP_ARCH "SCMP_ARCH_AARCH64"
#elif defined(__arm__)
#define DS_GOARCH "arm"
#define DS_SCMP_ARCH "SCMP_ARCH_ARM"
#else
#define DS_GOARCH ""
#define DS_SCMP_ARCH ""
#endif

struct ds {
	const struct oci_dspec_in *in;
	const cJSON *hc; /* HostConfig, NULL when absent */
	cJSON *cfg; /* the merged Config (owned) */
	cJSON *spec; /* the result being built (owned until handed out) */
	cJSON *inspect; /* inspect Mounts (owned until handed out) */
	uint64_t caps; /* the container's capabilities, bits by number */
	bool privileged;
	char home[256]; /* the user's home from passwd, for HOME (ds_user) */
	struct err *e;
};

/* obj[key] ignoring case; NULL when absent or null. */
const cJSON *ds_get(const cJSON *obj, const char *key);
/* A string field, NULL when absent, null or not a string. */
const char *ds_str(const cJSON *obj, const char *key);
/* A number field as an integer, 0 when absent. */
int64_t ds_int(const cJSON *obj, const char *key);
bool ds_bool(const cJSON *obj, const char *key);
/* An array field with at least one element, else NULL. */
const cJSON *ds_arr(const cJSON *obj, const char *key);

/* "out of memory" into e; returns -1. */
int ds_oom(struct err *e);
/* Append a string to array a; -1 (e set) when out of memory. */
int ds_push(struct ds *d, cJSON *a, const char *s);
/* obj[key] = n (exact integer); -1 when out of memory. */
int ds_num(struct ds *d, cJSON *obj, const char *key, int64_t n);
/* A new object/array added to parent (array or object with key); NULL + e. */
cJSON *ds_obj(struct ds *d, cJSON *parent, const char *key);
cJSON *ds_list(struct ds *d, cJSON *parent, const char *key);

/* Capability name as Docker accepts it in CapAdd/CapDrop ("net_admin",
 * "CAP_NET_ADMIN"): its number, -2 for "ALL", -1 when unknown. */
int ds_cap_parse(const char *name, char *norm, size_t size);

/* The parts, each in its own file. */
int ds_defaults_caps(struct ds *d); /* capabilities: d->caps and process.capabilities */
int ds_defaults_linux(struct ds *d, cJSON *lnx); /* masks, read-only paths, devices */
int ds_mounts(struct ds *d); /* spec.mounts and the inspect Mounts */
int ds_resources(struct ds *d, cJSON *lnx, cJSON *proc); /* limits, sysctls, rlimits */
int ds_seccomp(struct ds *d, cJSON *lnx); /* linux.seccomp per SecurityOpt */
int ds_user(struct ds *d, cJSON *proc); /* process.user from the rootfs' files */

/* Checks the parts own. */
int ds_check_mounts(const cJSON *hc, const cJSON *body, struct err *e);
int ds_check_resources(const cJSON *hc, struct err *e);
/* The same for docker update (the request's Resources alone). */
int ds_check_resources_for(const cJSON *hc, bool update, struct err *e);
int ds_check_caps(const cJSON *hc, struct err *e);
int ds_check_security(const cJSON *hc, struct err *e);
int ds_check_device_rule(const char *rule, struct err *e);

/* Devices: the node(s) at host path (a device, or a folder walked for them)
 * appended as linux.devices entries under dest, with cgroup rules of perms
 * ("rwm") appended to rules (may be NULL). */
int ds_devices_from_path(struct ds *d, const char *host, const char *dest, const char *perms,
			 cJSON *devs, cJSON *rules);

#endif
