/*
 * models.c - the model's location and history (see models.h).
 */
#define _GNU_SOURCE /* renameat2(RENAME_EXCHANGE) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "models.h"
#include "util.h"

const char *
models_path(const struct pcmon_config *cfg, const char *given, char *buf,
            size_t bufsz)
{
	if (given && *given)
		return given;
	if (cfg && cfg->model && *cfg->model &&
	    strcmp(cfg->model, PCMON_MODEL_DEFAULT) != 0)
		return cfg->model;
	if (cfg && cfg->data_dir &&
	    snprintf(buf, bufsz, "%s/models/current.model", cfg->data_dir) <
	            (int)bufsz &&
	    access(buf, F_OK) == 0)
		return buf;
	return util_data_path(PCMON_MODEL_DEFAULT, PCMON_MODEL_DEFAULT,
	                      "../../models/default.model", buf, bufsz);
}

const char *
models_file(const struct pcmon_config *cfg, const char *name, char *buf,
            size_t bufsz, char *err, size_t errsz)
{
	int n = snprintf(buf, bufsz, "%s/models", cfg->data_dir);

	if (n < 0 || (size_t)n >= bufsz) {
		snprintf(err, errsz, "data_dir too long");
		return NULL;
	}
	if (mkdir(cfg->data_dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "cannot create '%s': %s", cfg->data_dir,
		         strerror(errno));
		return NULL;
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "cannot create '%s': %s", buf,
		         strerror(errno));
		return NULL;
	}
	n = snprintf(buf, bufsz, "%s/models/%s", cfg->data_dir, name);
	if (n < 0 || (size_t)n >= bufsz) {
		snprintf(err, errsz, "data_dir too long");
		return NULL;
	}
	return buf;
}

int
models_install(const struct pcmon_config *cfg, const char *newpath, char *err,
               size_t errsz)
{
	char cur[4096], prev[4096], tmp[4096];

	if (!models_file(cfg, "current.model", cur, sizeof(cur), err, errsz) ||
	    !models_file(cfg, "previous.model", prev, sizeof(prev), err,
	                 errsz) ||
	    !models_file(cfg, "previous.model.tmp", tmp, sizeof(tmp), err,
	                 errsz))
		return -1;
	/* previous.model becomes a second name of the current file (a hard
	 * link renamed into place), then the new file is renamed over
	 * current.model: whoever opens current.model meanwhile gets the old
	 * model or the new one, whole - never no file, which would mean the
	 * shipped model for that instant */
	unlink(tmp);
	if (link(cur, tmp) == 0) {
		if (rename(tmp, prev) != 0) {
			snprintf(err, errsz, "cannot keep '%s' as '%s': %s",
			         cur, prev, strerror(errno));
			unlink(tmp);
			return -1;
		}
	} else if (errno != ENOENT && rename(cur, prev) != 0) {
		/* a file system without hard links: the old two steps */
		snprintf(err, errsz, "cannot keep '%s' as '%s': %s", cur, prev,
		         strerror(errno));
		return -1;
	}
	if (rename(newpath, cur) != 0) {
		snprintf(err, errsz, "cannot install '%s' as '%s': %s", newpath,
		         cur, strerror(errno));
		return -1;
	}
	return 0;
}

int
models_rollback(const struct pcmon_config *cfg, char *err, size_t errsz)
{
	char cur[4096], prev[4096], tmp[4096];

	if (!models_file(cfg, "current.model", cur, sizeof(cur), err, errsz) ||
	    !models_file(cfg, "previous.model", prev, sizeof(prev), err,
	                 errsz) ||
	    !models_file(cfg, "swap.model.tmp", tmp, sizeof(tmp), err, errsz))
		return -1;
	if (access(prev, F_OK) != 0)
		return 1;
#ifdef RENAME_EXCHANGE
	/* one atomic step where the kernel and file system can */
	if (renameat2(AT_FDCWD, prev, AT_FDCWD, cur, RENAME_EXCHANGE) == 0)
		return 0;
#endif
	/* current linked as tmp, previous renamed over current, tmp renamed
	 * to previous: current.model always names one of the two models.
	 * Without hard links, current is moved away first, and for that
	 * instant a reader falls back to the shipped model, never to half a
	 * file */
	unlink(tmp);
	if (link(cur, tmp) != 0 && errno != ENOENT &&
	    rename(cur, tmp) != 0) {
		snprintf(err, errsz, "cannot move '%s': %s", cur,
		         strerror(errno));
		return -1;
	}
	if (rename(prev, cur) != 0) {
		snprintf(err, errsz, "cannot move '%s': %s", prev,
		         strerror(errno));
		return -1;
	}
	if (access(tmp, F_OK) == 0 && rename(tmp, prev) != 0) {
		snprintf(err, errsz, "cannot move '%s': %s", tmp,
		         strerror(errno));
		return -1;
	}
	return 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
models_corpus(char *err, size_t errsz)
{
	char buf[4096];
	const char *dir = util_data_path(PCMON_CORPUS_DEFAULT,
	                                 PCMON_CORPUS_DEFAULT,
	                                 "../../models/data/corpus", buf,
	                                 sizeof(buf));
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL, **nv;
	size_t n = 0;

	if (!d) {
		snprintf(err, errsz, "no labeled corpus at '%s': %s", dir,
		         strerror(errno));
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char *path;

		if (l < 7 || strcmp(e->d_name + l - 6, ".jsonl") != 0 ||
		    e->d_name[0] == '.')
			continue;
		if (!(nv = realloc(v, (n + 2) * sizeof(*v))) ||
		    !(path = malloc(strlen(dir) + l + 2))) {
			if (nv)
				v = nv;
			goto nomem;
		}
		v = nv;
		snprintf(path, strlen(dir) + l + 2, "%s/%s", dir, e->d_name);
		v[n++] = path;
		v[n] = NULL;
	}
	closedir(d);
	if (!n) {
		snprintf(err, errsz, "no *.jsonl in '%s'", dir);
		free(v);
		return NULL;
	}
	qsort(v, n, sizeof(*v), str_cmp);
	return v;
nomem:
	closedir(d);
	if (v) {
		v[n] = NULL;
		models_corpus_free(v);
	}
	snprintf(err, errsz, "out of memory");
	return NULL;
}

void
models_corpus_free(char **files)
{
	size_t i;

	if (!files)
		return;
	for (i = 0; files[i]; i++)
		free(files[i]);
	free(files);
}
