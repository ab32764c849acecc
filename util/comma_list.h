/* SPDX-License-Identifier: BSD-2-Clause */
/* Walking a comma-separated list in place ("a,b,c"). */
#ifndef FABMON_UTIL_COMMA_LIST_H
#define FABMON_UTIL_COMMA_LIST_H

#include <stddef.h>
#include <string.h>

/* The next item of the list at *at: its start, *len its length (an empty
 * item has length 0); NULL at the list's end. */
static inline const char *comma_next(const char **at, size_t *len)
{
	const char *s = *at;
	if (!*s)
		return NULL;
	*len = strcspn(s, ",");
	*at = s + *len + (s[*len] == ',');
	return s;
}

#endif
