/* daemon.c - `tug daemon` (also `tugd`): settings, the store, the
 * listeners, the route table and the loop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/applet.h"
#include "core/daemon/ctr.h"
#include "core/daemon/config.h"
#include "core/daemon/daemon.h"
#include "core/daemon/listen.h"
#include "core/daemon/networks.h"
#include "core/daemon/volumes.h"
#include "applets.h"
#include "version.h"
#include "file.h"
#include "log.h"

//applet: daemon tug_daemon_main "Run the daemon: the Docker Engine API on a socket"
//alias: tugd daemon

static struct daemon D;
static struct tug_daemon_config C;

int64_t daemon_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void daemon_time_str(int64_t ns, char *buf, size_t size)
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;
	char t[32];

	if (ns <= 0) {
		snprintf(buf, size, "0001-01-01T00:00:00Z");
		return;
	}
	gmtime_r(&s, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09lldZ", t, (long long)(ns % 1000000000));
}

/* Every request: the API version in the path is checked first, as dockerd
 * does (too new: 400 JSON; too old: 400 text). */
static bool pre(struct hx *x)
{
	int maj = x->rq.api_major, min = x->rq.api_minor;

	if (!maj && !min)
		return false;
	if (maj > 1 || (maj == 1 && min > 47)) {
		hx_error(x, 400,
			 "client version %d.%d is too new. Maximum supported API version is %s",
			 maj, min, TUG_API_VERSION);
		return true;
	}
	if (maj < 1 || min < 24) {
		char msg[256];
		int n = snprintf(
			msg, sizeof(msg),
			"client version %d.%d is too old. Minimum supported API version is "
			"%s, please upgrade your client to a newer version\n",
			maj, min, TUG_API_MIN_VERSION);
		hx_body(x, 400, "text/plain; charset=utf-8", msg, (size_t)n);
		return true;
	}
	return false;
}

static void not_found(struct hx *x)
{
	hx_error(x, 404, "page not found");
}

static struct hroute *all_routes(size_t *n)
{
	const struct api_part *parts[] = {&api_system, &api_events,  &api_containers, &api_exec,
					  &api_images, &api_volumes, &api_networks};
	struct hroute *r;
	size_t k = 0;

	*n = 0;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		*n += parts[i]->n;
	r = calloc(*n ? *n : 1, sizeof(*r));
	if (!r)
		return NULL;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		for (size_t j = 0; j < parts[i]->n; j++)
			r[k++] = parts[i]->routes[j];
	return r;
}

static int sigpipe_fd[2] = {-1, -1};

/* The handler only writes the signal's number; the loop does the work. */
static void on_signal(int sig)
{
	char b = (char)sig;

	if (write(sigpipe_fd[1], &b, 1) < 0) {
		/* a full pipe: a stop or a reload is pending already */
	}
}

/* SIGTERM/SIGINT: stop the containers (unless live-restore) while the loop
 * still hears their exits, then stop the loop. */
static void shutdown_thread(void *arg)
{
	(void)arg;
	/* no probe outlives the daemon, live-restore or not */
	ctr_health_shutdown(&D);
	ctr_shutdown(&D);
	hsrv_stop(D.srv);
}

static void on_term(int fd, void *arg)
{
	char b[16];
	bool term = false, hup = false;
	static bool once;
	ssize_t n;

	(void)arg;
	while ((n = read(fd, b, sizeof(b))) > 0)
		for (ssize_t i = 0; i < n; i++)
			*(b[i] == SIGHUP ? &hup : &term) = true;
	/* SIGHUP: reload in the loop (a small file; no client waits on it). */
	if (hup && !once)
		daemon_reload(&D);
	if (!term || once)
		return;
	once = true;
	log_msg(LOG_LEVEL_INFO, "tug daemon: stopping");
	if (hsrv_spawn(shutdown_thread, NULL, NULL) < 0)
		hsrv_stop(D.srv);
}

static void settings(void)
{
	snprintf(D.data_root, sizeof(D.data_root), "%s",
		 C.data_root     ? C.data_root
		 : tug_data_root ? tug_data_root
				 : "/var/lib/tug");
	snprintf(D.exec_root, sizeof(D.exec_root), "%s", C.exec_root ? C.exec_root : "/run/tug");
	D.live_restore = C.live_restore;
	D.log_driver = C.log_driver ? C.log_driver : "json-file";
	D.log_max_size = C.log_max_size > 0 ? C.log_max_size : 0;
	D.log_max_file = C.log_max_file > 0 ? C.log_max_file : 1;
	D.storage_driver = C.storage_driver;
	daemon_apply_log_level(&C);
}

/* What a pull or load killed with a previous daemon had committed (layers
 * and blobs no image record names yet) is collected after the restore
 * (containers pin their layers) and before the loop serves: nothing is in
 * flight. A failure only costs disk space. */
static void discard_unused(struct oci_store *s)
{
	struct err e = {0};
	uint64_t freed = 0;

	if (oci_store_gc(s, &freed, &e) < 0)
		log_msg(LOG_LEVEL_WARN, "image store: %s", e.msg);
	else if (freed)
		log_msg(LOG_LEVEL_INFO,
			"image store: %llu bytes of layers and blobs no image uses were "
			"discarded (an interrupted pull or load)",
			(unsigned long long)freed);
}

static int setup(struct err *e)
{
	settings();
	snprintf(D.containers_dir, sizeof(D.containers_dir), "%s/containers", D.data_root);
	snprintf(D.volumes_dir, sizeof(D.volumes_dir), "%s/volumes", D.data_root);
	snprintf(D.runtime_root, sizeof(D.runtime_root), "%s/runtime", D.exec_root);
	snprintf(D.shims_dir, sizeof(D.shims_dir), "%s/shims", D.exec_root);
	ssize_t n = readlink("/proc/self/exe", D.self_exe, sizeof(D.self_exe) - 1);
	if (n < 0)
		return err_sys(e, errno, "readlink /proc/self/exe");
	D.self_exe[n] = '\0';
	if (file_mkdir_p(D.data_root, 0711, e) < 0 || file_mkdir_p(D.containers_dir, 0710, e) < 0 ||
	    file_mkdir_p(D.volumes_dir, 0701, e) < 0 || file_mkdir_p(D.runtime_root, 0700, e) < 0 ||
	    file_mkdir_p(D.shims_dir, 0700, e) < 0)
		return -1;
	if (C.pidfile) {
		char pid[32];
		int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (file_write_replace(AT_FDCWD, C.pidfile, pid, (size_t)len, 0644, e) < 0)
			return err_wrap(e, "pid file");
	}
	if (oci_store_open(&D.store, D.data_root, OCI_STORE_EXCLUSIVE, true, e) < 0)
		return err_wrap(e, "open the image store (is another tug daemon running?)");
	D.store.keep_layer_blobs = true; /* h-images: push and save need them, as with dockerd */
	D.store.pins = ctr_layer_pins;
	D.store.pins_arg = &D;
	if (daemon_engine_id(D.data_root, D.engine_id, e) < 0)
		return -1;
	D.snap = oci_snapshotter_pick(D.containers_dir, D.storage_driver, e);
	if (!D.snap || vol_init(&D, e) < 0 || nw_init(&D, e) < 0)
		return -1;
	pthread_mutex_init(&D.mu, NULL);
	pthread_mutex_init(&D.store_mu, NULL);
	pthread_cond_init(&D.changed, NULL);
	D.started_ns = daemon_now_ns();
	return 0;
}

/* <data-root>/daemon.hosts: the unix sockets this daemon serves, for
 * `tug --data-root DIR system check`, which finds the store locked and
 * asks the daemon instead. Stale after a SIGKILL: the client checks that
 * the daemon it reaches serves that root. */
static void write_hosts(bool remove)
{
	char path[PATH_MAX + 32], buf[4096];
	struct err e;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/daemon.hosts", D.data_root);
	if (remove) {
		unlink(path);
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < C.hosts.n && n < sizeof(buf); i++)
		if (!strncmp(C.hosts.v[i], "unix://", 7))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n", C.hosts.v[i]);
	if (n >= sizeof(buf) || file_write_replace(AT_FDCWD, path, buf, n, 0644, &e) < 0)
		log_msg(LOG_LEVEL_WARN, "%s: not written", path);
}

static int serve(struct err *e)
{
	struct hsrv_opts o = {.user = &D, .pre = pre, .not_found = not_found};
	static char common[256];

	snprintf(common, sizeof(common),
		 "Api-Version: %s\r\nDocker-Experimental: false\r\nOstype: linux\r\n"
		 "Server: tug/%s (linux)\r\n",
		 TUG_API_VERSION, TUG_VERSION);
	o.common_headers = common;
	o.routes = all_routes(&o.nroutes);
	if (!o.routes || hsrv_new(&D.srv, &o, e) < 0)
		return -1;
	if (daemon_listen_open(D.srv, &C, e) < 0)
		return -1;
	write_hosts(false);
	if (ctr_restore_all(&D, e) < 0)
		log_msg(LOG_LEVEL_WARN, "restore containers: %s", e->msg);
	discard_unused(&D.store); /* after the restore: containers pin their layers */
	hsrv_tick(D.srv, 200, ctr_tick, &D);
	if (pipe2(sigpipe_fd, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    hsrv_watch(D.srv, sigpipe_fd[0], on_term, NULL, e) < 0)
		return err_sys(e, errno, "signal pipe");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	log_msg(LOG_LEVEL_INFO, "tug daemon %s: API %s on %s, data-root %s, storage %s",
		TUG_VERSION, TUG_API_VERSION, C.hosts.n ? C.hosts.v[0] : "?", D.data_root,
		D.snap->name);
	return hsrv_run(D.srv, e);
}

int tug_daemon_main(int argc, char **argv)
{
	struct err e = {0};

	tug_config_init(&C);
	if (daemon_reload_init(&C, argc, argv, &e) < 0 ||
	    tug_config_parse_args(&C, argc, argv, &e) < 0) {
		fprintf(stderr, "tug daemon: %s\n", e.msg);
		return TUG_EXIT_USAGE;
	}
	if (C.help) {
		tug_config_usage(stdout);
		return TUG_EXIT_OK;
	}
	umask(022);
	if (tug_config_load(&C, &e) < 0 || setup(&e) < 0 || serve(&e) < 0) {
		fprintf(stderr, "tug daemon: %s\n", e.msg);
		return TUG_EXIT_FAIL;
	}
	daemon_listen_close();
	write_hosts(true);
	if (C.pidfile)
		unlink(C.pidfile);
	log_msg(LOG_LEVEL_INFO, "tug daemon: stopped");
	return TUG_EXIT_OK;
}
