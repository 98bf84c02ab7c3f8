/* log.h - the daemon's and the shim's log lines: leveled, to stderr or a file,
 * as text ("time level msg") or as JSON lines. The one module that prints. */
#ifndef TUG_LOG_H
#define TUG_LOG_H

#include <stdarg.h>

#include "err.h"

/* Not LOG_INFO etc.: those are <syslog.h> macros. */
enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

enum log_format {
	LOG_FORMAT_TEXT, /* 2026-01-02T03:04:05.678Z info message */
	LOG_FORMAT_JSON, /* {"level":"info","time":"...","msg":"message"} */
};

/* A line longer than this is cut and ends in "..." */
#define LOG_MSG_MAX 4096

/* Configure before starting threads: the settings are plain globals. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_set_format(enum log_format format);

/* Log to fd from now on. The fd stays the caller's (borrowed); -1 means
 * stderr again. Closes a file opened by log_open_file. */
void log_set_fd(int fd);

/* Log to a file opened for append (created 0640); the log module owns the fd
 * until the next log_set_fd/log_open_file/log_close. */
int log_open_file(const char *path, struct err *e);
void log_close(void);

/* "debug", "info", "warn" (or "warning"), "error" (also "fatal", as
 * dockerd accepts it) for --log-level; "text" or "json" for formats. */
int log_level_parse(const char *s, enum log_level *out, struct err *e);
int log_format_parse(const char *s, enum log_format *out, struct err *e);
const char *log_level_name(enum log_level level);

/* True when a message at level would be written: guards costly debug. */
int log_enabled(enum log_level level);

/* One message is one write(2), so lines from several processes sharing an
 * O_APPEND file do not interleave. A trailing newline in fmt is dropped. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
