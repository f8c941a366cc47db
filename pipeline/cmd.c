/*
 * cmd.c - what every command shares: usage output in one format, so that
 * "--help" prints to stdout with status 0 and a usage error prints to
 * stderr with EXIT_USAGE.
 */
#include <stdio.h>

#include "cmd.h"

int
cmd_usage(const struct pcmon_ctx *ctx, const char *synopsis, int status)
{
	(void)ctx;
	fputs(synopsis, status == 0 ? stdout : stderr);
	return status;
}
