/* SPDX-License-Identifier: BSD-2-Clause */
/* The skeleton shared by the stream dissectors. See dissector_common.h. */
#include "dissectors/dissector_common.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dissect_stream_init(struct dissect_stream *s, const char *layer, bool midstream)
{
	s->init = true;
	s->layer = layer;
	s->midstream = midstream;
	s->resync[0] = s->resync[1] = midstream;
}

void dissect_anomaly(struct dissect_stream *s, struct dissect_ctx *ctx, int dir, const char *name,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	struct app_anomaly a = { name, s->detail, s->layer };
	struct app_event ev = { APP_EVENT_ANOMALY, dir, &a };
	s->anomalies++;
	ctx->emit(ctx, &ev);
}

size_t dissect_resync_begin(struct dissect_stream *s, int dir)
{
	s->resync[dir] = true;
	s->resync_skipped[dir] += 1;
	return 1;
}

bool dissect_resync_step(struct dissect_stream *s, const struct dissect_framing *f, const void *arg,
			 struct dissect_ctx *ctx, int dir, struct bview rest, struct parse_result *r)
{
	size_t left = rest.len;
	size_t i = 0, first = SIZE_MAX;
	for (; left - i >= f->min_header; i++) {
		size_t frame, next_frame;
		if (!f->plausible(bv_from(&rest, i), arg, &frame))
			continue;
		size_t end = i + frame;
		bool room = end <= left && left - end >= f->min_header;
		bool confirmed = end == left ||
				 (room && f->plausible(bv_from(&rest, end), arg, &next_frame));
		bool refuted = room && !confirmed;
		if (refuted)
			continue;
		if (!confirmed && left - i < f->resync_wait) {
			/* undecided: keep it and what follows, ask for more */
			if (first == SIZE_MAX)
				first = i;
			continue;
		}
		first = i; /* confirmed, or waited long enough */
		s->resync[dir] = false;
		break;
	}
	size_t skip = s->resync[dir] ? (first != SIZE_MAX ? first : i) : first;
	s->resync_skipped[dir] += skip;
	r->consumed += skip;
	if (!s->resync[dir]) {
		if (s->resync_skipped[dir]) {
			s->resyncs++;
			bool junk = !s->framed[dir] && !s->midstream && f->junk_anomaly;
			dissect_anomaly(s, ctx, dir, junk ? f->junk_anomaly : f->resync_anomaly,
					"%" PRIu64 " bytes skipped to the %s plausible %s header",
					s->resync_skipped[dir], junk ? "first" : "next", f->header_name);
		}
		s->framed[dir] = true; /* in step: later skips are resyncs */
		s->resync_skipped[dir] = 0;
		return false;
	}
	/* undecided: any more data may settle it */
	r->need = left - skip + 1;
	return true;
}

enum probe_result dissect_probe_scan(const struct dissect_framing *f, const void *arg,
				     struct bview data, size_t from, size_t *at)
{
	for (size_t i = from; i < data.len && data.len - i >= f->min_header; i++) {
		size_t frame, next_frame;
		if (!f->plausible(bv_from(&data, i), arg, &frame))
			continue;
		size_t end = i + frame;
		if (end == data.len ||
		    (end < data.len && data.len - end >= f->min_header &&
		     f->plausible(bv_from(&data, end), arg, &next_frame))) {
			*at = i;
			return PROBE_MATCH;
		}
		/* else refuted, or its confirmation is not here yet */
	}
	/* no confirmed header yet: more bytes may bring one (or confirm a
	 * candidate), up to DISSECT_PROBE_MAX */
	return data.len < DISSECT_PROBE_MAX ? PROBE_NEED_MORE : PROBE_NO;
}

void *dissect_grow(struct dissect_ctx *ctx, struct dissect_grown *g, const void *inline_slots,
		   size_t inline_bytes, size_t all_bytes)
{
	if (g->more || g->refused)
		return NULL;
	/* asked once per flow: the memory cap counts each refusal */
	g->more = dissect_alloc(ctx, all_bytes);
	if (!g->more) {
		g->refused = true;
		return NULL;
	}
	memcpy(g->more, inline_slots, inline_bytes);
	return g->more;
}

void dissect_grown_release(struct dissect_ctx *ctx, struct dissect_grown *g, size_t all_bytes)
{
	dissect_release(ctx, g->more, all_bytes);
	g->more = NULL;
}

bool asset_table_init(struct asset_table *t, size_t entry_size, size_t addr_offset, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->entry_size = entry_size;
	t->addr_offset = addr_offset;
	t->max = max;
	t->entries = calloc(max ? max : 1, entry_size);
	return t->entries != NULL;
}

void asset_table_free(struct asset_table *t)
{
	free(t->entries);
	t->entries = NULL;
	t->n = 0;
}

static const struct ip_addr *entry_addr(const struct asset_table *t, size_t i)
{
	return (const struct ip_addr *)(t->entries + i * t->entry_size + t->addr_offset);
}

void *asset_table_find(struct asset_table *t, const struct ip_addr *a, bool create, bool *created)
{
	*created = false;
	for (size_t i = 0; i < t->n; i++)
		if (ip_addr_cmp(entry_addr(t, i), a) == 0)
			return t->entries + i * t->entry_size;
	if (!create)
		return NULL;
	if (t->n >= t->max) {
		t->overflow++;
		return NULL;
	}
	uint8_t *e = t->entries + t->n++ * t->entry_size;
	memset(e, 0, t->entry_size);
	memcpy(e + t->addr_offset, a, sizeof(*a));
	*created = true;
	return e;
}

bool set_add_addr(struct ip_addr *set, uint8_t *n, uint8_t max, bool *overflow,
		  const struct ip_addr *a)
{
	for (uint8_t i = 0; i < *n; i++)
		if (ip_addr_cmp(&set[i], a) == 0)
			return true;
	if (*n < max)
		set[(*n)++] = *a;
	else
		*overflow = true;
	return false;
}
