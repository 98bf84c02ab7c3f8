/* api.h - what the Engine API's handler files share. */
#ifndef TUG_DAEMON_API_H
#define TUG_DAEMON_API_H

#include "core/daemon/ctr.h"
#include "core/daemon/httpd.h"

/* The container x names, held (api_ctr_put); NULL when it answered 404. */
struct ctr *api_ctr(struct hx *x, const char *what);
void api_ctr_put(struct hx *x, struct ctr *c);
/* A body whose Content-Type is given and is not JSON: answered 400. */
bool api_check_json(struct hx *x);

/* api-attach.c */
void api_attach(struct hx *x);
void api_logs(struct hx *x);
void api_resize(struct hx *x);
/* api-top.c */
void api_top(struct hx *x);
/* api-stats.c */
void api_stats(struct hx *x);
/* api-update.c */
void api_update(struct hx *x);

#endif
