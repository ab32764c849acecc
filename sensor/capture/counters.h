/* SPDX-License-Identifier: BSD-2-Clause */
/* What the capture and decode steps of the packet path count (the
 * pipeline keeps them; the stats record and the summary report them). */
#ifndef FABMON_COUNTERS_H
#define FABMON_COUNTERS_H

#include <stdint.h>

#include "sensor/capture/decode.h"

struct decode_counters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t status[DEC_STATUS_COUNT];
	uint64_t error[DERR_COUNT];
	uint64_t ipv4, ipv6, tcp, udp, icmp4, icmp6, other_l4;
	uint64_t vlan, qinq, mpls;
	uint64_t payload_truncated;  /* packets whose payload was cut by snaplen */
	uint64_t no_flow;            /* no flow entry could be made */
	uint64_t ndpi_no_state;      /* flows not classified: nDPI pool empty */
};

struct capture_counters {
	uint64_t kernel_received;
	uint64_t kernel_dropped;     /* ps_drop: buffer full */
	uint64_t iface_dropped;      /* ps_ifdrop: dropped by the interface/driver */
	uint32_t files_read;
	uint32_t files_damaged;
	uint32_t files_skipped;
};

/* Decode frame p of link type dlt and count what it is in dc (every
 * thread that decodes has counters of its own). */
enum decode_status decode_counted(struct packet *p, int dlt, struct decode_counters *dc);

#endif
