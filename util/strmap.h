/* SPDX-License-Identifier: BSD-2-Clause */
/* A hash map from strings to pointers (open addressing): the keys are
 * copied, the values belong to the caller. */
#ifndef FABMON_STRMAP_H
#define FABMON_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct smap_ent {
	char *key;
	void *val;
};

struct smap {
	struct smap_ent *e;
	size_t cap, n;
};

/* The value slot of key: NULL when absent and !create, or out of memory.
 * A new entry's value is NULL and *created is set. */
void **smap_get(struct smap *m, const char *key, bool create, bool *created);

/* The value of key, NULL if absent. */
void *smap_find(const struct smap *m, const char *key);

/* Free the keys, and the values with fn (if not NULL). */
void smap_free(struct smap *m, void (*fn)(void *));

/* The values, in no order (NULL values left out); *n says how many. */
void **smap_values(const struct smap *m, size_t *n);

#endif
