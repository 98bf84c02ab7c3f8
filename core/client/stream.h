/* stream.h - a hijacked attach/exec stream pumped between the terminal
 * and the daemon (attach.c). */
#ifndef TUG_CLIENT_STREAM_H
#define TUG_CLIENT_STREAM_H

#include <stdbool.h>

#include "core/client/api.h"
#include "core/client/demux.h"

struct eng_stream {
	struct api_conn *conn; /* borrowed: the hijacked connection */
	struct api_client *api; /* borrowed: for resize requests */
	const char *resize_path; /* "/containers/ID/resize" or "/exec/ID/resize"; NULL: none */
	bool tty; /* raw output; stdin's terminal in raw mode */
	bool stdin_open; /* copy our stdin up; false: half-close at once */
	struct demux dm;
};

/* Until the daemon closes the stream. */
int eng_stream_run(struct eng_stream *s, struct err *e);
/* Send the terminal's size to resize_path. */
void eng_resize(struct api_client *c, const char *resize_path);

#endif
