/* SPDX-License-Identifier: BSD-2-Clause */
/* RFC 3339 times <-> microseconds since the epoch. */
#ifndef FABMON_RFC3339_H
#define FABMON_RFC3339_H

#include <stdbool.h>
#include <stdint.h>

/* "2026-03-02T08:00:07.123456+00:00", "...Z", fraction optional (digits
 * past the sixth ignored): true and *us set. */
bool rfc3339_parse(const char *s, int64_t *us);

/* UTC with "Z" and microseconds, as STIX wants them:
 * "2026-03-02T08:00:07.123456Z". */
void rfc3339_utc(int64_t us, char out[40]);

#endif
