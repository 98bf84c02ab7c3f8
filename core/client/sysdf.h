/* sysdf.h - `tug system df` and `tug system prune` (sysdf.c, sysdf-v.c,
 * prune.c), called by tug_system_main. */
#ifndef TUG_CLIENT_SYSDF_H
#define TUG_CLIENT_SYSDF_H

#include <cJSON.h>

#include "err.h"

int tug_system_df_main(int argc, char **argv);
int tug_system_prune_main(int argc, char **argv);

/* df -v: the images, containers, volumes and build cache of du (the
 * /system/df answer) in docker's tables, or through format. */
int sysdf_verbose(const cJSON *du, const char *format, struct err *e);

#endif
