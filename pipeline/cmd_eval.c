/*
 * cmd_eval.c - "pcmon eval": a saved model scored on held-out labeled
 * examples.
 *
 * The label files are read exactly as "pcmon train" reads them (labels.c),
 * so a file that trains also evaluates.  --json prints one object with
 * every metric, for scripts that compare models.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "classify/classify.h"
#include "cmd.h"
#include "config.h"
#include "labels.h"

static const char usage[] =
        "usage: pcmon eval [--model PATH] --data FILE [--data FILE...] "
        "[--json]\n"
        "\n"
        "Scores a model on labeled examples (the formats of 'pcmon train')\n"
        "and prints accuracy, per-class precision, recall and F1, macro and\n"
        "micro F1, the confusion matrix and, for a binary model, precision\n"
        "and recall at several score thresholds.\n"
        "  --model PATH  the model (default: [classify] model)\n"
        "  --data FILE   labeled examples; may be repeated\n"
        "  --json        one JSON object with every metric\n"
        "\n"
        "Exit status: 0 done; 2 bad option or bad label file; 5 the model\n"
        "cannot be loaded or evaluation failed.\n";

CMD_FN(cmd_eval)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "data", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct classify_metrics met;
	struct classify_dataset *ds = NULL;
	struct classify_model *m = NULL;
	const char *model = NULL;
	char **data = NULL, sha[65], err[1024];
	size_t ndata = 0;
	int c, rc, json = 0, status = EXIT_FAIL;
	json_t *o;

	memset(&met, 0, sizeof(met));
	if (!(data = calloc((size_t)argc + 1, sizeof(*data)))) {
		fprintf(stderr, "pcmon eval: out of memory\n");
		return EXIT_FAIL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'd': data[ndata++] = optarg; break;
		case 'j': json = 1; break;
		case 'h': status = cmd_usage(ctx, usage, EXIT_OK); goto out;
		default: status = cmd_usage(ctx, usage, EXIT_USAGE); goto out;
		}
	}
	if (optind != argc || ndata == 0) {
		if (optind == argc)
			fprintf(stderr, "pcmon eval: no --data given\n");
		status = cmd_usage(ctx, usage, EXIT_USAGE);
		goto out;
	}
	if (!model)
		model = ctx->cfg ? ctx->cfg->model : NULL;
	if (!model || !*model) {
		fprintf(stderr, "pcmon eval: no model: give --model or set "
		                "[classify] model\n");
		status = EXIT_USAGE;
		goto out;
	}

	rc = labels_load_dataset(data, ndata, &ds, sha, err, sizeof(err));
	if (rc != LABELS_OK) {
		fprintf(stderr, "pcmon eval: %s\n", err);
		status = rc == LABELS_ERR_NOMEM ? EXIT_FAIL : EXIT_USAGE;
		goto out;
	}
	if (classify_model_load(model, &m, err, sizeof(err)) != CLASSIFY_OK) {
		fprintf(stderr, "pcmon eval: %s\n", err);
		goto out;
	}
	rc = classify_evaluate(m, ds, &met, err, sizeof(err));
	if (rc != CLASSIFY_OK) {
		fprintf(stderr, "pcmon eval: cannot evaluate '%s': %s\n", model,
		        err);
		status = rc == CLASSIFY_ERR_DATA ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	if (json) {
		if (!(o = labels_metrics_json(&met))) {
			fprintf(stderr, "pcmon eval: out of memory\n");
			goto out;
		}
		json_object_set_new(o, "model", json_string(model));
		json_object_set_new(o, "model_version",
		                    json_string(classify_model_version(m)));
		json_object_set_new(o, "data_sha256", json_string(sha));
		if (labels_json_print(o, stdout) != 0) {
			fprintf(stderr, "pcmon eval: out of memory\n");
			goto out;
		}
	} else {
		printf("model '%s' (version %s)\n", model,
		       classify_model_version(m));
		labels_metrics_print(stdout, &met);
	}
	status = EXIT_OK;
out:
	classify_metrics_release(&met);
	classify_model_free(m);
	classify_dataset_free(ds);
	free(data);
	return status;
}
