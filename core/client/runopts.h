/* runopts.h - `tug run` / `tug create` flags, as docker's, turned into the
 * body of POST /containers/create (Config + HostConfig + NetworkingConfig)
 * the way the docker CLI builds it. */
#ifndef TUG_CLIENT_RUNOPTS_H
#define TUG_CLIENT_RUNOPTS_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "args.h"
#include "err.h"

struct run_opts {
	int detach, interactive, tty, rm, init, read_only, privileged, publish_all;
	int no_healthcheck, oom_kill_disable, sig_proxy;
	const char *name, *restart, *network, *memory, *memory_swap, *memory_reservation;
	const char *cpus, *cpu_shares, *cpuset_cpus, *pids_limit, *user, *workdir;
	const char *entrypoint, *hostname, *domainname, *stop_signal, *stop_timeout;
	const char *health_cmd, *health_interval, *health_timeout, *health_retries,
		*health_start_period;
	const char *log_driver, *shm_size, *platform, *pull, *ipc, *pid, *uts, *cgroupns;
	const char *cidfile, *mac_address, *ip, *userns;
	struct args_list publish, env, env_file, volume, mount, tmpfs, cap_add, cap_drop, device;
	struct args_list ulimit, sysctl, label, log_opt, add_host, dns, dns_search, dns_option;
	struct args_list security_opt, expose, attach, group_add, network_alias, volumes_from;
};

/* The options of run (create: the same without -d, --rm is kept). The
 * table's pointers go to the one run_opts_v below. */
extern struct run_opts run_opts_v;
extern const struct args_opt run_opts_table[];

/* The create body for image and command argv[0..argc) (may be empty).
 * *out is the caller's. Bad values fail with docker's messages
 * ("invalid argument \"x\" for \"-m, --memory\" flag: ..."). */
int run_opts_body(const struct run_opts *o, const char *image, int argc, char **argv, cJSON **out,
		  struct err *e);
void run_opts_free(struct run_opts *o);

/* Parsers shared with update: docker's RAMInBytes ("512m", "1g"; binary
 * units), Go durations ("1m30s", "500ms") in nanoseconds, "1.5" CPUs in
 * nano-CPUs. Return 0 or -1. */
int run_parse_bytes(const char *s, int64_t *out);
int run_parse_duration(const char *s, int64_t *ns);
int run_parse_cpus(const char *s, int64_t *nano);

#endif
