/*
 * alerts.h - from series to stored alerts, and from stored alerts to the
 * people who read them.
 *
 * Detection (alerts_detect) runs the spike detector (spike.h) over every
 * stored series - the total, each theme, each country, each theme x
 * country pair - and stores each alert once (the database's unique
 * (series, period) key), with the top stories behind it and the model
 * version, and one pending delivery per configured channel, in one
 * transaction.  A series that alerted within [detect] cooldown does not
 * alert again.
 *
 * Delivery (alerts_deliver) sends what is pending and records each
 * attempt.  A delivery is marked done only after the receiver accepted it,
 * so a failed one is retried on the next run and never lost; a done one is
 * never sent again.  The one gap that remains (the receiver accepted, then
 * pcmon was killed before recording it) is closed on the receiving side:
 * every retry carries the same Idempotency-Key / Message-ID.
 */
#ifndef PCMON_ALERTS_H
#define PCMON_ALERTS_H

#include <stdint.h>

struct pcmon_config;
struct store;

/* The channels cfg configures ("webhook", "email"), in *names (static
 * strings); how many.  -1 when the configuration of one is unusable
 * (printed under prog). */
int alerts_channels(const struct pcmon_config *cfg, const char *prog,
                    const char *names[], int max);

struct alerts_detect_opts {
	const char *model;    /* --model, may be NULL */
	int64_t since_day;    /* judge days from this one (UTC day number) */
	int64_t today;        /* the last day judged */
	int stories;          /* count stories (else items) */
	int quiet;            /* do not print the new alerts */
};
/* Stores the new alerts; *added gets their number.  0, or an exit status
 * (enum pcmon_exit) with the error printed. */
int alerts_detect(const struct pcmon_config *cfg, struct store *st,
                  const struct alerts_detect_opts *o, long *added);

/* Sends the pending deliveries; *sent and *failed count them.  0, or an
 * exit status. */
int alerts_deliver(const struct pcmon_config *cfg, struct store *st,
                   const char *prog, long *sent, long *failed);

/* Sends a test message to every configured channel; 0 when all took it,
 * EXIT_PARTIAL when one failed, EXIT_USAGE when none is configured. */
int alerts_test(const struct pcmon_config *cfg, const char *prog);

#endif
