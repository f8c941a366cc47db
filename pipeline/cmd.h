/*
 * cmd.h - the pcmon commands, one per pipeline/cmd_*.c file (git's builtin/).
 *
 * Every command has the same signature.  main.c does the shared set-up that
 * a command's flags in the table ask for (load the configuration, open and
 * migrate the database, take the run lock) before calling it, and the
 * tear-down after.  A command reports its own errors on stderr and returns
 * the process exit status.
 */
#ifndef PCMON_CMD_H
#define PCMON_CMD_H

struct pcmon_config;
struct store;

/* Exit statuses shared by every command (the man page lists them). */
enum pcmon_exit {
	EXIT_OK = 0,
	EXIT_PARTIAL = 1, /* the run went on, but something failed (a feed, a file) */
	EXIT_USAGE = 2,   /* bad command line or configuration */
	EXIT_DB = 3,      /* the database could not be opened, migrated or written */
	EXIT_LOCKED = 4,  /* another pcmon holds the lock: nothing was done */
	EXIT_FAIL = 5     /* any other failure of the command itself */
};

struct pcmon_ctx {
	const char *prog;            /* "pcmon" */
	const char *cmd;             /* the command's name */
	struct pcmon_config *cfg;    /* loaded unless the command has NO_CONFIG */
	struct store *store;         /* open when the command has NEED_DB */
	int lock_fd;                 /* held when the command has NEED_LOCK */
};

#define CMD_FN(name) int name(int argc, char **argv, struct pcmon_ctx *ctx)

CMD_FN(cmd_parse);
CMD_FN(cmd_feeds);
CMD_FN(cmd_ingest);
CMD_FN(cmd_crawl);
CMD_FN(cmd_items);
CMD_FN(cmd_db);
CMD_FN(cmd_config);
CMD_FN(cmd_train);
CMD_FN(cmd_eval);
CMD_FN(cmd_predict);
CMD_FN(cmd_classify);
CMD_FN(cmd_label);
CMD_FN(cmd_model);
CMD_FN(cmd_detect);
CMD_FN(cmd_trends);
CMD_FN(cmd_alerts);
CMD_FN(cmd_run);
CMD_FN(cmd_export);
CMD_FN(cmd_report);
CMD_FN(cmd_evidence);

/*
 * Helpers for commands (main.c): usage output in one format, so that
 * "--help" goes to stdout with status 0 and a usage error goes to stderr with
 * EXIT_USAGE.
 */
int cmd_usage(const struct pcmon_ctx *ctx, const char *synopsis, int status);

#endif
