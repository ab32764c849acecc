/* SPDX-License-Identifier: BSD-2-Clause */
/* Sorted sets of strings (in natural order) and of numbers, and the
 * natural order itself: digit runs compare as numbers. */
#ifndef FABMON_SORTED_SET_H
#define FABMON_SORTED_SET_H

#include <stddef.h>
#include <stdint.h>

/* Compare with digit runs as numbers: S1F2 < S1F13, 10.0.0.9 < 10.0.0.10. */
int natcmp(const char *a, const char *b);
/* natcmp of two const char * for qsort */
int natcmp_p(const void *x, const void *y);

struct sset {
	char **v;
	size_t n, cap;
};

struct uset {
	uint32_t *v;
	size_t n, cap;
};

/* Add a copy of str (if not there yet): 0, or -1 out of memory. */
int sset_add(struct sset *s, const char *str);
void sset_free(struct sset *s);
/* Add x (if not there yet): 0, or -1 out of memory. */
int uset_add(struct uset *s, uint32_t x);
void uset_free(struct uset *s);

#endif
