/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capture sources: pcap/pcapng files, plain or compressed, or standard input
 * ("-"), read by fabmon's own reader (capture_file.h), and live interfaces
 * (libpcap). Nothing here ever transmits: fabmon calls neither
 * pcap_inject() nor pcap_sendpacket(), and tests check an interface's TX
 * counters stay unchanged while fabmon listens on it.
 */
#ifndef FABMON_CAPTURE_H
#define FABMON_CAPTURE_H

#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/capture/capture_file.h"

struct options;

enum capture_error {
	CAP_OK = 0,
	CAP_ERR_MISSING,      /* no such file or interface */
	CAP_ERR_PERMISSION,
	CAP_ERR_NOT_CAPTURE,  /* not pcap/pcapng, or a link type fabmon cannot decode */
	CAP_ERR_FILTER,       /* BPF filter does not compile */
	CAP_ERR_OTHER,
};

struct capture_filter {
	int dlt;
	struct bpf_program prog;
};

struct capture {
	const char *name;
	char label[256];      /* for messages: 'path', or standard input */
	bool live;
	pcap_t *pcap;         /* live */
	struct capfile *file; /* files */
	const char *bpf;
	struct capture_filter *filters; /* files: the BPF filter compiled per link type */
	size_t nfilters;
	int dlt;
	uint64_t packets;
};

/* Open a file ("-": standard input); err gets a complete message naming the
 * file. A signal that sets *cancel interrupts a blocked read (may be NULL). */
enum capture_error capture_open_file(struct capture *c, const char *path, const char *bpf,
				     const volatile sig_atomic_t *cancel, char *err,
				     size_t errlen);

/* The next packet of a file that passes the filter: CAPFILE_PACKET,
 * CAPFILE_END, CAPFILE_DAMAGED, CAPFILE_STOPPED, or CAPTURE_BAD_FILTER (the
 * filter does not compile for the link type of an interface met in the
 * file; err says so). */
#define CAPTURE_BAD_FILTER (-3)
int capture_next(struct capture *c, struct capfile_packet *p, char *err, size_t errlen);

/* Open an interface for live capture (TPACKET_V3 blocks, full snaplen,
 * kernel buffer, optional promiscuous mode and BPF). The kernel hands a
 * block over when it is full or block_ms after its first frame: a socket of
 * a fanout group (fanout.h) uses CAPTURE_FANOUT_BLOCK_MS, as that is how
 * far one worker's frames may lag behind another's. Warnings go to warn. */
#define CAPTURE_BLOCK_MS 100
#define CAPTURE_FANOUT_BLOCK_MS 10
enum capture_error capture_open_live(struct capture *c, const struct options *o, int block_ms,
				     char *err, size_t errlen, char *warn, size_t warnlen);

/* Join a live capture to fanout group `group` (PACKET_FANOUT_HASH with
 * defragmentation: both directions of a flow, and every fragment of a
 * datagram, reach the same socket of the group). What the socket took in
 * before it joined, the group has too: its reader skips it (fanout.h).
 * 0, or -1 (err says why). */
int capture_join_fanout(struct capture *c, uint16_t group, char *err, size_t errlen);

/* At the end of a live capture: what the kernel still holds in a block not
 * yet handed over (TPACKET_V3 hands a block over when it is full or its
 * 100 ms timeout passes) is waited for and read, so that what arrived
 * before the end is in the final records. */
void capture_read_rest(struct capture *c, pcap_handler cb, u_char *user);

void capture_close(struct capture *c);

/* The open file's descriptor when its frames can be read again at their
 * offsets (a regular, uncompressed file); -1 otherwise. */
int capture_reread_fd(const struct capture *c);
/* Can the file at path be read again at its frames' offsets (a regular,
 * uncompressed file, not standard input)? */
bool capture_path_rereadable(const char *path);

/*
 * Expand -r arguments into the list of files to read: files as given (order
 * kept), each directory replaced by its capture files sorted by the time of
 * their first packet. Files in a directory that are not captures are skipped
 * with a warning (counted in *skipped). Returns 0, or -1 with err set when an
 * argument cannot be read at all.
 */
int capture_expand_inputs(const char *const *args, int nargs, char ***paths, int *npaths,
			  uint32_t *skipped, char *err, size_t errlen);
void capture_free_inputs(char **paths, int npaths);

const char *capture_dlt_name(int dlt);

#endif
