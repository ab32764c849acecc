/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Evidence pcaps: every flow keeps a small ring of its recent packets
 * (bounded by count, bytes per packet, and a memory cap for all flows).
 * When an alert fires on a flow, the ring — the packets that led to it —
 * and then the flow's next packets (bounded) are written to
 * DIR/evidence/<time>-flow<flow_id>.pcap, and the alert record names the
 * file and the packets that were in the ring. The evidence directory is
 * capped in bytes: the oldest files (of this run and of earlier ones) are
 * deleted first, and what was dropped is counted.
 */
#ifndef FABMON_EVIDENCE_H
#define FABMON_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

struct flow;

/* Where an alert's packets were written (evidence pcap), if anywhere. */
struct evidence_ref {
	char file[128];               /* relative to the output directory */
	uint32_t first_packet, last_packet; /* 1-based, in that file */
};

struct evidence_config {
	uint16_t ring_packets;        /* packets kept per flow (0: no evidence) */
	uint32_t snap;                /* bytes kept of each packet */
	uint32_t after_packets;       /* packets of the flow written after the alert */
	uint64_t memcap;              /* bytes of all rings */
	uint64_t max_bytes;           /* evidence directory cap */
	uint32_t max_open;            /* evidence files open at once */
};

struct evidence_stats {
	uint64_t files;               /* evidence files written */
	uint64_t packets;             /* packets written to them */
	uint64_t bytes;               /* bytes in the directory now */
	uint64_t rotated;             /* files deleted to stay under the cap */
	uint64_t rotated_bytes;
	uint64_t no_ring;             /* flows that got no ring (memory cap) */
	uint64_t write_errors;        /* files or packets that could not be written */
	uint64_t not_written;         /* alerts with no evidence (no ring, error, no output) */
};

struct evidence;

/* dir: the output directory (evidence goes to dir/evidence); NULL: off. */
struct evidence *evidence_create(const struct evidence_config *cfg, const char *dir);
void evidence_destroy(struct evidence *ev);

/* A captured frame of flow f, of link type dlt (before it is processed). */
void evidence_packet(struct evidence *ev, struct flow *f, int dlt, int64_t sec, uint32_t usec,
		     uint32_t caplen, uint32_t wirelen, const uint8_t *frame);
/* An alert fired on f: write (or keep writing) its evidence; ref says
 * where. false if there is none. */
bool evidence_alert(struct evidence *ev, struct flow *f, struct evidence_ref *ref);
/* The flow ends: close its file, free its ring. */
void evidence_flow_end(struct evidence *ev, struct flow *f);
/* Flush open files (stats, shutdown). */
void evidence_flush(struct evidence *ev);

const struct evidence_stats *evidence_stats(const struct evidence *ev);

#endif
