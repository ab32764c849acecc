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

/* Why an alert record has no evidence pcap (README "Evidence pcaps"). */
enum evidence_none {
	EVIDENCE_HAS_FILE = 0,
	EVIDENCE_NONE_OFF,            /* evidence turned off (--evidence-packets 0, no -o) */
	EVIDENCE_NONE_NO_FLOW,        /* the alert was not raised on a flow */
	EVIDENCE_NONE_MEMCAP,         /* the flow got no ring (--evidence-memcap-mb) */
	EVIDENCE_NONE_NO_PACKETS,     /* the ring held none of the flow's packets */
	EVIDENCE_NONE_NO_DIRECTORY,   /* DIR/evidence could not be made */
	EVIDENCE_NONE_WRITE_ERROR,    /* the file could not be written */
	EVIDENCE_NONE_ROTATED,        /* deleted by --evidence-max-mb before the record */
};

/* Where an alert's packets were written (evidence pcap), if anywhere. */
struct evidence_ref {
	char file[128];               /* relative to the output directory; "" if none */
	uint32_t first_packet, last_packet; /* 1-based, in that file */
	enum evidence_none none;      /* why file is "" */
};

/* The same, compact: kept while an alert's record waits (a repeat record is
 * written when its window closes, its flows may be gone, and its file
 * rotated away). All zero: not noted. */
struct evidence_note {
	uint64_t file;                /* the file's serial + 1; 0: no file */
	uint32_t last_packet;
	uint32_t none;                /* enum evidence_none, when file is 0 */
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
	uint64_t empty_no_ring;       /* TCP flows without payload that got none yet: their
				       * share (an eighth of the cap) was full (evidence.c) */
	uint64_t write_errors;        /* files or packets that could not be written */
	uint64_t not_written;         /* alert records with no evidence (evidence_without) */
	bool read_back;               /* the rings keep where packets are in the capture
				       * files, read back for an alert (evidence_reread) */
};

struct evidence;

/* dir: the output directory (evidence goes to dir/evidence); NULL: off. */
struct evidence *evidence_create(const struct evidence_config *cfg, const char *dir);
void evidence_destroy(struct evidence *ev);

/* A captured frame of flow f, of link type dlt (before it is processed);
 * payload: it carries TCP payload (flows without any yet draw on a small
 * share of the memcap, evidence.c). */
void evidence_packet(struct evidence *ev, struct flow *f, int dlt, int64_t sec, uint32_t usec,
		     uint32_t caplen, uint32_t wirelen, const uint8_t *frame, bool payload);
/* The same frame, found at byte `at` of input `source`'s capture file
 * (0: in none). After evidence_reread only such frames are kept. */
void evidence_packet_at(struct evidence *ev, struct flow *f, int dlt, int64_t sec, uint32_t usec,
			uint32_t caplen, uint32_t wirelen, const uint8_t *frame, bool payload,
			uint16_t source, uint64_t at);
/* Every input is a capture file that can be read again: the rings keep
 * where each frame is (input, offset) instead of its bytes, and an alert
 * reads them back (evidence_source). Only before the first frame; false
 * when the rings keep bytes. */
bool evidence_reread(struct evidence *ev);
/* Input `source` is the capture file at path, open as fd (a descriptor of
 * its own is kept while it is among the last few read, then the file is
 * opened again by path when needed). false: not in reread mode, or no
 * descriptor. */
bool evidence_source(struct evidence *ev, uint16_t source, int fd, const char *path);
/* Will evidence_packet for this frame of f touch what all flows share (the
 * memory cap's accounting, an evidence file)? Otherwise it only writes to
 * f's own ring, and worker threads need not wait for their turn. */
bool evidence_packet_shared(const struct evidence *ev, const struct flow *f, bool payload);
/* An alert fired on f: write (or keep writing) its evidence; ref says
 * where. false if there is none (ref->none says why). */
bool evidence_alert(struct evidence *ev, struct flow *f, struct evidence_ref *ref);
/* An alert hit on f (NULL: not on a flow): note where its packets are.
 * A first record's hit is written as by evidence_alert. A repeat hit (one
 * folded into an aggregation window) names its flow's open or latest file
 * and starts a file only on a flow that had none: then a flood of repeat
 * hits costs no file each. */
void evidence_note_hit(struct evidence *ev, struct flow *f, bool repeat, struct evidence_note *out);
/* Where a note points now (the file may have been rotated away since);
 * false (and ref->none) if nowhere. */
bool evidence_resolve(const struct evidence *ev, const struct evidence_note *n,
		      struct evidence_ref *ref);
/* An alert record was written without evidence: count it. */
void evidence_without(struct evidence *ev);
/* The name of a reason, as in the alert record's evidence.none. */
const char *evidence_none_name(enum evidence_none none);
/* The flow ends: close its file, free its ring. */
void evidence_flow_end(struct evidence *ev, struct flow *f);
/* Flush open files (stats, shutdown). */
void evidence_flush(struct evidence *ev);

const struct evidence_stats *evidence_stats(const struct evidence *ev);

#endif
