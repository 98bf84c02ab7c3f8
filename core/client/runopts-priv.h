/* runopts-priv.h - what the two halves of the create body share. */
#ifndef TUG_CLIENT_RUNOPTS_PRIV_H
#define TUG_CLIENT_RUNOPTS_PRIV_H

#include "core/client/runopts.h"

cJSON *run_str_array(const struct args_list *l); /* null when empty */
cJSON *run_kv_object(const struct args_list *l); /* "k=v" -> {"k":"v"} */
/* HostConfig's fields into hc; binds and bindings (PortBindings) are
 * given (owned by hc from here on). */
int run_body_host(const struct run_opts *o, cJSON *hc, cJSON *binds, cJSON *bindings,
		  struct err *e);

#endif
