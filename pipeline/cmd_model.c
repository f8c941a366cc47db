/*
 * cmd_model.c - "pcmon model": which model is in use, and rolling back.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "classify/classify.h"
#include "cmd.h"
#include "config.h"
#include "models.h"

static const char usage[] =
        "usage: pcmon model [info] [--model PATH]\n"
        "       pcmon model rollback\n"
        "\n"
        "info (the default) shows the model pcmon uses - --model, else\n"
        "[classify] model, else DATA_DIR/models/current.model (installed by\n"
        "pcmon train --from-db), else the default model shipped with pcmon -\n"
        "with its version, training date, data hash, cross-validated\n"
        "metrics and themes.  rollback makes the previously installed model\n"
        "current again (and the current one previous); run pcmon classify\n"
        "--all afterwards so that stored predictions come from one model.\n"
        "\n"
        "Exit status: 0 done; 2 bad option, or nothing to roll back to;\n"
        "5 the model cannot be loaded or moved.\n";

static void
show_cv(const char *js)
{
	json_t *o = js ? json_loads(js, 0, NULL) : NULL;
	json_t *c, *x;
	size_t i;

	if (!o) {
		printf("cross-validated  -\n");
		return;
	}
	printf("cross-validated  accuracy %.4f, macro F1 %.4f on %lld "
	       "examples\n",
	       json_number_value(json_object_get(o, "accuracy")),
	       json_number_value(json_object_get(o, "macro_f1")),
	       (long long)json_integer_value(json_object_get(o, "n")));
	c = json_object_get(o, "classes");
	json_array_foreach(c, i, x)
	        printf("  class %-8s precision %.4f  recall %.4f  F1 %.4f\n",
	               json_string_value(json_object_get(x, "label")),
	               json_number_value(json_object_get(x, "precision")),
	               json_number_value(json_object_get(x, "recall")),
	               json_number_value(json_object_get(x, "f1")));
	json_decref(o);
}

static int
info(struct pcmon_ctx *ctx, const char *given)
{
	struct classify_model *m = NULL;
	const char *path, *v;
	char buf[4096], err[1024];
	size_t i;

	path = models_path(ctx->cfg, given, buf, sizeof(buf));
	if (classify_model_load(path, &m, err, sizeof(err)) != CLASSIFY_OK) {
		fprintf(stderr, "pcmon model: %s\n", err);
		return EXIT_FAIL;
	}
	printf("model            %s\n", path);
	printf("version          %s\n", classify_model_version(m));
	v = classify_model_meta(m, "trained_at");
	printf("trained          %s\n", v ? v : "-");
	v = classify_model_meta(m, "data_sha256");
	printf("data sha256      %s\n", v ? v : "-");
	v = classify_model_meta(m, "kernel");
	printf("kernel           %s, C %s\n", v ? v : "-",
	       classify_model_meta(m, "C") ? classify_model_meta(m, "C")
	                                   : "-");
	printf("classes         ");
	for (i = 0; i < classify_model_nclass(m); i++)
		printf(" %s", classify_model_label(m, i));
	putchar('\n');
	show_cv(classify_model_meta(m, "cv"));
	printf("themes          ");
	for (i = 0; i < classify_model_ntags(m); i++)
		printf(" %s", classify_model_tag(m, i));
	printf("%s\n", classify_model_ntags(m) ? "" : " -");
	classify_model_free(m);
	return EXIT_OK;
}

CMD_FN(cmd_model)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *model = NULL, *sub = "info";
	char err[1024];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'h': return cmd_usage(ctx, usage, EXIT_OK);
		default: return cmd_usage(ctx, usage, EXIT_USAGE);
		}
	}
	if (optind < argc)
		sub = argv[optind++];
	if (optind != argc)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	if (strcmp(sub, "info") == 0)
		return info(ctx, model);
	if (strcmp(sub, "rollback") != 0 || model)
		return cmd_usage(ctx, usage, EXIT_USAGE);
	rc = models_rollback(ctx->cfg, err, sizeof(err));
	if (rc == 1) {
		fprintf(stderr, "pcmon model: no previous model to roll back "
		                "to (pcmon train --from-db keeps one)\n");
		return EXIT_USAGE;
	}
	if (rc != 0) {
		fprintf(stderr, "pcmon model: %s\n", err);
		return EXIT_FAIL;
	}
	return info(ctx, NULL);
}
