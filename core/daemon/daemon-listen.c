/* daemon-listen.c - the daemon's listeners on its loop: unix sockets and
 * plaintext TCP go straight to the HTTP server; each TLS connection gets a
 * thread that runs the TLS relay into a socketpair whose other end the
 * server serves like any connection. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/daemon/config.h"
#include "core/daemon/daemon.h"
#include "core/daemon/listen.h"
#include "log.h"
#include "tls-server.h"

static struct tug_listener *L;
static size_t NL;
static struct tls_server_config *TLS;

struct relay {
	int conn, plain;
};

static void relay_thread(void *arg)
{
	struct relay *r = arg;
	struct err e;

	if (tls_server_relay(TLS, r->conn, r->plain, &e) < 0)
		log_msg(LOG_LEVEL_DEBUG, "%s", e.msg);
	close(r->conn);
	close(r->plain);
	free(r);
}

static void on_tls_accept(int lfd, void *arg)
{
	struct hsrv *srv = arg;

	for (int i = 0; i < 16; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), sp[2];
		struct relay *r;

		if (fd < 0)
			return;
		r = malloc(sizeof(*r));
		if (!r || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
			free(r);
			close(fd);
			continue;
		}
		r->conn = fd;
		r->plain = sp[1];
		if (hsrv_adopt(srv, sp[0], NULL) < 0 || hsrv_spawn(relay_thread, r, NULL) < 0) {
			close(fd);
			close(sp[1]);
			free(r);
		}
	}
}

static int tls_setup(const struct tug_daemon_config *c, struct err *e)
{
	if (!CFG_TLS_SERVER)
		return err_set(e, "tcp:// with TLS: this tug was built without the TLS server");
	if (TLS)
		return 0;
	return tls_server_config_new(&TLS, c->tlscert, c->tlskey, c->tlscacert, e);
}

int daemon_listen_open(struct hsrv *srv, const struct tug_daemon_config *c, struct err *e)
{
	struct tug_listen_opts o = {.tls = c->tls,
				    .tlsverify = c->tlsverify,
				    .allow_insecure_tcp = c->allow_insecure_tcp,
				    .group = c->group};
	char warn[512] = "";

	if (tug_listen_open((const char *const *)c->hosts.v, c->hosts.n, &o, &L, &NL, warn,
			    sizeof(warn), e) < 0)
		return -1;
	if (warn[0])
		log_msg(LOG_LEVEL_WARN, "%s", warn);
	for (size_t i = 0; i < NL; i++) {
		int r;
		if (L[i].kind == TUG_LISTEN_TCP_TLS)
			r = tls_setup(c, e) < 0 ? -1
						: hsrv_watch(srv, L[i].fd, on_tls_accept, srv, e);
		else
			r = hsrv_listen(srv, L[i].fd, e);
		if (r < 0)
			return err_wrap(e, "listen on %s", L[i].addr);
	}
	return 0;
}

void daemon_listen_close(void)
{
	tug_listen_close(L, NL);
	L = NULL;
	NL = 0;
}
