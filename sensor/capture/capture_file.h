/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fabmon's reader of pcap and pcapng records, over a capture stream (so
 * compressed and piped captures read like files). Unlike libpcap 1.10 it
 * reads a pcapng whose interfaces have different link types (dumpcap -i eth0
 * -i any): every packet carries its own link type. Time stamps are converted
 * to seconds and microseconds exactly as libpcap does, so outputs do not
 * depend on which of the two read a file.
 *
 * Classic pcap: both byte orders, micro- and nanosecond magic, the
 * Kuznetzov (patched) record header. pcapng: sections (each with its byte
 * order), IDB link type, snaplen, if_tsresol and if_tsoffset; EPB, SPB and
 * the obsolete PB; other blocks are skipped. Every length is checked against
 * what holds it; an error names the packet number and byte offset.
 */
#ifndef FABMON_CAPTURE_FILE_H
#define FABMON_CAPTURE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/capture/capture_stream.h"

struct capfile;

enum capfile_format { CAPFILE_PCAP, CAPFILE_PCAPNG };

struct capfile_packet {
	int64_t sec;
	uint32_t usec;
	uint32_t caplen, wirelen;
	const uint8_t *data;   /* valid until the next capfile_next */
	uint64_t at;           /* offset of data in the (decompressed) bytes */
	int dlt;               /* DLT_* value (as libpcap reports it) */
	uint32_t iface;        /* pcapng interface (within its section); 0 for pcap */
	bool new_iface;        /* first packet of an interface (of a section) */
};

enum capfile_open_result {
	CAPFILE_OPEN_OK = 0,
	CAPFILE_OPEN_EMPTY,       /* no bytes at all */
	CAPFILE_OPEN_NOT_CAPTURE, /* neither pcap nor pcapng; err says what it starts with */
	CAPFILE_OPEN_DAMAGED,     /* a capture whose header is unreadable; err says why */
};

/* Read the file header (and, for pcapng, the interfaces described before
 * the first packet). The capfile owns s from then on, even on failure. */
enum capfile_open_result capfile_open(struct capfile **out, struct capstream *s, char *err,
				      size_t errlen);
void capfile_close(struct capfile *f);

enum { CAPFILE_END = 0, CAPFILE_PACKET = 1, CAPFILE_DAMAGED = -1, CAPFILE_STOPPED = -2 };
/* The next packet: CAPFILE_PACKET, CAPFILE_END, CAPFILE_DAMAGED (then
 * capfile_error says why and capfile_error_offset where), or CAPFILE_STOPPED
 * (a signal interrupted a blocked read; calling again resumes). */
int capfile_next(struct capfile *f, struct capfile_packet *p);

enum capfile_format capfile_format(const struct capfile *f);
const char *capfile_error(const struct capfile *f);
/* Offset in the (decompressed) bytes of the record that could not be read. */
uint64_t capfile_error_offset(const struct capfile *f);
/* Packet records returned so far. */
uint64_t capfile_packets(const struct capfile *f);
struct capstream *capfile_stream(const struct capfile *f);

/* Link types of the interfaces known after open (pcap: one). */
size_t capfile_ifaces(const struct capfile *f);
int capfile_iface_dlt(const struct capfile *f, size_t i);

/* Do these first four bytes start a pcap or pcapng file (not, say, a
 * compressed one)? */
bool capfile_magic(const uint8_t b[4]);

/* libpcap's mapping of a file's LINKTYPE_ value to the DLT_ value. */
int capfile_linktype_to_dlt(uint32_t linktype);

#endif
