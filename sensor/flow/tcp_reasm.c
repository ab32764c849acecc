/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/flow/tcp_reasm.h"

#include <stdlib.h>
#include <string.h>

/*
 * An out-of-order segment: seq..seq+len on the wire, of which the first
 * caplen bytes were captured (snaplen may have cut the rest).
 */
struct tcp_seg {
	struct tcp_seg *next;
	uint32_t seq;
	uint32_t len;
	uint32_t caplen;
	uint8_t data[];
};

void tcp_reasm_init(struct tcp_reasm *r, const struct tcp_reasm_config *cfg)
{
	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
}

static void seg_free(struct tcp_reasm *r, struct tcp_stream *s, struct tcp_seg *g)
{
	s->ooo_count--;
	s->ooo_bytes -= g->caplen;
	r->mem_used -= sizeof(*g) + g->caplen;
	free(g);
}

/* Deliver len wire bytes of which caplen are present; the rest is a gap. */
static void deliver(struct tcp_stream *s, int dir, const struct tcp_sink *sink,
		    const uint8_t *data, uint32_t caplen, uint32_t len)
{
	if (caplen > 0) {
		s->bytes += caplen;
		sink->data(sink->ctx, dir, data, caplen);
	}
	if (len > caplen) {
		s->gaps++;
		s->gap_bytes += len - caplen;
		sink->gap(sink->ctx, dir, len - caplen);
	}
	s->next_seq += len;
}

static void check_fin(struct tcp_stream *s)
{
	if ((s->state & TCPS_FIN) && !(s->state & TCPS_FIN_DONE) &&
	    tcp_seq_diff(s->next_seq, s->fin_seq) >= 0)
		s->state |= TCPS_FIN_DONE;
}

/* Deliver buffered segments that now touch next_seq. */
static void drain(struct tcp_reasm *r, struct tcp_stream *s, int dir, const struct tcp_sink *sink)
{
	while (s->ooo && tcp_seq_diff(s->ooo->seq, s->next_seq) <= 0) {
		struct tcp_seg *g = s->ooo;
		s->ooo = g->next;
		int32_t behind = tcp_seq_diff(s->next_seq, g->seq);
		if ((uint32_t)behind < g->len) {
			uint32_t skip = (uint32_t)behind;
			uint32_t cap = g->caplen > skip ? g->caplen - skip : 0;
			deliver(s, dir, sink, g->data + (g->caplen > skip ? skip : g->caplen), cap,
				g->len - skip);
		}
		seg_free(r, s, g);
	}
	check_fin(s);
}

/* Skip the hole before the first buffered segment and deliver what follows. */
static void force_gap(struct tcp_reasm *r, struct tcp_stream *s, int dir, const struct tcp_sink *sink)
{
	if (!s->ooo)
		return;
	uint32_t missing = s->ooo->seq - s->next_seq;
	if (missing > 0) {
		s->gaps++;
		s->gap_bytes += missing;
		sink->gap(sink->ctx, dir, missing);
		s->next_seq = s->ooo->seq;
	}
	drain(r, s, dir, sink);
}

/* Count overlap bytes that differ from the buffered segment g. */
static void compare_overlap(struct tcp_stream *s, const struct tcp_seg *g, uint32_t seq,
			    const uint8_t *payload, uint32_t caplen)
{
	/* overlap in wire space: [max(seq,g->seq), min(ends)) */
	uint32_t lo = tcp_seq_diff(seq, g->seq) > 0 ? seq : g->seq;
	uint32_t g_end = g->seq + g->caplen, p_end = seq + caplen;
	uint32_t hi = tcp_seq_diff(g_end, p_end) < 0 ? g_end : p_end;
	if (tcp_seq_diff(hi, lo) <= 0)
		return;
	if (memcmp(g->data + (lo - g->seq), payload + (lo - seq), hi - lo) != 0)
		s->overlap_diff++;
}

/* Copy the part [seq, seq+len) of the payload into a new list node. */
static struct tcp_seg *seg_new(struct tcp_reasm *r, struct tcp_stream *s, uint32_t seq,
			       uint32_t len, const uint8_t *payload, uint32_t pay_seq, uint32_t pay_caplen)
{
	uint32_t off = seq - pay_seq;
	uint32_t cap = pay_caplen > off ? pay_caplen - off : 0;
	if (cap > len)
		cap = len;
	if (r->mem_used + sizeof(struct tcp_seg) + cap > r->cfg.memcap) {
		r->memcap_hits++;
		return NULL;
	}
	struct tcp_seg *g = malloc(sizeof(*g) + cap);
	if (!g) {
		r->memcap_hits++;
		return NULL;
	}
	g->next = NULL;
	g->seq = seq;
	g->len = len;
	g->caplen = cap;
	if (cap)
		memcpy(g->data, payload + off, cap);
	s->ooo_count++;
	s->ooo_bytes += cap;
	r->mem_used += sizeof(*g) + cap;
	if (r->mem_used > r->mem_peak)
		r->mem_peak = r->mem_used;
	return g;
}

/*
 * Insert the parts of [seq, seq+len) not already buffered (first wins).
 * Returns false if memory ran out: the caller then forces the gap.
 */
static bool ooo_insert(struct tcp_reasm *r, struct tcp_stream *s, uint32_t seq, uint32_t len,
		       const uint8_t *payload, uint32_t caplen)
{
	uint32_t end = seq + len;
	uint32_t cur = seq;
	struct tcp_seg **link = &s->ooo;
	bool overlapped = false;
	while (tcp_seq_diff(cur, end) < 0) {
		struct tcp_seg *g = *link;
		if (g && tcp_seq_diff(g->seq + g->len, cur) <= 0) { /* g entirely before cur */
			link = &g->next;
			continue;
		}
		uint32_t piece_end = end;
		if (g && tcp_seq_diff(g->seq, end) < 0) {
			/* g overlaps or follows within [cur,end) */
			if (tcp_seq_diff(g->seq, cur) <= 0) {
				overlapped = true;
				compare_overlap(s, g, seq, payload, caplen);
				cur = g->seq + g->len;
				link = &g->next;
				continue;
			}
			piece_end = g->seq; /* the overlap with g is handled next turn */
		}
		struct tcp_seg *n = seg_new(r, s, cur, piece_end - cur, payload, seq, caplen);
		if (!n)
			return false;
		n->next = *link;
		*link = n;
		link = &n->next;
		cur = piece_end;
	}
	if (overlapped)
		s->overlaps++;
	return true;
}

void tcp_stream_segment(struct tcp_reasm *r, struct tcp_stream *s, int dir,
			const struct tcp_sink *sink, uint32_t seq, uint8_t flags,
			const uint8_t *payload, uint32_t caplen, uint32_t wirelen)
{
	if (flags & 0x02) { /* SYN */
		if (!(s->state & TCPS_SEQ_KNOWN) || ((s->state & TCPS_MIDSTREAM) && s->bytes == 0 && !s->ooo)) {
			s->isn = seq;
			s->next_seq = seq + 1;
			s->state = (uint8_t)((s->state & ~TCPS_MIDSTREAM) | TCPS_SEQ_KNOWN | TCPS_SYN);
		}
		seq += 1; /* data on a SYN (TCP Fast Open) starts after it */
	}
	if (!(s->state & TCPS_SEQ_KNOWN)) {
		/* mid-stream pickup: the first byte we see is where the stream starts */
		s->isn = seq - 1;
		s->next_seq = seq;
		s->state |= TCPS_SEQ_KNOWN | TCPS_MIDSTREAM;
	}
	if (flags & 0x04)
		s->state |= TCPS_RST;
	if ((flags & 0x01) && !(s->state & TCPS_FIN)) {
		s->state |= TCPS_FIN;
		s->fin_seq = seq + wirelen;
	}
	if (caplen > wirelen)
		caplen = wirelen;
	if (wirelen == 0) {
		check_fin(s);
		return;
	}

	int32_t rel = tcp_seq_diff(seq, s->next_seq);
	if (rel <= 0) {
		uint32_t behind = (uint32_t)(-(int64_t)rel);
		if (behind >= wirelen) { /* all of it seen before */
			s->retrans++;
			return;
		}
		if (behind > 0)
			s->overlaps++;
		uint32_t cap = caplen > behind ? caplen - behind : 0;
		deliver(s, dir, sink, payload + (caplen > behind ? behind : caplen), cap, wirelen - behind);
		drain(r, s, dir, sink);
		return;
	}

	/* ahead of a hole: buffer it, then keep within the per-direction bounds
	 * by giving up the oldest holes */
	s->ooo_segs++;
	if (ooo_insert(r, s, seq, wirelen, payload, caplen)) {
		while (s->ooo && (s->ooo_count > r->cfg.max_ooo_segs ||
				  s->ooo_bytes > r->cfg.max_ooo_bytes)) {
			r->forced_gaps++;
			force_gap(r, s, dir, sink);
		}
		return;
	}
	/* memcap reached: this segment cannot wait. Give up the holes before
	 * it and deliver it directly. */
	r->forced_gaps++;
	while (s->ooo && tcp_seq_diff(s->ooo->seq, seq) < 0)
		force_gap(r, s, dir, sink);
	rel = tcp_seq_diff(seq, s->next_seq);
	if (rel > 0) {
		s->gaps++;
		s->gap_bytes += (uint32_t)rel;
		sink->gap(sink->ctx, dir, (uint32_t)rel);
		s->next_seq = seq;
		rel = 0;
	}
	uint32_t behind = (uint32_t)(-(int64_t)rel);
	if (behind < wirelen) {
		uint32_t cap = caplen > behind ? caplen - behind : 0;
		deliver(s, dir, sink, payload + (caplen > behind ? behind : caplen), cap, wirelen - behind);
	}
	drain(r, s, dir, sink);
}

void tcp_stream_peer_ack(struct tcp_reasm *r, struct tcp_stream *s, int dir,
			 const struct tcp_sink *sink, uint32_t ack)
{
	/* Only act when data waits behind a hole the peer has already acked:
	 * a mirror port may show an ACK before the data it acknowledges, so an
	 * ACK alone is no proof of loss. */
	if (!s->ooo || !(s->state & TCPS_SEQ_KNOWN))
		return;
	if (tcp_seq_diff(ack, s->ooo->seq) >= 0)
		force_gap(r, s, dir, sink);
}

void tcp_stream_flush(struct tcp_reasm *r, struct tcp_stream *s, int dir, const struct tcp_sink *sink)
{
	while (s->ooo)
		force_gap(r, s, dir, sink);
}

void tcp_stream_release(struct tcp_reasm *r, struct tcp_stream *s)
{
	while (s->ooo) {
		struct tcp_seg *g = s->ooo;
		s->ooo = g->next;
		seg_free(r, s, g);
	}
}
