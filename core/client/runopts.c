/* runopts.c - the run/create option table and the value parsers that
 * docker's flags use (sizes, durations, CPUs). The body is runopts-body.c. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/client/runopts.h"

struct run_opts run_opts_v = {.sig_proxy = 1};

#define O run_opts_v
#define VAL(l, s, m, h, f)                                                                         \
	{                                                                                          \
		l, s, ARGS_VALUE, m, h, NULL, &O.f, NULL, NULL                                     \
	}
#define LIST(l, s, m, h, f)                                                                        \
	{                                                                                          \
		l, s, ARGS_VALUE, m, h, NULL, NULL, &O.f, NULL                                     \
	}
#define FLAG(l, s, h, f)                                                                           \
	{                                                                                          \
		l, s, 0, NULL, h, &O.f, NULL, NULL, NULL                                           \
	}

const struct args_opt run_opts_table[] = {
	LIST("add-host", 0, "list", "Add a custom host-to-IP mapping (host:ip)", add_host),
	LIST("attach", 'a', "list", "Attach to STDIN, STDOUT or STDERR", attach),
	LIST("cap-add", 0, "list", "Add Linux capabilities", cap_add),
	LIST("cap-drop", 0, "list", "Drop Linux capabilities", cap_drop),
	VAL("cgroupns", 0, "string", "Cgroup namespace to use (host|private)", cgroupns),
	VAL("cidfile", 0, "string", "Write the container ID to the file", cidfile),
	VAL("cpu-shares", 'c', "int", "CPU shares (relative weight)", cpu_shares),
	VAL("cpus", 0, "decimal", "Number of CPUs", cpus),
	VAL("cpuset-cpus", 0, "string", "CPUs in which to allow execution (0-3, 0,1)", cpuset_cpus),
	FLAG("detach", 'd', "Run container in background and print container ID", detach),
	LIST("device", 0, "list", "Add a host device to the container", device),
	LIST("dns", 0, "list", "Set custom DNS servers", dns),
	LIST("dns-option", 0, "list", "Set DNS options", dns_option),
	LIST("dns-search", 0, "list", "Set custom DNS search domains", dns_search),
	VAL("domainname", 0, "string", "Container NIS domain name", domainname),
	VAL("entrypoint", 0, "string", "Overwrite the default ENTRYPOINT of the image", entrypoint),
	LIST("env", 'e', "list", "Set environment variables", env),
	LIST("env-file", 0, "list", "Read in a file of environment variables", env_file),
	LIST("expose", 0, "list", "Expose a port or a range of ports", expose),
	LIST("group-add", 0, "list", "Add additional groups to join", group_add),
	VAL("health-cmd", 0, "string", "Command to run to check health", health_cmd),
	VAL("health-interval", 0, "duration", "Time between running the check", health_interval),
	VAL("health-retries", 0, "int", "Consecutive failures needed to report unhealthy",
	    health_retries),
	VAL("health-start-period", 0, "duration", "Start period for the container to initialize",
	    health_start_period),
	VAL("health-timeout", 0, "duration", "Maximum time to allow one check to run",
	    health_timeout),
	VAL("hostname", 'h', "string", "Container host name", hostname),
	FLAG("init", 0, "Run an init inside the container", init),
	FLAG("interactive", 'i', "Keep STDIN open even if not attached", interactive),
	VAL("ip", 0, "string", "IPv4 address (e.g., 172.30.100.104)", ip),
	VAL("ipc", 0, "string", "IPC mode to use", ipc),
	LIST("label", 'l', "list", "Set meta data on a container", label),
	VAL("log-driver", 0, "string", "Logging driver for the container", log_driver),
	LIST("log-opt", 0, "list", "Log driver options", log_opt),
	VAL("mac-address", 0, "string", "Container MAC address", mac_address),
	VAL("memory", 'm', "bytes", "Memory limit", memory),
	VAL("memory-reservation", 0, "bytes", "Memory soft limit", memory_reservation),
	VAL("memory-swap", 0, "bytes", "Swap limit equal to memory plus swap: -1 unlimited",
	    memory_swap),
	LIST("mount", 0, "mount", "Attach a filesystem mount to the container", mount),
	VAL("name", 0, "string", "Assign a name to the container", name),
	VAL("network", 0, "network", "Connect a container to a network", network),
	LIST("network-alias", 0, "list", "Add network-scoped alias for the container",
	     network_alias),
	FLAG("no-healthcheck", 0, "Disable any container-specified HEALTHCHECK", no_healthcheck),
	FLAG("oom-kill-disable", 0, "Disable OOM Killer", oom_kill_disable),
	VAL("pid", 0, "string", "PID namespace to use", pid),
	VAL("pids-limit", 0, "int", "Tune container pids limit (set -1 for unlimited)", pids_limit),
	VAL("platform", 0, "string", "Set platform if server is multi-platform capable", platform),
	FLAG("privileged", 0, "Give extended privileges to this container", privileged),
	LIST("publish", 'p', "list", "Publish a container's port(s) to the host", publish),
	FLAG("publish-all", 'P', "Publish all exposed ports to random ports", publish_all),
	VAL("pull", 0, "string", "Pull image before running (\"always\", \"missing\", \"never\")",
	    pull),
	FLAG("read-only", 0, "Mount the container's root filesystem as read only", read_only),
	VAL("restart", 0, "string", "Restart policy to apply when a container exits", restart),
	FLAG("rm", 0,
	     "Automatically remove the container and its associated anonymous volumes "
	     "when it exits",
	     rm),
	LIST("security-opt", 0, "list", "Security Options", security_opt),
	VAL("shm-size", 0, "bytes", "Size of /dev/shm", shm_size),
	FLAG("sig-proxy", 0, "Proxy received signals to the process", sig_proxy),
	VAL("stop-signal", 0, "string", "Signal to stop the container", stop_signal),
	VAL("stop-timeout", 0, "int", "Timeout (in seconds) to stop a container", stop_timeout),
	LIST("sysctl", 0, "map", "Sysctl options", sysctl),
	LIST("tmpfs", 0, "list", "Mount a tmpfs directory", tmpfs),
	FLAG("tty", 't', "Allocate a pseudo-TTY", tty),
	LIST("ulimit", 0, "ulimit", "Ulimit options", ulimit),
	VAL("user", 'u', "string", "Username or UID (format: <name|uid>[:<group|gid>])", user),
	VAL("userns", 0, "string", "User namespace to use", userns),
	VAL("uts", 0, "string", "UTS namespace to use", uts),
	LIST("volume", 'v', "list", "Bind mount a volume", volume),
	LIST("volumes-from", 0, "list", "Mount volumes from the specified container(s)",
	     volumes_from),
	VAL("workdir", 'w', "string", "Working directory inside the container", workdir),
	{0},
};

void run_opts_free(struct run_opts *o)
{
	struct args_list *l[] = {&o->publish,    &o->env,           &o->env_file,    &o->volume,
				 &o->mount,      &o->tmpfs,         &o->cap_add,     &o->cap_drop,
				 &o->device,     &o->ulimit,        &o->sysctl,      &o->label,
				 &o->log_opt,    &o->add_host,      &o->dns,         &o->dns_search,
				 &o->dns_option, &o->security_opt,  &o->expose,      &o->attach,
				 &o->group_add,  &o->network_alias, &o->volumes_from};

	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		args_list_free(l[i]);
}

int run_parse_bytes(const char *s, int64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	double mul = 1;

	if (end == s || v < 0)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case 'k':
		mul = 1024.0;
		break;
	case 'm':
		mul = 1024.0 * 1024;
		break;
	case 'g':
		mul = 1024.0 * 1024 * 1024;
		break;
	case 't':
		mul = 1024.0 * 1024 * 1024 * 1024;
		break;
	case 'p':
		mul = 1024.0 * 1024 * 1024 * 1024 * 1024;
		break;
	case 'b':
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end && tolower((unsigned char)*end) != 'b') {
		end++;
		if (tolower((unsigned char)*end) == 'i')
			end++;
		if (tolower((unsigned char)*end) == 'b')
			end++;
	} else if (*end) {
		end++;
	}
	if (*end)
		return -1;
	*out = (int64_t)(v * mul);
	return 0;
}

int run_parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *u;
		double mul;
	} units[] = {{"ns", 1},  {"us", 1e3}, {"µs", 1e3},  {"ms", 1e6},
		     {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
	double total = 0;

	if (!strcmp(s, "0"))
		return *ns = 0, 0;
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		size_t i;

		if (end == s || v < 0)
			return -1;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].u);

			/* in order: "ms" is tried before "m" */
			if (!strncmp(end, units[i].u, n))
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		total += v * units[i].mul;
		s = end + strlen(units[i].u);
	}
	*ns = (int64_t)llround(total);
	return 0;
}

int run_parse_cpus(const char *s, int64_t *nano)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0)
		return -1;
	*nano = (int64_t)llround(v * 1e9);
	return 0;
}
