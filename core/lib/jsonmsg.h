/* jsonmsg.h - Docker's JSON progress messages (what dockerd streams for a
 * pull, push or load, one object a line): statuses, the progress bar it
 * preformats, errors, and the rate at which progress may be sent. */
#ifndef TUG_JSONMSG_H
#define TUG_JSONMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

/* go-units HumanSizeWithPrecision(n, 4): "36.41kB", "1.088MB", "553kB". */
char *jsonmsg_size(int64_t n, char *buf, size_t size);
/* JSONProgress.String() without a start time: "[=>    ...]  36.41kB/1.088MB"
 * (50 columns); "" when there is nothing to show. */
char *jsonmsg_bar(int64_t current, int64_t total, char *buf, size_t size);

/* {"status":...,"progressDetail":{},"id":...}: id may be NULL; detail
 * false leaves progressDetail out ("Pulling from x", "Digest: ..."). */
cJSON *jsonmsg_status(const char *status, const char *id, bool detail);
/* {"status":...,"progressDetail":{"current":c,"total":t},"progress":"[==>..",
 * "id":...} */
cJSON *jsonmsg_progress(const char *status, const char *id, int64_t current, int64_t total);
/* {"errorDetail":{"message":m},"error":m} */
cJSON *jsonmsg_error(const char *msg);
/* {"stream":text} (load's "Loaded image: x\n") */
cJSON *jsonmsg_stream(const char *text);

/* At most one progress message per interval for one layer: true when one
 * may go at now_ms (and then counts it as sent). */
struct jsonmsg_rate {
	int64_t last_ms;
	bool sent;
};
bool jsonmsg_rate_ok(struct jsonmsg_rate *r, int64_t now_ms, int64_t interval_ms);

#endif
