/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/eve_hsms_counts.h"

#include <stdio.h>
#include <stdlib.h>

int eve_hsms_count(struct eve_hsms_counts **cp, const struct hsms_message *m)
{
	if (!*cp && !(*cp = calloc(1, sizeof(**cp))))
		return -1;
	struct eve_hsms_counts *c = *cp;
	uint8_t dir = m->dir ? 1 : 0;
	uint16_t code = m->stype == HSMS_DATA ? (uint16_t)(0x8000 | m->stream << 8 | m->function)
					      : m->stype;
	for (uint8_t i = 0; i < c->ntypes; i++)
		if (c->t[i].code == code && c->t[i].dir == dir) {
			c->t[i].n++;
			return 0;
		}
	if (c->ntypes == EVE_HSMS_COUNT_TYPES) {
		c->other[dir]++;
		return 0;
	}
	c->t[c->ntypes].code = code;
	c->t[c->ntypes].dir = dir;
	c->t[c->ntypes].n = 1;
	c->ntypes++;
	return 0;
}

void eve_hsms_count_key(uint16_t code, char out[16])
{
	if (code & 0x8000)
		hsms_sf_text(out, (uint8_t)(code >> 8 & 0x7f), (uint8_t)code);
	else if (!hsms_stype_defined((uint8_t)code))
		snprintf(out, 16, "stype-%u", code); /* one key each */
	else
		snprintf(out, 16, "%s", hsms_stype_name((uint8_t)code));
}

void eve_hsms_counts_write(struct jbuf *b, const struct eve_hsms_counts *c)
{
	static const char *const dir_key[2] = { "toserver", "toclient" };
	jb_obj_open(b, "messages_without_record");
	for (uint8_t d = 0; d < 2; d++) {
		jb_obj_open(b, dir_key[d]);
		for (uint8_t i = 0; i < c->ntypes; i++) {
			if (c->t[i].dir != d)
				continue;
			char sf[16];
			eve_hsms_count_key(c->t[i].code, sf);
			jb_u64(b, sf, c->t[i].n);
		}
		if (c->other[d])
			jb_u64(b, "other", c->other[d]);
		jb_obj_close(b);
	}
	jb_obj_close(b);
}
