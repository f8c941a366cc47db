/*
 * models.h - which model pcmon uses, and the installed model's history.
 *
 * The model a command uses: --model PATH when given; else [classify] model
 * when the configuration sets it; else DATA_DIR/models/current.model when
 * "pcmon train --from-db" has installed one; else the default model shipped
 * with pcmon (or, uninstalled, the one in the source tree).
 *
 * Installing moves current.model to previous.model and the new file to
 * current.model, each step a rename(2) in one directory: a cron run that
 * loads the model at any moment sees a whole model, old or new.
 * "pcmon model rollback" swaps the two back.
 */
#ifndef PCMON_MODELS_H
#define PCMON_MODELS_H

#include <stddef.h>

struct pcmon_config;

/* The path described above, in buf when it has to be built. */
const char *models_path(const struct pcmon_config *cfg, const char *given,
                        char *buf, size_t bufsz);

/* The labeled corpus shipped with pcmon (PREFIX/share/pcmon/corpus, or
 * models/data/corpus in the source tree pcmon runs from): its *.jsonl
 * files, sorted, into a NULL-terminated malloc'd array of malloc'd paths;
 * NULL when there is none (err says where it looked). */
char **models_corpus(char *err, size_t errsz);
void models_corpus_free(char **files);

/* DATA_DIR/models/NAME into buf (the directory is created); NULL when it
 * does not fit or cannot be created (err says why). */
const char *models_file(const struct pcmon_config *cfg, const char *name,
                        char *buf, size_t bufsz, char *err, size_t errsz);

/* newpath (a saved model in DATA_DIR/models) becomes current.model, the
 * current one previous.model.  0 or -1 (err). */
int models_install(const struct pcmon_config *cfg, const char *newpath,
                   char *err, size_t errsz);

/* previous.model and current.model trade places.  0, 1 when there is no
 * previous model, -1 on an error (err). */
int models_rollback(const struct pcmon_config *cfg, char *err, size_t errsz);

#endif
