/*
 * cmd_config.c - "pcmon config": check the configuration and print it.
 *
 * Loading already validated every key (main.c), so reaching this command
 * means the file is good; we say which file it was and show the values.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"

static const char usage[] =
	"usage: pcmon config [--defaults | --path]\n"
	"\n"
	"Checks the configuration file and prints the effective values.\n"
	"  --defaults  print every key with its built-in default\n"
	"  --path      print only the path of the file in use\n";

CMD_FN(cmd_config)
{
	static const struct option opts[] = {
		{ "defaults", no_argument, NULL, 'd' },
		{ "path", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, defaults = 0, path = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': defaults = 1; break;
		case 'p': path = 1; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (defaults) {
		config_dump_defaults(stdout);
		return EXIT_OK;
	}
	if (path) {
		printf("%s\n", ctx->cfg->path ? ctx->cfg->path : "(built-in defaults)");
		return EXIT_OK;
	}
	config_dump(ctx->cfg, stdout);
	return EXIT_OK;
}
