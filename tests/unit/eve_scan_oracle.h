/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The oracle the eve.json reader's field scan (util/eve_reader_scan.c) is
 * held to, by its unit test and its differential fuzz target alike:
 * jansson's value of a wanted member at its dotted parent path (NULL if
 * absent or not a string).
 */
#ifndef FABMON_TEST_EVE_SCAN_ORACLE_H
#define FABMON_TEST_EVE_SCAN_ORACLE_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "util/eve_reader.h"

static inline const char *eve_scan_oracle(json_t *o, const struct eve_field *f)
{
	char path[64];
	snprintf(path, sizeof(path), "%s", f->parent ? f->parent : "");
	for (char *step = f->parent ? path : NULL, *dot; step; step = dot) {
		dot = strchr(step, '.');
		if (dot)
			*dot++ = '\0';
		o = json_object_get(o, step);
	}
	json_t *v = json_object_get(o, f->key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

#endif
