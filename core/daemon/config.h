/* config.h - the daemon's settings: defaults, daemon.json and the command
 * line, merged and checked the way dockerd does it, and what a SIGHUP
 * reload may change. */
#ifndef TUG_DAEMON_CONFIG_H
#define TUG_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define TUG_CONFIG_FILE "/etc/tug/daemon.json"
#define TUG_CONFIG_DATA_ROOT "/var/lib/tug"
#define TUG_CONFIG_EXEC_ROOT "/run/tug"
#define TUG_CONFIG_SOCKET "/run/tug.sock"
#define TUG_CONFIG_HOST "unix://" TUG_CONFIG_SOCKET
#define TUG_CONFIG_TLS_PORT 2376
#define TUG_CONFIG_TCP_PORT 2375
#define TUG_CONFIG_DOWNLOADS 3 /* max-concurrent-downloads when 0 or unset */

/* Every setting, by its daemon.json key. A bit (1 << key) in the masks
 * below says that a source set it. */
enum tug_conf_key {
	TUG_CONF_DATA_ROOT, /* data-root */
	TUG_CONF_EXEC_ROOT, /* exec-root */
	TUG_CONF_HOSTS, /* hosts, -H/--host */
	TUG_CONF_TLS, /* tls */
	TUG_CONF_TLSVERIFY, /* tlsverify */
	TUG_CONF_TLSCACERT, /* tlscacert */
	TUG_CONF_TLSCERT, /* tlscert */
	TUG_CONF_TLSKEY, /* tlskey */
	TUG_CONF_ALLOW_INSECURE_TCP, /* allow-insecure-tcp (tug's own) */
	TUG_CONF_LOG_DRIVER, /* log-driver */
	TUG_CONF_LOG_OPTS, /* log-opts, --log-opt */
	TUG_CONF_LOG_LEVEL, /* log-level, -l */
	TUG_CONF_DEBUG, /* debug, -D */
	TUG_CONF_LIVE_RESTORE, /* live-restore */
	TUG_CONF_STORAGE_DRIVER, /* storage-driver, -s */
	TUG_CONF_INSECURE_REGISTRIES, /* insecure-registries, --insecure-registry */
	TUG_CONF_REGISTRY_MIRRORS, /* registry-mirrors, --registry-mirror */
	TUG_CONF_MAX_DOWNLOADS, /* max-concurrent-downloads */
	TUG_CONF_DEFAULT_ULIMITS, /* default-ulimits, --default-ulimit */
	TUG_CONF_ADDRESS_POOLS, /* default-address-pools (file only) */
	TUG_CONF_BIP, /* bip */
	TUG_CONF_BRIDGE, /* bridge, -b */
	TUG_CONF_DNS, /* dns */
	TUG_CONF_IPTABLES, /* iptables */
	TUG_CONF_IP_FORWARD, /* ip-forward */
	TUG_CONF_USERLAND_PROXY, /* userland-proxy */
	TUG_CONF_GROUP, /* group, -G */
	TUG_CONF_PIDFILE, /* pidfile, -p */
	TUG_CONF_NKEYS
};

#define TUG_CONF_BIT(k) (UINT64_C(1) << (k))

/* A list of strings, each malloc'd, owned by the list. */
struct tug_strv {
	char **v;
	size_t n;
};

struct tug_ulimit {
	char name[16]; /* "nofile", "nproc", ... */
	int64_t soft, hard;
};

struct tug_addr_pool {
	char base[64]; /* "172.30.0.0/16" */
	int size; /* prefix length of each network taken from it */
};

/* The daemon's settings. Strings are malloc'd and owned by the struct
 * (tug_config_free). NULL means "not set; use the default". */
struct tug_daemon_config {
	char *config_file; /* --config-file; NULL: TUG_CONFIG_FILE */
	char *data_root, *exec_root;
	struct tug_strv hosts; /* normalized: unix:///p, tcp://h:p, fd://, fd://N */
	bool tls, tlsverify;
	char *tlscacert, *tlscert, *tlskey;
	bool allow_insecure_tcp; /* a plaintext tcp:// host is refused without it */
	char *log_driver; /* "json-file" or "none" */
	struct tug_strv log_opts; /* "key=value", as given */
	char *log_level; /* "debug" "info" "warn" "error" "fatal", or NULL */
	bool debug, live_restore;
	char *storage_driver; /* canonical: "overlay" or "copy"; NULL: the store's choice */
	struct tug_strv insecure_registries, registry_mirrors;
	int max_concurrent_downloads;
	struct tug_strv default_ulimits; /* "name=soft:hard" */
	struct tug_strv address_pools; /* "base=CIDR,size=N" */
	char *bip, *bridge;
	struct tug_strv dns;
	bool iptables, ip_forward, userland_proxy;
	char *group; /* socket group; NULL: "tug", else "docker", else root */
	char *pidfile; /* default <exec-root>/tug.pid */

	/* Derived by tug_config_load (and tug_config_finish) from the above. */
	int64_t log_max_size; /* bytes; -1: no rotation */
	int log_max_file; /* files kept; 1 when not set */
	struct tug_ulimit *ulimits;
	size_t nulimits;
	struct tug_addr_pool *pools;
	size_t npools;

	uint64_t set_by_flag, set_by_file; /* TUG_CONF_BIT(key) */
	bool help; /* -h/--help was given */
};

/* Defaults: data-root /var/lib/tug, exec-root /run/tug, log-driver
 * json-file, iptables/ip-forward/userland-proxy on, the rest off/unset. */
void tug_config_init(struct tug_daemon_config *c);
void tug_config_free(struct tug_daemon_config *c);

/* Parse `tug daemon [OPTIONS]` (argv[0] is "daemon") into c, which
 * tug_config_init made, recording each key given in c->set_by_flag. argv
 * is reordered and borrowed only during the call. Arguments that are not
 * options are an error: the daemon takes none. */
int tug_config_parse_args(struct tug_daemon_config *c, int argc, char **argv, struct err *e);
/* The option list, for --help. */
void tug_config_usage(FILE *out);

/* Read c->config_file (or TUG_CONFIG_FILE; that one may be missing), refuse
 * unknown keys, keys also given as flags and bad values, apply the file's
 * values to c, then tug_config_finish. Errors read as dockerd's, e.g.
 * "unable to configure the daemon with file F: the following directives
 * are specified both as a flag and in the configuration file: hosts:
 * (from flag: [tcp://x:2376], from file: [unix:///run/tug.sock])". */
int tug_config_load(struct tug_daemon_config *c, struct err *e);
/* Apply the JSON text of a daemon.json to c (what tug_config_load does
 * after reading the file); name is used in messages. */
int tug_config_apply_json(struct tug_daemon_config *c, const char *text, size_t len, struct err *e);
/* Defaults for what is unset, cross-checks (tlsverify implies tls, the
 * log options of the driver), and the derived fields. Idempotent. */
int tug_config_finish(struct tug_daemon_config *c, struct err *e);

/* True when key may change on SIGHUP: debug, live-restore,
 * registry-mirrors, insecure-registries, max-concurrent-downloads. */
bool tug_config_reloadable(enum tug_conf_key key);
/* The daemon.json name of a key ("data-root"). */
const char *tug_config_key_name(enum tug_conf_key key);

/* SIGHUP: next is a fresh configuration (tug_config_init, the daemon's
 * original argv through tug_config_parse_args, tug_config_load). As
 * dockerd does, the reloadable keys next sets are copied into cur
 * (max-concurrent-downloads falls back to its default when unset); the
 * others are left as they are. *changed gets the bits of the keys whose
 * value changed in cur; ignored (may be NULL) gets the names of the
 * non-reloadable keys whose new value differs, comma-separated ("" when
 * none), for the daemon to log as needing a restart. next is not changed
 * and stays the caller's. Returns 0, or -1 when out of memory. */
int tug_config_reload(struct tug_daemon_config *cur, const struct tug_daemon_config *next,
		      uint64_t *changed, char *ignored, size_t ignored_size, struct err *e);

/* Docker's sizes ("10m", "1.5g", "512k", "100b", "10MB", "10MiB"): the
 * units are decimal, as the json-file driver's max-size (go-units
 * FromHumanSize). */
int tug_config_parse_size(const char *s, int64_t *out, struct err *e);

/* Normalize a -H value as dockerd does: "" is the default socket,
 * "unix://" the default socket, "tcp://" and "tcp://:2376" get
 * localhost and the default port (2376 with tls, else 2375), a bare
 * "host:port" is tcp. out gets a malloc'd string. */
int tug_config_parse_host(const char *val, bool tls, char **out, struct err *e);

#endif
