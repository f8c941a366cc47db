/*
 * log.h - the pipeline's log: UTC timestamps and levels, to stderr or to the
 * configured log file.  Only pipeline/ logs; crawler/ and classify/ return
 * codes and messages that pipeline/ reports.
 */
#ifndef PCMON_LOG_H
#define PCMON_LOG_H

#include "config.h"

/* level: enum log_level; file: NULL for stderr.  Returns -1 if the log file
 * cannot be opened (logging then goes to stderr). */
int log_open(int level, const char *file);
void log_close(void);
void log_set_level(int level); /* enum log_level */
int log_enabled(int level);

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

void log_msg(int level, const char *fmt, ...) LOG_PRINTF(2, 3);
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
