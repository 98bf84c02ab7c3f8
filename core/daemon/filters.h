/* filters.h - the Engine API's `filters` query parameter: a JSON map of
 * names to values, in the new form {"status":{"running":true}} or the old
 * {"status":["running"]}, and the time parameters of events and logs. */
#ifndef TUG_DAEMON_FILTERS_H
#define TUG_DAEMON_FILTERS_H

#include <stdbool.h>
#include <stdint.h>
#include <cJSON.h>

#include "core/daemon/httpd.h"

struct filters {
	cJSON *map; /* name -> array of strings; NULL when none */
};

/* From ?filters=... of x; a malformed value is an error
 * ("invalid filter ..."). */
int filters_parse(struct hx *x, struct filters *f, struct err *e);
int filters_parse_str(const char *s, struct filters *f, struct err *e);
void filters_free(struct filters *f);
/* Is there a filter called name? */
bool filters_has(const struct filters *f, const char *name);
/* True when there is no filter called name, or one of its values equals v. */
bool filters_match(const struct filters *f, const char *name, const char *v);
/* Each value of name: fn returns non-zero to stop (and that is returned). */
int filters_each(const struct filters *f, const char *name, int (*fn)(const char *v, void *arg),
		 void *arg);
/* label filters ("k" or "k=v") against a Labels object (may be NULL). */
bool filters_labels(const struct filters *f, const char *name, const cJSON *labels);
/* Only these names may be used; else "invalid filter 'x'". */
int filters_check(const struct filters *f, const char *const *allowed, struct err *e);
/* An event (as events.c records it) against type, event/action, container,
 * image, volume, network, label, scope filters. */
bool filters_event_match(const struct filters *f, const cJSON *ev);
/* "1700000000", "1700000000.5", an RFC 3339 time, or a duration back from
 * now ("10m", "1h30m") -> ns since the epoch; def on garbage. */
int64_t filters_time_ns(const char *s, int64_t def);

#endif
