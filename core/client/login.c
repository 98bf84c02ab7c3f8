/* login.c - `tug login` checks credentials against the registry and keeps
 * them in Docker's config.json; `tug logout` removes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/cli.h"
#include "registry/client.h"
#include "registry/ref.h"

//applet: login tug_login_main "Log in to a registry"
//applet: logout tug_logout_main "Log out from a registry"

static const char *login_user, *login_pass;
static int login_stdin;

static int read_line(const char *prompt, bool echo, char *buf, size_t size)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);

	if (prompt && tty) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
	}
	if (!echo && tty && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	if (!fgets(buf, (int)size, stdin))
		buf[0] = '\0';
	if (!echo && tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf[0] ? 0 : -1;
}

/* The domain a login is for: "docker.io" when none is given. */
static int server_domain(const char *arg, char *out, size_t size, struct err *e)
{
	const char *p = arg ? strstr(arg, "://") : NULL;

	if (!arg)
		return snprintf(out, size, "docker.io"), 0;
	p = p ? p + 3 : arg;
	snprintf(out, size, "%.*s", (int)strcspn(p, "/"), p);
	if (!strcmp(out, "index.docker.io") || !strcmp(out, "registry-1.docker.io"))
		snprintf(out, size, "docker.io");
	return out[0] ? 0 : err_set(e, "\"%s\" is not a registry address", arg);
}

/* Authenticate once: a GET of /v2/ that must end in 200. */
static int check(const char *domain, const struct reg_creds *c, struct err *e)
{
	struct reg_options o;
	struct reg_session s;
	struct http_client hc;
	struct http_response rs;
	struct http_request rq = {.method = "GET", .url = "/v2/"};
	int r;

	cli_registry_options(&o);
	o.creds = c;
	if (reg_session_open(&s, domain, NULL, &o, e) < 0)
		return -1;
	reg_session_client(&s, &hc);
	r = reg_request(&s, &hc, &rq, "", &rs, e);
	if (r == 0 && rs.status != 200)
		r = reg_http_error(&hc, &rs, "login", e);
	else if (r == 0)
		http_response_end(&hc, &rs);
	http_client_close(&hc);
	reg_session_close(&s);
	return r;
}

int tug_login_main(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"username", 'u', ARGS_VALUE, "string", "username", NULL, &login_user, NULL, NULL},
		{"password", 'p', ARGS_VALUE, "string", "password", NULL, &login_pass, NULL, NULL},
		{"password-stdin", 0, 0, NULL, "take the password from stdin", &login_stdin, NULL,
		 NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug login [OPTIONS] [SERVER]", "Log in to a registry",
					    0, opts};
	struct reg_creds c = {0};
	struct err e = {0};
	char domain[256], path[4096];
	int rc, n = cli_parse(&t, argc, argv, 0, 1, &rc);

	if (n < 0)
		return rc;
	if (login_stdin && login_pass)
		return cli_fail("login",
				(err_set(&e, "--password and --password-stdin are mutually "
					     "exclusive"),
				 &e));
	if (server_domain(n ? argv[1] : NULL, domain, sizeof(domain), &e) < 0)
		return cli_fail("login", &e);
	if (login_user)
		snprintf(c.user, sizeof(c.user), "%s", login_user);
	else if (read_line("Username: ", true, c.user, sizeof(c.user)) < 0)
		return cli_fail("login", (err_set(&e, "a username is needed"), &e));
	if (login_pass)
		snprintf(c.pass, sizeof(c.pass), "%s", login_pass);
	else if (read_line(login_stdin ? NULL : "Password: ", false, c.pass, sizeof(c.pass)) < 0)
		return cli_fail("login", (err_set(&e, "a password is needed"), &e));
	if (login_pass)
		fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Use "
				"--password-stdin.\n");
	if (check(domain, &c, &e) < 0 || reg_creds_user_path(path, sizeof(path), &e) < 0 ||
	    reg_creds_store(path, domain, &c, &e) < 0) {
		memset(&c, 0, sizeof(c));
		return cli_fail("login", &e);
	}
	memset(&c, 0, sizeof(c));
	printf("Login Succeeded\n");
	return 0;
}

int tug_logout_main(int argc, char **argv)
{
	static const struct args_opt opts[] = {{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL}};
	static const struct args_table t = {"tug logout [SERVER]", "Log out from a registry", 0,
					    opts};
	struct err e = {0};
	char domain[256], path[4096];
	int r, rc, n = cli_parse(&t, argc, argv, 0, 1, &rc);

	if (n < 0)
		return rc;
	if (server_domain(n ? argv[1] : NULL, domain, sizeof(domain), &e) < 0 ||
	    reg_creds_user_path(path, sizeof(path), &e) < 0 ||
	    (r = reg_creds_erase(path, domain, &e)) < 0)
		return cli_fail("logout", &e);
	if (r == 1)
		printf("Not logged in to %s\n", domain);
	else
		printf("Removing login credentials for %s\n", domain);
	return 0;
}
