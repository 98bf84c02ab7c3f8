/* api-pending.c - placeholders for the API parts being written (images);
 * removed as each lands. */
#include "core/daemon/daemon.h"

const struct api_part api_images = { NULL, 0 };
