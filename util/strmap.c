/* SPDX-License-Identifier: BSD-2-Clause */
/* A hash map from strings to pointers (open addressing, FNV-1a). */
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static int smap_grow(struct smap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	struct smap_ent *ne = calloc(ncap, sizeof(*ne));
	if (!ne)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->e[i].key)
			continue;
		size_t j = str_hash(m->e[i].key) & (ncap - 1);
		while (ne[j].key)
			j = (j + 1) & (ncap - 1);
		ne[j] = m->e[i];
	}
	free(m->e);
	m->e = ne;
	m->cap = ncap;
	return 0;
}

void **smap_get(struct smap *m, const char *key, bool create, bool *created)
{
	if (created)
		*created = false;
	if (m->cap) {
		size_t j = str_hash(key) & (m->cap - 1);
		while (m->e[j].key) {
			if (!strcmp(m->e[j].key, key))
				return &m->e[j].val;
			j = (j + 1) & (m->cap - 1);
		}
	}
	if (!create)
		return NULL;
	if ((m->n + 1) * 10 > m->cap * 7 && smap_grow(m) < 0)
		return NULL;
	char *k = strdup(key);
	if (!k)
		return NULL;
	size_t j = str_hash(key) & (m->cap - 1);
	while (m->e[j].key)
		j = (j + 1) & (m->cap - 1);
	m->e[j].key = k;
	m->e[j].val = NULL;
	m->n++;
	if (created)
		*created = true;
	return &m->e[j].val;
}

void *smap_find(const struct smap *m, const char *key)
{
	void **v = smap_get((struct smap *)m, key, false, NULL);
	return v ? *v : NULL;
}

void smap_free(struct smap *m, void (*fn)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->e[i].key)
			continue;
		free(m->e[i].key);
		if (fn && m->e[i].val)
			fn(m->e[i].val);
	}
	free(m->e);
	memset(m, 0, sizeof(*m));
}

void **smap_values(const struct smap *m, size_t *n)
{
	void **v = malloc((m->n ? m->n : 1) * sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].key && m->e[i].val)
			v[(*n)++] = m->e[i].val;
	return v;
}

