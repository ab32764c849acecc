/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Packet decode: link layer -> VLAN/QinQ -> IPv4/IPv6 (+extension headers)
 * -> TCP/UDP/SCTP/ICMP. Pure function over the captured bytes; every read is
 * bounded by caplen. A packet cut short by the capture's snaplen is marked
 * truncated (DEC_F_TRUNCATED), never decoded from bytes that are not there.
 */
#ifndef FABMON_DECODE_H
#define FABMON_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "util/netaddr.h"

#define DECODE_MAX_VLANS 2      /* VLAN ids kept in the flow key (outer, inner) */
#define DECODE_MAX_V6_EXT 8     /* IPv6 extension headers walked before giving up */

/* Why decoding stopped before the transport payload. Stable names in decode.c. */
enum decode_status {
	DEC_OK = 0,          /* IP + transport header decoded */
	DEC_NOT_IP,          /* ARP, LLDP, ... : counted, not a flow */
	DEC_UNSUPPORTED_LINK,
	DEC_TRUNCATED,       /* captured bytes end inside a header */
	DEC_INVALID,         /* a header contradicts itself */
	DEC_FRAGMENT,        /* IP fragment: needs reassembly before L4 */
	DEC_STATUS_COUNT
};

/* Reasons for DEC_INVALID / DEC_TRUNCATED, for counters and debugging. */
enum decode_error {
	DERR_NONE = 0,
	DERR_LINK_SHORT,
	DERR_VLAN_SHORT,
	DERR_VLAN_TOO_DEEP,
	DERR_MPLS_SHORT,
	DERR_IP_VERSION,
	DERR_IPV4_SHORT,
	DERR_IPV4_IHL,
	DERR_IPV4_TOTLEN,
	DERR_IPV6_SHORT,
	DERR_IPV6_PLEN,
	DERR_IPV6_EXT,
	DERR_IPV6_EXT_DEPTH,
	DERR_TCP_SHORT,
	DERR_TCP_DOFF,
	DERR_UDP_SHORT,
	DERR_UDP_LEN,
	DERR_ICMP_SHORT,
	DERR_SCTP_SHORT,
	DERR_COUNT
};

/* TCP flag bits as on the wire */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

/* packet.flags */
#define DEC_F_TRUNCATED   0x01  /* caplen < len: some bytes of this packet are missing */
#define DEC_F_REASSEMBLED 0x02  /* built from IP fragments */
#define DEC_F_ETH_PADDED  0x04  /* link frame longer than the IP datagram */
#define DEC_F_VLAN_EXTRA  0x08  /* more VLAN tags than DECODE_MAX_VLANS */

struct packet {
	/* from the capture */
	int64_t ts_sec;
	uint32_t ts_usec;
	uint32_t caplen;
	uint32_t wirelen;
	const uint8_t *data;
	uint64_t at;              /* offset of data in its capture file; 0: none (evidence) */

	/* link */
	const uint8_t *mac_src;   /* NULL unless the link has MAC addresses */
	const uint8_t *mac_dst;
	uint16_t vlan[DECODE_MAX_VLANS];
	uint8_t vlan_count;
	uint8_t mpls_labels;
	uint16_t ethertype;

	/* network */
	const uint8_t *l3;        /* IP header */
	uint32_t l3_caplen;       /* captured bytes from l3, cut to the IP datagram length */
	uint32_t l3_wirelen;      /* IP datagram length from its header */
	uint8_t ip_version;
	uint8_t ttl;
	struct ip_addr src, dst;
	uint8_t proto;            /* transport protocol (after IPv6 extension headers) */
	/* fragment info (DEC_FRAGMENT) */
	uint32_t frag_id;
	uint32_t frag_offset;     /* bytes */
	bool frag_more;
	uint32_t frag_hdr_off;    /* offset of the fragmentable part from l3 */
	uint32_t v6_frag_ext_off; /* IPv6: offset of the fragment header from l3 */
	uint8_t v6_frag_prev_nh_off_valid;
	uint32_t v6_frag_prev_nh_off; /* IPv6: offset of the next-header byte that names 44 */

	/* transport */
	const uint8_t *l4;
	uint32_t l4_caplen;
	uint32_t l4_wirelen;
	uint16_t sport, dport;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;         /* echo identifier, 0 otherwise */

	const uint8_t *payload;
	uint32_t payload_caplen;  /* bytes we have */
	uint32_t payload_wirelen; /* bytes the headers say exist */

	uint8_t flags;            /* DEC_F_* */
	enum decode_status status;
	enum decode_error error;
};

/* Decode a frame of the given libpcap DLT. Fills p (data/caplen/wirelen/ts are
 * expected to be set by the caller). Returns p->status. */
enum decode_status decode_packet(struct packet *p, int dlt);

/* Decode from an IP header (used for raw links and reassembled datagrams). */
enum decode_status decode_ip(struct packet *p, const uint8_t *ip, uint32_t caplen);

/* True if libpcap DLT is one fabmon can decode. */
bool decode_link_supported(int dlt);

const char *decode_status_name(enum decode_status s);
const char *decode_error_name(enum decode_error e);

#endif
