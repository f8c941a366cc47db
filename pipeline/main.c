/*
 * main.c - pcmon's entry point: global options, then one command from the
 * table below (git's builtin table).
 *
 * The flags of a command's row do the shared set-up once, here: load the
 * configuration, open and migrate the database, take the run lock.  Commands
 * never exit(); they return the process status (cmd.h lists them).
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <sqlite3.h>
#include <zlib.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "store.h"

enum {
	NO_CONFIG = 1 << 0, /* runs without reading the configuration */
	NEED_DB = 1 << 1,   /* ctx->store is open and migrated */
	NEED_LOCK = 1 << 2, /* holds data_dir/pcmon.lock for the whole run */
	NEED_NET = 1 << 3   /* libcurl is initialised (TLS start-up is not free,
	                     * so commands that never fetch skip it) */
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct pcmon_ctx *ctx);
	int flags;
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, NEED_DB | NEED_LOCK | NEED_NET, "the whole job, for cron: crawl, classify, detect, alert" },
	{ "parse", cmd_parse, NO_CONFIG, "parse one feed document, print its entries as JSON lines" },
	{ "feeds", cmd_feeds, NEED_DB, "add, list, remove, import and export feeds (OPML)" },
	{ "ingest", cmd_ingest, NEED_DB | NEED_LOCK, "store the items of saved feed documents" },
	{ "crawl", cmd_crawl, NEED_DB | NEED_LOCK | NEED_NET, "fetch the due feeds over HTTP and store their new items" },
	{ "items", cmd_items, NEED_DB, "list stored items" },
	{ "db", cmd_db, NEED_DB, "database information, integrity check, migration, copy" },
	{ "config", cmd_config, 0, "check and print the configuration" },
	{ "train", cmd_train, 0, "train a model from labeled examples" },
	{ "eval", cmd_eval, 0, "score a model on labeled examples" },
	{ "predict", cmd_predict, 0, "label JSON lines of items with a model" },
	{ "classify", cmd_classify, NEED_DB | NEED_LOCK, "score the stored items not yet scored by the model" },
	{ "label", cmd_label, NEED_DB | NEED_LOCK, "label items: suggest, set, import, export, agreement" },
	{ "model", cmd_model, 0, "the model in use; roll back to the previous one" },
	{ "trends", cmd_trends, NEED_DB, "related stories per day, week or month, per theme, country..." },
	{ "detect", cmd_detect, NEED_DB | NEED_LOCK | NEED_NET, "find spikes in the stored series (or a CSV) and send alerts" },
	{ "report", cmd_report, NEED_DB, "write the HTML report: charts, stories, alerts, feed health" },
	{ "evidence", cmd_evidence, NEED_DB, "a citable bundle of the items and raw feeds behind an alert" },
	{ "export", cmd_export, NEED_DB, "stored items with their scores as CSV or JSON lines" },
	{ "alerts", cmd_alerts, NEED_DB | NEED_LOCK | NEED_NET, "list alerts; deliver the pending ones; test the channels" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/*
 * Commands with NEED_LOCK where only the subcommands that write take the
 * lock (the subcommand is the first argument); the reading ones run
 * beside a crawl.
 */
static const struct {
	const char *name;
	const char *writers[4];
} lock_writers[] = {
	{ "label", { "set", "import", NULL } },
	{ "alerts", { "deliver", NULL } },
};

/*
 * Arguments that change what a command needs (the first match wins): an
 * option anywhere before "--" ("--input" or "--input=FILE"), or with sub
 * set, the subcommand (the first argument).  The flags become
 * (flags & ~clear) | set.
 */
static const struct {
	const char *name, *arg;
	int sub, clear, set;
} overrides[] = {
	/* a contract for other tools: works on its input alone, and must
	 * not create a database */
	{ "detect", "--input", 0, ~0, NO_CONFIG },
	/* names both databases on its command line; the configured one may
	 * be neither */
	{ "db", "copy", 1, NEED_DB | NEED_LOCK, 0 },
	/* one of many workers sharing a database, which coordinate through
	 * leases and row locks in the database itself */
	{ "crawl", "--worker", 0, NEED_LOCK, 0 },
	{ "classify", "--worker", 0, NEED_LOCK, 0 },
};

static int
matches(const char *a, const char *opt)
{
	size_t n = strlen(opt);

	return strncmp(a, opt, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

static int
command_flags(const struct command *c, int argc, char **argv)
{
	size_t i;
	int j;

	for (i = 0; i < sizeof(overrides) / sizeof(overrides[0]); i++) {
		if (strcmp(overrides[i].name, c->name) != 0)
			continue;
		for (j = 1; j < argc && strcmp(argv[j], "--") != 0; j++) {
			if (overrides[i].sub ? strcmp(argv[j], overrides[i].arg) == 0
			                     : matches(argv[j], overrides[i].arg))
				return (c->flags & ~overrides[i].clear) |
				       overrides[i].set;
			if (overrides[i].sub)
				break; /* only the first argument */
		}
	}
	return c->flags;
}

static int
needs_lock(const struct command *c, int flags, int argc, char **argv)
{
	size_t i, j;

	if (!(flags & NEED_LOCK))
		return 0;
	for (i = 0; i < sizeof(lock_writers) / sizeof(lock_writers[0]); i++) {
		if (strcmp(lock_writers[i].name, c->name) != 0)
			continue;
		for (j = 0; argc > 1 && lock_writers[i].writers[j]; j++)
			if (strcmp(argv[1], lock_writers[i].writers[j]) == 0)
				return 1;
		return 0;
	}
	return 1;
}

static const char main_usage[] =
	"usage: pcmon [-c FILE] [-q | -v] COMMAND [ARGS]\n"
	"       pcmon --version | --help\n";

static void
print_help(FILE *fp)
{
	size_t i;

	fputs(main_usage, fp);
	fputs("\npcmon watches news feeds for international police cooperation.\n"
	      "\noptions:\n"
	      "  -c, --config FILE  configuration file (default: $PCMON_CONFIG,\n"
	      "                     ~/.config/pcmon/pcmon.conf, /etc/pcmon/pcmon.conf)\n"
	      "  -q, --quiet        print only errors\n"
	      "  -v, --verbose      print debugging messages\n"
	      "      --version      print versions of pcmon and its libraries\n"
	      "\ncommands:\n", fp);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'pcmon COMMAND --help' describes one command; 'man pcmon' all of them.\n",
	      fp);
}

static void
print_version(void)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	printf("pcmon %s\n", PCMON_VERSION);
	printf("libcurl %s, libxml2 %s, SQLite %s, zlib %s, jansson %s\n",
	       cv->version, xmlParserVersion, sqlite3_libversion(),
	       zlibVersion(), jansson_version_str());
}

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* mkdir -p for the data directory; 0 on success. */
static int
make_dirs(const char *path)
{
	char buf[4096];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * The run lock: flock() on data_dir/pcmon.lock.  The kernel drops it when the
 * process dies, so a kill -9 never leaves a stale lock behind.
 */
static int
take_lock(struct pcmon_ctx *ctx)
{
	char path[4096];
	int fd;

	if (make_dirs(ctx->cfg->data_dir) != 0) {
		fprintf(stderr, "pcmon: cannot create data directory '%s': %s\n",
		        ctx->cfg->data_dir, strerror(errno));
		return EXIT_FAIL;
	}
	if (snprintf(path, sizeof(path), "%s/pcmon.lock", ctx->cfg->data_dir) >=
	    (int)sizeof(path)) {
		fprintf(stderr, "pcmon: data directory path too long\n");
		return EXIT_FAIL;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "pcmon: cannot open lock file '%s': %s\n", path,
		        strerror(errno));
		return EXIT_FAIL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			fprintf(stderr, "pcmon %s: another pcmon is running "
			        "(lock '%s' is held); nothing done\n", ctx->cmd,
			        path);
		else
			fprintf(stderr, "pcmon: cannot lock '%s': %s\n", path,
			        strerror(errno));
		close(fd);
		return EXIT_LOCKED;
	}
	ctx->lock_fd = fd;
	return 0;
}

/* Removes "--config FILE" / "--config=FILE" given after the command name,
 * so every command accepts it; returns the value or NULL. */
static const char *
take_config_arg(int *argc, char **argv)
{
	const char *val = NULL;
	int i, j, n;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		n = 0;
		if (strcmp(argv[i], "--config") == 0 && i + 1 < *argc) {
			val = argv[i + 1];
			n = 2;
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			val = argv[i] + 9;
			n = 1;
		}
		if (n) {
			for (j = i; j + n <= *argc; j++)
				argv[j] = argv[j + n];
			*argc -= n;
			i--;
		}
	}
	return val;
}

int
main(int argc, char **argv)
{
	struct pcmon_ctx ctx = { .prog = "pcmon", .lock_fd = -1 };
	const struct command *c;
	const char *config_arg = NULL, *later;
	char err[1024];
	char *config_path = NULL;
	int verbosity = 0, i, status, flags;

	/* UTF-8 aware character handling, but '.' stays the decimal point:
	 * only LC_CTYPE changes (libsvm files and JSON need it) */
	setlocale(LC_CTYPE, "C.UTF-8");

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (++i >= argc) {
				fprintf(stderr, "pcmon: %s needs a FILE\n", a);
				return EXIT_USAGE;
			}
			config_arg = argv[i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			config_arg = a + 9;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			verbosity = -1;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			verbosity = 1;
		} else if (strcmp(a, "--version") == 0) {
			print_version();
			return EXIT_OK;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "pcmon: unknown option '%s'\n", a);
			fputs(main_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 >= argc) {
			print_help(stdout);
			return EXIT_OK;
		}
		if (!(c = find_command(argv[i + 1]))) {
			fprintf(stderr, "pcmon: '%s' is not a pcmon command\n",
			        argv[i + 1]);
			return EXIT_USAGE;
		}
		{
			char *hargv[] = { argv[i + 1], "--help", NULL };

			ctx.cmd = c->name;
			return c->fn(2, hargv, &ctx);
		}
	}
	if (strcmp(argv[i], "version") == 0) {
		print_version();
		return EXIT_OK;
	}
	if (!(c = find_command(argv[i]))) {
		fprintf(stderr, "pcmon: '%s' is not a pcmon command; see 'pcmon --help'\n",
		        argv[i]);
		return EXIT_USAGE;
	}
	ctx.cmd = c->name;
	argc -= i;
	argv += i;
	if ((later = take_config_arg(&argc, argv)))
		config_arg = later;

	/* "--help" needs neither configuration nor database */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return c->fn(argc, argv, &ctx);

	flags = command_flags(c, argc, argv);
	if (!(flags & NO_CONFIG)) {
		config_path = config_find(config_arg);
		if (config_load(config_path, &ctx.cfg, err, sizeof(err)) != 0) {
			fprintf(stderr, "pcmon: %s\n", err);
			free(config_path);
			return EXIT_USAGE;
		}
		free(config_path);
		if (log_open(verbosity < 0 ? LOG_ERROR
		             : verbosity > 0 ? LOG_DEBUG : ctx.cfg->log_level,
		             ctx.cfg->log_file) != 0)
			fprintf(stderr, "pcmon: cannot open log file '%s': %s; "
			        "logging to stderr\n", ctx.cfg->log_file,
			        strerror(errno));
	} else {
		log_open(verbosity < 0 ? LOG_ERROR
		         : verbosity > 0 ? LOG_DEBUG : LOG_INFO, NULL);
	}

	status = EXIT_OK;
	if (needs_lock(c, flags, argc, argv) && (status = take_lock(&ctx)) != 0)
		goto out;
	if (flags & NEED_DB) {
		if (strstr(ctx.cfg->database, "://") == NULL &&
		    make_dirs(ctx.cfg->data_dir) != 0) {
			fprintf(stderr, "pcmon: cannot create data directory '%s': %s\n",
			        ctx.cfg->data_dir, strerror(errno));
			status = EXIT_DB;
			goto out;
		}
		if (store_open(ctx.cfg->database, &ctx.store, err, sizeof(err)) !=
		    STORE_OK) {
			fprintf(stderr, "pcmon: %s\n", err);
			status = EXIT_DB;
			goto out;
		}
	}
	if ((flags & NEED_NET) && curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "pcmon: cannot initialise libcurl\n");
		status = EXIT_FAIL;
		goto out;
	}
	status = c->fn(argc, argv, &ctx);
	if (flags & NEED_NET)
		curl_global_cleanup();
out:
	store_close(ctx.store);
	if (ctx.lock_fd >= 0)
		close(ctx.lock_fd);
	log_close();
	config_free(ctx.cfg);
	if (fflush(stdout) != 0 && status == EXIT_OK) {
		fprintf(stderr, "pcmon: cannot write output: %s\n",
		        strerror(errno));
		status = EXIT_FAIL;
	}
	return status;
}
