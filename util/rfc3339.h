/* SPDX-License-Identifier: BSD-2-Clause */
/* Times as text <-> microseconds since the epoch, in the two forms fabmon
 * writes:
 *  - EVE, exactly as Suricata writes it (strftime's %z, no colon in the
 *    offset): "2026-03-02T08:00:07.123456+0000". Everything in eve.json
 *    (hence alerts.jsonl and the syslog messages' JSON), report.json.
 *  - RFC 3339 in UTC with "Z": "2026-03-02T08:00:07.123456Z". STIX 2.1
 *    requires it; the hand-off summary uses it too.
 * The parser reads both, and the "+00:00" that earlier fabmon versions
 * wrote into eve.json files that sites still keep. */
#ifndef FABMON_RFC3339_H
#define FABMON_RFC3339_H

#include <stdbool.h>
#include <stdint.h>

/* "2026-03-02T08:00:07.123456+00:00", "...+0000", "...Z", any offset
 * (+hh:mm or +hhmm), fraction optional (digits past the sixth ignored):
 * true and *us set. */
bool rfc3339_parse(const char *s, int64_t *us);

/* UTC with "Z" and microseconds, as STIX wants them:
 * "2026-03-02T08:00:07.123456Z". */
void rfc3339_utc(int64_t us, char out[40]);

/* Suricata's EVE form, UTC: "2026-03-02T08:00:07.123456+0000" (31
 * characters; fixed width, so these times sort as strings). */
void rfc3339_eve(int64_t sec, uint32_t usec, char out[40]);

/* Any time rfc3339_parse reads, rewritten in the EVE form: true if it
 * could be read (out unchanged otherwise). */
bool rfc3339_to_eve(const char *s, char out[40]);

#endif
