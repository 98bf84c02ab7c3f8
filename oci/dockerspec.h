/* dockerspec.h - Docker's create request (Config + HostConfig) and an image's
 * config turned into the OCI runtime config.json tug's runtime runs, with the
 * defaults dockerd gives a container (mounts, capabilities, masks, devices,
 * seccomp). A library: no HTTP, no daemon state; volumes come through ops. */
#ifndef TUG_OCI_DOCKERSPEC_H
#define TUG_OCI_DOCKERSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "err.h"

/* Named and anonymous volumes: the daemon's. */
struct oci_dspec_volume_ops {
	/* name NULL: a new anonymous volume (name_out gets its 64-hex name);
	 * else the named volume, made when missing. Fills the host path of the
	 * volume's data folder. Returns 0 or -1 with e set. */
	int (*get)(void *arg, const char *name, char *name_out, size_t name_size, char *path_out,
		   size_t path_size, struct err *e);
	void *arg;
};

/* Everything is borrowed for the duration of the call. */
struct oci_dspec_in {
	const char *id; /* 64-hex container id */
	const cJSON *image_config; /* the image config's "config" object (may be NULL) */
	const cJSON *body; /* the create request body (Config fields at top + HostConfig) */
	const char *rootfs; /* absolute host path of the prepared rootfs: User is looked up
			       in its /etc/passwd and /etc/group, beneath it */
	const char *hostname_path, *hosts_path, *resolv_path; /* bind-mounted to /etc/...
								 (each may be NULL) */
	const char *init_path; /* the tug binary: read-only at /sbin/docker-init and put
				  before the args when HostConfig.Init */
	const char *netns; /* NULL: a new network namespace; "host": the host's;
			      else a namespace path to join */
	const char *cgroup_parent; /* NULL: "/tug"; HostConfig.CgroupParent wins */
	const struct oci_dspec_volume_ops *volumes; /* may be NULL when no volume is used */
};

/* The merged container Config as `docker inspect` shows it: the request's
 * Config fields with the image's defaults (Env, Cmd, Entrypoint, WorkingDir,
 * User, Labels, ExposedPorts, Volumes, StopSignal, Healthcheck) and the
 * Hostname (first 12 hex of id when empty). An Entrypoint of [""] is reset.
 * Fails with "no command specified" when neither names a command.
 * *out is the caller's (cJSON_Delete). */
int oci_dspec_merge_config(const cJSON *image_config, const cJSON *body, const char *id,
			   cJSON **out, struct err *e);

/* The OCI config.json (*config, the caller's) and, when mounts_out is not
 * NULL, Docker's inspect "Mounts" array (the caller's). Runs oci_dspec_check
 * first. Anonymous volumes are made through in->volumes here, so call it once
 * per container (at create) and keep the result. Bind sources of Binds that
 * are missing are made as folders, as dockerd does for -v. */
int oci_dspec_build(const struct oci_dspec_in *in, cJSON **config, cJSON **mounts_out,
		    struct err *e);

/* Validation only (the daemon answers 400 with e->msg before creating
 * anything): every known field of the body is checked for its type and its
 * value, with dockerd's messages where they are known. Bind sources of
 * Mounts are checked for existence. */
int oci_dspec_check(const cJSON *body, struct err *e);

/* POST /containers/{id}/update: body is Docker's UpdateConfig (the
 * Resources fields at its top, RestartPolicy). Checked as dockerd checks
 * it, then merged into host_config as dockerd merges (only what the
 * request sets). *live (the caller's) is the OCI linux.resources for a
 * running container's cgroup: the request's own fields, as dockerd hands
 * them to the runtime. Returns 0 when host_config was changed; -1 with e
 * leaves it as it was, *conflict telling a conflict with what is recorded
 * ("Conflicting options: ...", "Restart policy cannot be updated because
 * AutoRemove is enabled for the container": dockerd's 409) from a wrong
 * request (400). */
int oci_dspec_update(cJSON *host_config, const cJSON *body, cJSON **live, bool *conflict,
		     struct err *e);

/* linux.resources' memory, cpu, pids and blockIO from a HostConfig (what
 * create writes; a start after an update uses it). *out is the caller's. */
int oci_dspec_resources(const cJSON *host_config, cJSON **out, struct err *e);

/* Docker's default seccomp profile as the OCI linux.seccomp object for the
 * capability set caps (bits by CAP_* number) on this build's architecture.
 * *out is the caller's. */
int oci_dspec_default_seccomp(unsigned long long caps, cJSON **out, struct err *e);

/* A seccomp profile in Docker's format (what `--security-opt seccomp=FILE`
 * sends: archMap, includes/excludes by arch, caps and kernel) as the OCI
 * linux.seccomp object; *out NULL when the profile is empty. */
int oci_dspec_load_seccomp(const char *profile, unsigned long long caps, cJSON **out,
			   struct err *e);

#endif
