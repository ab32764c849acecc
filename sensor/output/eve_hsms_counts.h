/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The HSMS messages of a flow that got no `hsms` record of their own
 * (--hsms-records non-routine or none): counted by type and direction and
 * written in the flow record, so that the audit report's S×F histogram is
 * the same whichever records were written.
 */
#ifndef FABMON_EVE_HSMS_COUNTS_H
#define FABMON_EVE_HSMS_COUNTS_H

#include <stdint.h>

#include "dissectors/hsms.h"
#include "util/json.h"

/* Types kept apart per flow; more are summed as "other" (a flow that
 * carries more than this many kinds of routine message is rare, and
 * bounded whatever a peer sends). */
#define EVE_HSMS_COUNT_TYPES 16

struct eve_hsms_counts {
	struct {
		uint16_t code;   /* 0x8000 | stream << 8 | function, or the control SType */
		uint8_t dir;
		uint64_t n;
	} t[EVE_HSMS_COUNT_TYPES];
	uint8_t ntypes;
	uint64_t other[2];
};

/* Count m in *c, made on the first message; -1 if out of memory. */
int eve_hsms_count(struct eve_hsms_counts **c, const struct hsms_message *m);
/* The key a count is written under: "S6F11", "linktest.req", "stype-12". */
void eve_hsms_count_key(uint16_t code, char out[16]);
/* "messages_without_record": {"toserver": {"S6F11": 12, ...}, "toclient": {...}} */
void eve_hsms_counts_write(struct jbuf *b, const struct eve_hsms_counts *c);

#endif
