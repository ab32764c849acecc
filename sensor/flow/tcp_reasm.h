/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TCP stream reassembly, one struct tcp_stream per flow direction.
 *
 * Bytes are handed to the sink in sequence order, once each. In-order data is
 * delivered straight from the packet (no copy); only segments that arrive
 * ahead of a hole are copied, into a per-direction list bounded in bytes and
 * segments, under a global memcap. When the hole cannot be filled (the list
 * is full, the peer acknowledged past the hole, or the flow ends) the sink is
 * told how many bytes are missing (gap) so a dissector can resynchronise.
 * Overlapping data is first-wins (the bytes already seen stand); overlaps
 * whose bytes differ are counted, as they are a known IDS evasion.
 */
#ifndef FABMON_TCP_REASM_H
#define FABMON_TCP_REASM_H

#include <stdbool.h>
#include <stdint.h>

struct tcp_seg;

struct tcp_sink {
	void (*data)(void *ctx, int dir, const uint8_t *data, uint32_t len);
	void (*gap)(void *ctx, int dir, uint32_t missing);
	void *ctx;
};

#define TCPS_SEQ_KNOWN 0x01
#define TCPS_SYN       0x02
#define TCPS_FIN       0x04  /* FIN seen; fin_seq valid */
#define TCPS_FIN_DONE  0x08  /* all bytes up to the FIN delivered */
#define TCPS_RST       0x10
#define TCPS_MIDSTREAM 0x20  /* first segment was not a SYN */

struct tcp_stream {
	uint32_t isn;
	uint32_t next_seq;    /* next byte expected */
	uint32_t fin_seq;
	uint8_t state;        /* TCPS_* */
	uint16_t ooo_count;
	uint32_t ooo_bytes;
	uint32_t gaps;        /* holes skipped: a counter of the flow record, kept here
			       * so that the struct packs into 64 bytes */
	struct tcp_seg *ooo;  /* sorted by seq, non-overlapping, all after next_seq */

	/* per-direction counters for the flow record */
	uint64_t bytes;       /* delivered to the sink */
	uint64_t gap_bytes;
	uint32_t ooo_segs;    /* segments that arrived ahead of a hole */
	uint32_t retrans;     /* segments entirely before next_seq */
	uint32_t overlaps;    /* segments partly covering known data */
	uint32_t overlap_diff;/* overlaps whose bytes differ from those kept */
};

struct tcp_reasm_config {
	uint32_t max_ooo_bytes;  /* per direction */
	uint16_t max_ooo_segs;   /* per direction */
	uint64_t memcap;         /* all directions together */
};

struct tcp_reasm {
	struct tcp_reasm_config cfg;
	uint64_t mem_used;
	uint64_t mem_peak;
	uint64_t memcap_hits;    /* segments not buffered because of the memcap */
	uint64_t forced_gaps;    /* gaps declared because a bound was reached */
};

void tcp_reasm_init(struct tcp_reasm *r, const struct tcp_reasm_config *cfg);

/* One segment of this direction. flags are the TCP header flags; payload has
 * caplen bytes captured out of wirelen bytes on the wire. */
void tcp_stream_segment(struct tcp_reasm *r, struct tcp_stream *s, int dir,
			const struct tcp_sink *sink, uint32_t seq, uint8_t flags,
			const uint8_t *payload, uint32_t caplen, uint32_t wirelen);

/* The other direction acknowledged `ack`: bytes of this stream before it were
 * received by the peer, so a hole before it will never be filled from the
 * capture. Declares the gap if buffered data waits behind it. */
void tcp_stream_peer_ack(struct tcp_reasm *r, struct tcp_stream *s, int dir,
			 const struct tcp_sink *sink, uint32_t ack);

/* Flow end: deliver everything buffered, declaring the holes as gaps. */
void tcp_stream_flush(struct tcp_reasm *r, struct tcp_stream *s, int dir,
		      const struct tcp_sink *sink);

/* Free buffered segments without delivering them. */
void tcp_stream_release(struct tcp_reasm *r, struct tcp_stream *s);

/* Sequence-space comparison (RFC 1982 style). */
static inline int32_t tcp_seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

#endif
