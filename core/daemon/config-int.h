/* config-int.h - what config.c (the key table, flags, reload) and
 * config-parse.c (values, daemon.json, the final checks) share. */
#ifndef TUG_DAEMON_CONFIG_INT_H
#define TUG_DAEMON_CONFIG_INT_H

#include <cJSON.h>

#include "config.h"

/* How a key's value is stored in struct tug_daemon_config. */
enum conf_type { CT_STR, CT_BOOL, CT_INT, CT_STRV };

/* How a value is checked and, for lists, what daemon.json holds. */
enum conf_kind {
	CK_PLAIN,
	CK_PATH, /* a file or folder; made absolute */
	CK_HOST, /* -H: checked now, normalized by tug_config_finish */
	CK_LOGDRV,
	CK_LOGOPT, /* "key=value"; an object of strings in the file */
	CK_LEVEL,
	CK_STORAGE,
	CK_INSECURE,
	CK_MIRROR,
	CK_ULIMIT, /* "name=soft[:hard]"; an object of {Name,Soft,Hard} in the file */
	CK_POOL, /* an array of {base,size} in the file only */
	CK_CIDR,
	CK_DNS,
	CK_NONNEG, /* an int >= 0 */
};

struct conf_def {
	const char *key; /* daemon.json's name, also the long flag's unless flag */
	const char *flag; /* the long flag when it differs ("host"); "" for none */
	char shortname;
	unsigned char type, kind;
	bool reload;
	size_t off;
	const char *meta, *help;
};

extern const struct conf_def tug_conf_defs[TUG_CONF_NKEYS];

static inline void *conf_field(struct tug_daemon_config *c, const struct conf_def *d)
{
	return (char *)c + d->off;
}

/* Check one value (a string, or one element of a list) of key d; *out gets
 * a malloc'd normalized copy. The message is the reason only ("not an IP
 * address"): callers say where the value came from. */
int conf_check(const struct conf_def *d, const char *val, char **out, struct err *e);
int conf_strv_add(struct tug_strv *l, char *owned, struct err *e);
void conf_strv_free(struct tug_strv *l);
int conf_strv_copy(struct tug_strv *dst, const struct tug_strv *src, struct err *e);
/* A value as Go's %v prints it ("[a b]", "map[k:v]", "true", "3"), into
 * buf; for the conflict message. */
void conf_go_value(const cJSON *v, char *buf, size_t size);
void conf_go_field(struct tug_daemon_config *c, const struct conf_def *d, char *buf, size_t size);

#endif
