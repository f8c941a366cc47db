/* deliver.h - alert delivery: HTTP webhooks and SMTP mail via libcurl. */
#ifndef PCMON_DELIVER_H
#define PCMON_DELIVER_H

#include <stddef.h>

enum { DELIVER_JSON = 0, DELIVER_SLACK = 1 };
enum { DELIVER_TLS_TRY = 0, DELIVER_TLS_REQUIRE = 1, DELIVER_TLS_NONE = 2 };

struct deliver_message {
	const char *id;      /* stable per alert ("pcmon-alert-42"), the same on every retry */
	const char *subject; /* one line, UTF-8 */
	const char *text;    /* plain-text body, UTF-8, any lines (including ones starting with ".") */
	const char *json;    /* the alert as a JSON object */
};

struct deliver_webhook {
	const char *url;
	int format;          /* DELIVER_JSON or DELIVER_SLACK */
	long timeout;        /* seconds; <= 0 means no limit */
	const char *ca_file; /* NULL: system default */
	const char *user_agent;
};

struct deliver_smtp {
	const char *url;     /* smtp://host:port or smtps://host:port */
	const char *user, *password;
	const char *from;
	const char *const *to;
	size_t nto;
	int tls;             /* DELIVER_TLS_* */
	const char *ca_file;
	int insecure;        /* nonzero: do not verify the server certificate */
	long timeout;        /* seconds; <= 0 means no limit */
};

/* Return 0 when the receiver accepted the message, -1 otherwise with a
 * message naming the URL and the reason in err. curl_global_init must have
 * been called. */
int deliver_webhook_send(const struct deliver_webhook *w, const struct deliver_message *m, char *err, size_t errsz);
int deliver_smtp_send(const struct deliver_smtp *s, const struct deliver_message *m, char *err, size_t errsz);

int deliver_parse_format(const char *s, int *out); /* "json"|"slack" -> 0, else -1 */
int deliver_parse_tls(const char *s, int *out);    /* "try"|"require"|"none" -> 0, else -1 */

#endif
