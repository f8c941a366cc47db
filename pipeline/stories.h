/*
 * stories.h - stories, not copies: every stored item gets a near-duplicate
 * fingerprint (story.h) and a story id, the id of the first stored item of
 * its story.  An item joins the story of an earlier item whose fingerprint
 * is within STORY_MAX_DIST bits and whose date is within STORY_WINDOW of
 * its own; else it starts a story.  Run by pcmon classify, before scoring.
 */
#ifndef PCMON_STORIES_H
#define PCMON_STORIES_H

#include <stddef.h>

struct store;

/* Fingerprints the items that have none; *done of them, *joined of which
 * joined an earlier story.  0, or -1 with err set. */
int stories_assign(struct store *st, long *done, long *joined, char *err,
                   size_t errsz);

#endif
