/* api-images.h - what the daemon's image endpoint files (api-images*.c)
 * share: the daemon, error statuses, registry options, events. */
#ifndef TUG_DAEMON_API_IMAGES_H
#define TUG_DAEMON_API_IMAGES_H

#include <stdint.h>

#include "core/daemon/daemon.h"
#include "core/daemon/httpd.h"
#include "registry/auth.h"
#include "registry/client.h"

/* The HTTP status for an image error: ENOENT 404, EBUSY 409, EINVAL 400,
 * EACCES 401, else 500. */
int img_status(const struct err *e);

/* Registry options for a request: the daemon's settings as they are now
 * (daemon_registry_settings: insecure registries, mirrors, download
 * limit), TUG_CA_BUNDLE and the credentials of its X-Registry-Auth header
 * (none: the config files). */
struct img_reg {
	struct reg_options o;
	int max_downloads;
	struct reg_creds creds;
	char ins_buf[1024], mir_buf[1024];
	const char *ins[16], *mir[16];
};
int img_reg_init(struct img_reg *r, struct hx *x, struct err *e);
/* Wipe the credentials off the stack. */
void img_reg_done(struct img_reg *r);

/* An "image" event: Actor.ID id, Attributes name=name. */
void img_event(struct daemon *d, const char *action, const char *id, const char *name);
int64_t img_now_ms(void);

/* The Engine API's filters parameter, the legacy {"k":["v"]} and the
 * current {"k":{"v":true}} forms: NULL-terminated values of name (the
 * array is the caller's; its strings point into f). f is the caller's
 * cJSON_Delete. */
int img_filters(struct hx *x, cJSON **f, struct err *e);
const char **img_filter_values(const cJSON *f, const char *name);
int img_filter_check(const cJSON *f, const char *const *allowed, struct err *e);

/* api-images-rm.c, -pull.c, -push.c, -archive.c, -auth.c */
void img_delete(struct hx *x);
void img_prune(struct hx *x);
/* A feature compiled out answers 501 through an inline stub. */
#if CFG_REGISTRY
void img_auth(struct hx *x);
void img_pull(struct hx *x);
#else
static inline void img_auth(struct hx *x)
{
	hx_error(x, 501, "login: this tug was built without the registry client");
}
static inline void img_pull(struct hx *x)
{
	hx_error(x, 501, "pull: this tug was built without the registry client");
}
#endif
#if CFG_PUSH
void img_push(struct hx *x);
#else
static inline void img_push(struct hx *x)
{
	hx_error(x, 501, "push: this tug was built without push");
}
#endif
#if CFG_SAVE_LOAD
void img_save(struct hx *x);
void img_load(struct hx *x);
#else
static inline void img_save(struct hx *x)
{
	hx_error(x, 501, "save: this tug was built without image archives");
}
static inline void img_load(struct hx *x)
{
	hx_error(x, 501, "load: this tug was built without image archives");
}
#endif

#endif
