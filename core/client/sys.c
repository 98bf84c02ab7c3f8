/* sys.c - `tug version` and `tug info`: the client's block and the
 * daemon's, laid out as the docker CLI prints them. */
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"
#include "version.h"

//applet: version tug_version_main "Show the tug version information"
//applet: info tug_info_main "Display system-wide information"

static const char *o_format;

static const struct args_opt fmt_opts[] = {
	{.name = "format",
	 .shortname = 'f',
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Format output using a custom template",
	 .value = &o_format},
	{0},
};

static void client_block(const struct api_client *c)
{
	printf("Client:\n Version:           %s\n", TUG_VERSION);
	if (c && strcmp(c->version, API_VERSION_MAX))
		printf(" API version:       %s (downgraded from %s)\n", c->version,
		       API_VERSION_MAX);
	else
		printf(" API version:       %s\n", API_VERSION_MAX);
	printf(" Git commit:        %s\n OS/Arch:           linux/%s\n Context:           "
	       "default\n",
	       TUG_GIT_REV,
	       CFG_ARCH_X86_64    ? "amd64"
	       : CFG_ARCH_AARCH64 ? "arm64"
				  : "arm");
}

static void server_block(const cJSON *v)
{
	const cJSON *comp;

	printf("\nServer:\n Engine:\n  Version:          %s\n", eng_str(v, "Version"));
	printf("  API version:      %s (minimum version %s)\n", eng_str(v, "ApiVersion"),
	       eng_str(v, "MinAPIVersion"));
	printf("  Go version:       %s\n  Git commit:       %s\n  Built:            %s\n",
	       eng_str(v, "GoVersion"), eng_str(v, "GitCommit"), eng_str(v, "BuildTime"));
	printf("  OS/Arch:          %s/%s\n  Experimental:     %s\n", eng_str(v, "Os"),
	       eng_str(v, "Arch"),
	       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "Experimental")) ? "true"
										 : "false");
	cJSON_ArrayForEach(comp, cJSON_GetObjectItemCaseSensitive(v, "Components"))
	{
		if (!strcmp(eng_str(comp, "Name"), "Engine"))
			continue;
		printf(" %s:\n  Version:          %s\n  GitCommit:        %s\n",
		       eng_str(comp, "Name"), eng_str(comp, "Version"),
		       eng_str(cJSON_GetObjectItemCaseSensitive(comp, "Details"), "GitCommit"));
	}
}

int tug_version_main(int argc, char **argv)
{
	static const struct args_table t = {"tug version [OPTIONS]",
					    "Show the tug version information", ARGS_INTERSPERSED,
					    fmt_opts};
	struct api_client c;
	struct err e = {0};
	cJSON *v = NULL;
	int rc, n = cli_parse(&t, argc, argv, 0, 0, &rc);

	if (n < 0)
		return rc;
	if (api_init(&c, tug_host, &e) < 0 || api_ping(&c, &e) < 0 ||
	    api_json(&c, "GET", "/version", NULL, &v, &e) < 0) {
		if (!o_format)
			client_block(NULL);
		api_close(&c);
		return eng_fail(&e, ENG_EXIT_FAIL);
	}
	if (o_format) {
		cJSON *all = cJSON_CreateObject(), *cl = cJSON_CreateObject();
		struct tmpl *tp = NULL;
		struct tmpl_buf b = {0};

		cJSON_AddStringToObject(cl, "Version", TUG_VERSION);
		cJSON_AddStringToObject(cl, "APIVersion", c.version);
		cJSON_AddItemToObject(all, "Client", cl);
		cJSON_AddItemReferenceToObject(all, "Server", v);
		rc = tmpl_parse(o_format, &tp, &e) < 0 || tmpl_exec(tp, all, &b, &e) < 0
			     ? eng_fail(&e, ENG_EXIT_FAIL)
			     : (printf("%s\n", b.s), 0);
		free(b.s);
		tmpl_free(tp);
		cJSON_Delete(all);
	} else {
		client_block(&c);
		server_block(v);
	}
	cJSON_Delete(v);
	api_close(&c);
	return rc;
}

static void info_server(const cJSON *i)
{
	char mem[32];

	printf("\nServer:\n Containers: %d\n  Running: %d\n  Paused: %d\n  Stopped: %d\n",
	       (int)eng_num(i, "Containers"), (int)eng_num(i, "ContainersRunning"),
	       (int)eng_num(i, "ContainersPaused"), (int)eng_num(i, "ContainersStopped"));
	printf(" Images: %d\n Server Version: %s\n Storage Driver: %s\n", (int)eng_num(i, "Images"),
	       eng_str(i, "ServerVersion"), eng_str(i, "Driver"));
	printf(" Logging Driver: %s\n Cgroup Driver: %s\n Cgroup Version: %s\n",
	       eng_str(i, "LoggingDriver"), eng_str(i, "CgroupDriver"),
	       eng_str(i, "CgroupVersion"));
	printf(" Default Runtime: %s\n Kernel Version: %s\n Operating System: %s\n OSType: %s\n",
	       eng_str(i, "DefaultRuntime"), eng_str(i, "KernelVersion"),
	       eng_str(i, "OperatingSystem"), eng_str(i, "OSType"));
	snprintf(mem, sizeof(mem), "%.2fGiB", eng_num(i, "MemTotal") / (1024.0 * 1024 * 1024));
	printf(" Architecture: %s\n CPUs: %d\n Total Memory: %s\n Name: %s\n ID: %s\n",
	       eng_str(i, "Architecture"), (int)eng_num(i, "NCPU"), mem, eng_str(i, "Name"),
	       eng_str(i, "ID"));
	printf(" Docker Root Dir: %s\n Debug Mode: %s\n Experimental: %s\n",
	       eng_str(i, "DockerRootDir"),
	       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(i, "Debug")) ? "true" : "false",
	       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(i, "ExperimentalBuild")) ? "true"
										      : "false");
	printf(" Live Restore Enabled: %s\n\n",
	       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(i, "LiveRestoreEnabled")) ? "true"
										       : "false");
}

int tug_info_main(int argc, char **argv)
{
	static const struct args_table t = {"tug info [OPTIONS]", "Display system-wide information",
					    ARGS_INTERSPERSED, fmt_opts};
	struct api_client c;
	struct err e = {0};
	cJSON *i = NULL;
	int rc, n = cli_parse(&t, argc, argv, 0, 0, &rc);

	if (n < 0)
		return rc;
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	if (api_json(&c, "GET", "/info", NULL, &i, &e) < 0) {
		api_close(&c);
		return eng_fail(&e, ENG_EXIT_FAIL);
	}
	if (o_format) {
		struct tmpl *tp = NULL;
		struct tmpl_buf b = {0};

		rc = tmpl_parse(o_format, &tp, &e) < 0 || tmpl_exec(tp, i, &b, &e) < 0
			     ? eng_fail(&e, ENG_EXIT_FAIL)
			     : (printf("%s\n", b.s), 0);
		free(b.s);
		tmpl_free(tp);
	} else {
		printf("Client:\n Version:    %s\n Context:    default\n Debug Mode: false\n",
		       TUG_VERSION);
		info_server(i);
	}
	cJSON_Delete(i);
	api_close(&c);
	return rc;
}
