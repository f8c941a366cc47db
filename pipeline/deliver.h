/*
 * deliver.h - one delivery attempt of one alert: an HTTP webhook (JSON or a
 * Slack/Mattermost text payload) or an e-mail through an SMTP server, both
 * through libcurl.
 *
 * Nothing here remembers anything: the caller records which alert reached
 * which channel and retries a failed one on the next run.  What makes a
 * retry harmless is m->id, the same on every attempt: it is the webhook's
 * Idempotency-Key and X-Pcmon-Alert header and the mail's Message-ID
 * (<id@pcmon>), so a receiver that got the first attempt can drop the
 * second.  The caller has called curl_global_init(); nothing here does.
 */
#ifndef PCMON_DELIVER_H
#define PCMON_DELIVER_H

#include <stddef.h>

enum { DELIVER_JSON = 0, DELIVER_SLACK = 1 };
enum { DELIVER_TLS_TRY = 0, DELIVER_TLS_REQUIRE = 1, DELIVER_TLS_NONE = 2 };

/* All strings borrowed for the call, UTF-8. */
struct deliver_message {
	const char *id;      /* stable per alert ("pcmon-alert-42"): letters,
	                        digits and . _ + - only, at most 200 bytes */
	const char *subject; /* one line: CR or LF is refused */
	const char *text;    /* plain-text body, any lines ("." alone too) */
	const char *json;    /* the alert as a JSON object (webhook, json) */
};

struct deliver_webhook {
	const char *url;        /* http:// or https:// only */
	int format;             /* DELIVER_JSON: POST m->json as is;
	                           DELIVER_SLACK: {"text": subject\ntext} */
	long timeout;           /* seconds for the whole request; <= 0: 30 */
	const char *ca_file;    /* NULL or "": the system's CAs */
	const char *user_agent; /* NULL: "pcmon/VERSION" */
};

struct deliver_smtp {
	const char *url;             /* smtp://host[:port] or smtps://... */
	const char *user, *password; /* user NULL or "": no AUTH */
	const char *from;            /* "a@b" or "Name <a@b>" */
	const char *const *to;       /* the same forms, nto of them */
	size_t nto;
	int tls;             /* DELIVER_TLS_*: TRY uses STARTTLS when the
	                        server offers it, REQUIRE fails without it;
	                        with a user, TRY acts as REQUIRE (a password
	                        never goes out in clear unless tls is NONE) */
	const char *ca_file; /* NULL or "": the system's CAs */
	int insecure;        /* nonzero: do not verify the server's
	                        certificate (tests, self-signed relays) */
	long timeout;        /* seconds for the whole session; <= 0: 30 */
};

/* One attempt.  0: the receiver accepted it (HTTP 2xx; SMTP: the reply to
 * the end of DATA was 250).  -1: not delivered; err says why in one line,
 * starting with "webhook 'URL'" or "mail 'URL'" (the URL without its path
 * or credentials: a webhook's path is often its secret) and giving the
 * HTTP status and first line of the body, the SMTP reply or curl's error.
 * A -1 for bad input (CR/LF in a header, bad id or address) happens before
 * anything is sent and fails the same way on every retry. */
int deliver_webhook_send(const struct deliver_webhook *w,
                         const struct deliver_message *m, char *err,
                         size_t errsz);
int deliver_smtp_send(const struct deliver_smtp *s,
                      const struct deliver_message *m, char *err, size_t errsz);

/* Config values: "json" | "slack", "try" | "require" | "none".
 * 0 and *out set, or -1 and *out untouched. */
int deliver_parse_format(const char *s, int *out);
int deliver_parse_tls(const char *s, int *out);

#endif
