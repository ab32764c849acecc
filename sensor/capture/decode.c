/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Packet decode over the captured bytes.
 *
 *   link (Ethernet | Linux SLL v1/v2 | raw IP | BSD loopback)
 *     -> 802.1Q / 802.1ad / QinQ tags, MPLS label stack
 *     -> IPv4 (RFC 791) | IPv6 (RFC 8200) + extension headers
 *     -> TCP (RFC 9293) | UDP (RFC 768) | ICMP / ICMPv6
 *
 * Every read goes through a struct bview cut to caplen; see bview.h. Two ways
 * to fail, as in tcpdump: the capture ended inside a header (DEC_TRUNCATED:
 * the packet is counted, never guessed at) or a header contradicts itself
 * (DEC_INVALID). The IP datagram length from the header bounds everything
 * above L3, so Ethernet padding never reaches a dissector.
 */
#include "sensor/capture/decode.h"

#include <pcap/dlt.h>
#include <string.h>

#include "util/bview.h"

#define ETH_P_IPV4   0x0800
#define ETH_P_ARP    0x0806
#define ETH_P_VLAN   0x8100
#define ETH_P_QINQ   0x88a8
#define ETH_P_QINQ1  0x9100  /* pre-standard QinQ */
#define ETH_P_IPV6   0x86dd
#define ETH_P_MPLS   0x8847
#define ETH_P_MPLSM  0x8848

#define MAX_VLAN_TAGS 8       /* tags walked before the frame is called invalid */
#define MAX_MPLS_LABELS 8

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

static const char *const status_names[DEC_STATUS_COUNT] = {
	[DEC_OK] = "ok",
	[DEC_NOT_IP] = "not_ip",
	[DEC_UNSUPPORTED_LINK] = "unsupported_link",
	[DEC_TRUNCATED] = "truncated",
	[DEC_INVALID] = "invalid",
	[DEC_FRAGMENT] = "fragment",
};

static const char *const error_names[DERR_COUNT] = {
	[DERR_NONE] = "none",
	[DERR_LINK_SHORT] = "link_header_short",
	[DERR_VLAN_SHORT] = "vlan_tag_short",
	[DERR_VLAN_TOO_DEEP] = "vlan_too_many_tags",
	[DERR_MPLS_SHORT] = "mpls_short",
	[DERR_IP_VERSION] = "ip_version_mismatch",
	[DERR_IPV4_SHORT] = "ipv4_header_short",
	[DERR_IPV4_IHL] = "ipv4_bad_ihl",
	[DERR_IPV4_TOTLEN] = "ipv4_bad_total_length",
	[DERR_IPV6_SHORT] = "ipv6_header_short",
	[DERR_IPV6_PLEN] = "ipv6_bad_payload_length",
	[DERR_IPV6_EXT] = "ipv6_ext_header_short",
	[DERR_IPV6_EXT_DEPTH] = "ipv6_too_many_ext_headers",
	[DERR_TCP_SHORT] = "tcp_header_short",
	[DERR_TCP_DOFF] = "tcp_bad_data_offset",
	[DERR_UDP_SHORT] = "udp_header_short",
	[DERR_UDP_LEN] = "udp_bad_length",
	[DERR_ICMP_SHORT] = "icmp_header_short",
	[DERR_SCTP_SHORT] = "sctp_header_short",
};

const char *decode_status_name(enum decode_status s)
{
	return (unsigned)s < DEC_STATUS_COUNT ? status_names[s] : "?";
}

const char *decode_error_name(enum decode_error e)
{
	return (unsigned)e < DERR_COUNT ? error_names[e] : "?";
}

bool decode_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
#if defined(DLT_RAW) && DLT_RAW != 12
	case 12:
#endif
#if DLT_RAW != 14
	case 14: /* OpenBSD's DLT_RAW value, seen in old captures */
#endif
		return true;
	default:
		return false;
	}
}

/* Stop with a status; returns it so callers can `return fail(...)`. */
static enum decode_status fail(struct packet *p, enum decode_status s, enum decode_error e)
{
	p->status = s;
	p->error = e;
	return s;
}

/*
 * A header is missing bytes. If the frame was cut by snaplen the packet is
 * truncated; if all of it was captured, the header claims bytes that do not
 * exist on the wire and the packet is invalid.
 */
static enum decode_status short_header(struct packet *p, enum decode_error e)
{
	if (p->caplen < p->wirelen)
		p->flags |= DEC_F_TRUNCATED;
	return fail(p, p->caplen < p->wirelen ? DEC_TRUNCATED : DEC_INVALID, e);
}

static enum decode_status decode_l4(struct packet *p, struct bview *v, uint32_t l4_wirelen);

/* IPv6 extension headers that use the generic (next header, length) layout. */
static bool v6_is_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140 || nh == 253 ||
	       nh == 254;
}

static enum decode_status decode_ipv6(struct packet *p, const uint8_t *ip, uint32_t caplen)
{
	struct bview v = bv_make(ip, caplen);
	uint8_t vtc = bv_u8(&v);
	bv_skip(&v, 3);
	uint16_t plen = bv_be16(&v);
	uint8_t nh = bv_u8(&v);
	p->ttl = bv_u8(&v);
	if (v.err)
		return short_header(p, DERR_IPV6_SHORT);
	if ((vtc >> 4) != 6)
		return fail(p, DEC_INVALID, DERR_IP_VERSION);
	p->src.family = p->dst.family = 6;
	bv_copy(&v, p->src.a, 16);
	bv_copy(&v, p->dst.a, 16);
	if (v.err)
		return short_header(p, DERR_IPV6_SHORT);

	p->ip_version = 6;
	p->l3 = ip;
	/* plen 0 is a jumbogram (RFC 2675): fabmon does not follow hop-by-hop
	 * jumbo options, it bounds the datagram by the captured bytes. */
	uint32_t dgram = plen ? 40u + plen : caplen;
	if (plen && p->caplen == p->wirelen && dgram > caplen)
		return fail(p, DEC_INVALID, DERR_IPV6_PLEN);
	p->l3_wirelen = dgram;
	p->l3_caplen = caplen < dgram ? caplen : dgram;
	if (dgram < caplen)
		p->flags |= DEC_F_ETH_PADDED;
	v.len = p->l3_caplen;

	uint32_t prev_nh_off = 6;
	for (int depth = 0;; depth++) {
		if (depth >= DECODE_MAX_V6_EXT)
			return fail(p, DEC_INVALID, DERR_IPV6_EXT_DEPTH);
		if (nh == 44) { /* fragment header: 8 bytes */
			size_t at = v.off;
			uint8_t fnh = bv_u8(&v);
			bv_skip(&v, 1);
			uint16_t offm = bv_be16(&v);
			uint32_t id = bv_be32(&v);
			if (v.err)
				return short_header(p, DERR_IPV6_EXT);
			p->frag_id = id;
			p->frag_offset = (uint32_t)(offm & 0xfff8);
			p->frag_more = offm & 1;
			p->v6_frag_ext_off = (uint32_t)at;
			p->v6_frag_prev_nh_off = prev_nh_off;
			p->v6_frag_prev_nh_off_valid = 1;
			p->frag_hdr_off = (uint32_t)v.off;
			p->proto = fnh;
			if (p->frag_offset != 0 || p->frag_more)
				return fail(p, DEC_FRAGMENT, DERR_NONE);
			/* atomic fragment (RFC 6946): just continue */
			prev_nh_off = (uint32_t)at;
			nh = fnh;
			continue;
		}
		if (nh == 51) { /* AH: length in 4-octet units minus 2 */
			size_t at = v.off;
			uint8_t anh = bv_u8(&v);
			uint8_t alen = bv_u8(&v);
			if (v.err || !bv_skip(&v, ((size_t)alen + 2) * 4 - 2))
				return short_header(p, DERR_IPV6_EXT);
			prev_nh_off = (uint32_t)at;
			nh = anh;
			continue;
		}
		if (!v6_is_ext(nh))
			break;
		size_t at = v.off;
		uint8_t enh = bv_u8(&v);
		uint8_t elen = bv_u8(&v);
		if (v.err || !bv_skip(&v, ((size_t)elen + 1) * 8 - 2))
			return short_header(p, DERR_IPV6_EXT);
		prev_nh_off = (uint32_t)at;
		nh = enh;
	}
	p->proto = nh;
	uint32_t l4_wirelen = dgram > v.off ? dgram - (uint32_t)v.off : 0;
	struct bview l4 = bv_make(ip + v.off, v.len - v.off);
	return decode_l4(p, &l4, l4_wirelen);
}

static enum decode_status decode_ipv4(struct packet *p, const uint8_t *ip, uint32_t caplen)
{
	struct bview v = bv_make(ip, caplen);
	uint8_t vihl = bv_u8(&v);
	bv_skip(&v, 1);
	uint16_t totlen = bv_be16(&v);
	uint16_t id = bv_be16(&v);
	uint16_t frag = bv_be16(&v);
	p->ttl = bv_u8(&v);
	uint8_t proto = bv_u8(&v);
	bv_skip(&v, 2);
	p->src.family = p->dst.family = 4;
	bv_copy(&v, p->src.a, 4);
	bv_copy(&v, p->dst.a, 4);
	if (v.err)
		return short_header(p, DERR_IPV4_SHORT);
	if ((vihl >> 4) != 4)
		return fail(p, DEC_INVALID, DERR_IP_VERSION);
	uint32_t ihl = (uint32_t)(vihl & 0x0f) * 4;
	if (ihl < 20)
		return fail(p, DEC_INVALID, DERR_IPV4_IHL);
	if (!bv_skip(&v, ihl - 20))
		return short_header(p, DERR_IPV4_SHORT);
	if (totlen < ihl)
		return fail(p, DEC_INVALID, DERR_IPV4_TOTLEN);
	/* TSO/GRO captures on the sensor host may show totlen 0 for the
	 * reassembled super-frame: take the captured length then. */
	uint32_t dgram = totlen ? totlen : caplen;
	if (p->caplen == p->wirelen && dgram > caplen)
		return fail(p, DEC_INVALID, DERR_IPV4_TOTLEN);

	p->ip_version = 4;
	p->l3 = ip;
	p->proto = proto;
	p->l3_wirelen = dgram;
	p->l3_caplen = caplen < dgram ? caplen : dgram;
	if (dgram < caplen)
		p->flags |= DEC_F_ETH_PADDED;

	p->frag_id = id;
	p->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
	p->frag_more = (frag & 0x2000) != 0;
	p->frag_hdr_off = ihl;
	if (p->frag_offset != 0 || p->frag_more)
		return fail(p, DEC_FRAGMENT, DERR_NONE);

	struct bview l4 = bv_make(ip + ihl, p->l3_caplen - ihl);
	return decode_l4(p, &l4, dgram - ihl);
}

enum decode_status decode_ip(struct packet *p, const uint8_t *ip, uint32_t caplen)
{
	if (caplen < 1)
		return short_header(p, DERR_IPV4_SHORT);
	switch (ip[0] >> 4) {
	case 4:
		return decode_ipv4(p, ip, caplen);
	case 6:
		return decode_ipv6(p, ip, caplen);
	default:
		return fail(p, DEC_INVALID, DERR_IP_VERSION);
	}
}

static void set_payload(struct packet *p, struct bview *v, uint32_t hdrlen, uint32_t l4_wirelen)
{
	p->payload = v->p + hdrlen;
	p->payload_caplen = (uint32_t)v->len - hdrlen;
	p->payload_wirelen = l4_wirelen > hdrlen ? l4_wirelen - hdrlen : 0;
	if (p->payload_caplen > p->payload_wirelen)
		p->payload_caplen = p->payload_wirelen;
	if (p->payload_caplen < p->payload_wirelen)
		p->flags |= DEC_F_TRUNCATED;
}

static enum decode_status decode_l4(struct packet *p, struct bview *v, uint32_t l4_wirelen)
{
	p->l4 = v->p;
	p->l4_caplen = (uint32_t)v->len;
	p->l4_wirelen = l4_wirelen;

	switch (p->proto) {
	case 6: { /* TCP */
		p->sport = bv_be16(v);
		p->dport = bv_be16(v);
		p->tcp_seq = bv_be32(v);
		p->tcp_ack = bv_be32(v);
		uint8_t doff = bv_u8(v);
		p->tcp_flags = bv_u8(v);
		p->tcp_win = bv_be16(v);
		if (v->err)
			return short_header(p, DERR_TCP_SHORT);
		uint32_t hl = (uint32_t)(doff >> 4) * 4;
		if (hl < 20 || hl > l4_wirelen)
			return fail(p, DEC_INVALID, DERR_TCP_DOFF);
		if (v->len < hl)
			return short_header(p, DERR_TCP_SHORT);
		set_payload(p, v, hl, l4_wirelen);
		break;
	}
	case 17: { /* UDP */
		p->sport = bv_be16(v);
		p->dport = bv_be16(v);
		uint16_t ulen = bv_be16(v);
		if (v->err || !bv_skip(v, 2))
			return short_header(p, DERR_UDP_SHORT);
		/* A UDP length beyond the IP datagram is invalid; 0 is legal for
		 * IPv6 jumbograms only, treat it as "rest of datagram". */
		if (ulen != 0 && (ulen < 8 || ulen > l4_wirelen))
			return fail(p, DEC_INVALID, DERR_UDP_LEN);
		set_payload(p, v, 8, ulen ? ulen : l4_wirelen);
		break;
	}
	case 1:    /* ICMP */
	case 58: { /* ICMPv6 */
		p->icmp_type = bv_u8(v);
		p->icmp_code = bv_u8(v);
		bv_skip(v, 2);
		if (v->err)
			return short_header(p, DERR_ICMP_SHORT);
		bool echo = p->proto == 1 ? (p->icmp_type == 8 || p->icmp_type == 0)
					  : (p->icmp_type == 128 || p->icmp_type == 129);
		if (echo && !bv_peek_be16(v, 4, &p->icmp_id))
			return short_header(p, DERR_ICMP_SHORT);
		set_payload(p, v, 4, l4_wirelen);
		break;
	}
	case 132: /* SCTP common header (RFC 9260): ports, tag, checksum */
		p->sport = bv_be16(v);
		p->dport = bv_be16(v);
		if (v->err || !bv_skip(v, 8))
			return short_header(p, DERR_SCTP_SHORT);
		set_payload(p, v, 12, l4_wirelen);
		break;
	default:
		/* other transports: the flow is keyed by addresses and protocol */
		set_payload(p, v, 0, l4_wirelen);
		break;
	}
	return fail(p, DEC_OK, DERR_NONE);
}

/* Walk VLAN tags and MPLS labels, then dispatch on the inner ethertype. */
static enum decode_status decode_ethertype(struct packet *p, struct bview *v, uint16_t type)
{
	int tags = 0;
	while (type == ETH_P_VLAN || type == ETH_P_QINQ || type == ETH_P_QINQ1) {
		if (++tags > MAX_VLAN_TAGS)
			return fail(p, DEC_INVALID, DERR_VLAN_TOO_DEEP);
		uint16_t tci = bv_be16(v);
		type = bv_be16(v);
		if (v->err)
			return short_header(p, DERR_VLAN_SHORT);
		if (p->vlan_count < DECODE_MAX_VLANS)
			p->vlan[p->vlan_count++] = tci & 0x0fff;
		else
			p->flags |= DEC_F_VLAN_EXTRA;
	}
	p->ethertype = type;
	if (type == ETH_P_MPLS || type == ETH_P_MPLSM) {
		for (;;) {
			uint32_t lbl = bv_be32(v);
			if (v->err)
				return short_header(p, DERR_MPLS_SHORT);
			if (++p->mpls_labels > MAX_MPLS_LABELS)
				return fail(p, DEC_INVALID, DERR_MPLS_SHORT);
			if (lbl & 0x100) /* bottom of stack */
				break;
		}
		/* MPLS does not name its payload: peek at the IP version nibble */
		uint8_t first;
		if (!bv_peek_u8(v, v->off, &first))
			return short_header(p, DERR_MPLS_SHORT);
		uint8_t ver = first >> 4;
		type = ver == 4 ? ETH_P_IPV4 : ver == 6 ? ETH_P_IPV6 : 0;
	}
	if (type == ETH_P_IPV4 || type == ETH_P_IPV6) {
		uint8_t first;
		if (!bv_peek_u8(v, v->off, &first))
			return short_header(p, type == ETH_P_IPV4 ? DERR_IPV4_SHORT : DERR_IPV6_SHORT);
		if ((first >> 4) != (type == ETH_P_IPV4 ? 4 : 6))
			return fail(p, DEC_INVALID, DERR_IP_VERSION);
		return decode_ip(p, bv_ptr(v), (uint32_t)bv_left(v));
	}
	return fail(p, DEC_NOT_IP, DERR_NONE);
}

/* BSD loopback address family values (DLT_NULL host order, DLT_LOOP network
 * order): 2 is AF_INET everywhere, IPv6 differs per OS. */
static int null_family_to_version(uint32_t af)
{
	if (af == 2)
		return 4;
	if (af == 10 || af == 24 || af == 28 || af == 30)
		return 6;
	return 0;
}

enum decode_status decode_packet(struct packet *p, int dlt)
{
	struct bview v = bv_make(p->data, p->caplen);
	p->status = DEC_OK;
	p->error = DERR_NONE;

	switch (dlt) {
	case DLT_EN10MB: {
		if (!bv_need(&v, 14))
			return short_header(p, DERR_LINK_SHORT);
		p->mac_dst = bv_ptr(&v);
		p->mac_src = bv_ptr(&v) + 6;
		bv_skip(&v, 12);
		uint16_t type = bv_be16(&v);
		if (type < 0x0600) /* 802.3 length: LLC/SNAP frames carry no IP here */
			return fail(p, DEC_NOT_IP, DERR_NONE);
		return decode_ethertype(p, &v, type);
	}
	case DLT_LINUX_SLL: { /* 16 bytes: type, arphrd, addr len, addr[8], proto */
		uint16_t pkttype = bv_be16(&v);
		uint16_t hatype = bv_be16(&v);
		uint16_t halen = bv_be16(&v);
		const uint8_t *addr = bv_ptr(&v);
		bv_skip(&v, 8);
		uint16_t proto = bv_be16(&v);
		if (v.err)
			return short_header(p, DERR_LINK_SHORT);
		(void)pkttype;
		if (hatype == 1 && halen == 6)
			p->mac_src = addr;
		return decode_ethertype(p, &v, proto);
	}
	case DLT_LINUX_SLL2: { /* 20 bytes: proto, rsvd, ifindex, arphrd, type, alen, addr[8] */
		uint16_t proto = bv_be16(&v);
		bv_skip(&v, 2 + 4);
		uint16_t hatype = bv_be16(&v);
		bv_skip(&v, 1);
		uint8_t halen = bv_u8(&v);
		const uint8_t *addr = bv_ptr(&v);
		bv_skip(&v, 8);
		if (v.err)
			return short_header(p, DERR_LINK_SHORT);
		if (hatype == 1 && halen == 6)
			p->mac_src = addr;
		return decode_ethertype(p, &v, proto);
	}
	case DLT_NULL:
	case DLT_LOOP: {
		uint32_t af = dlt == DLT_LOOP ? bv_be32(&v) : bv_le32(&v);
		if (v.err)
			return short_header(p, DERR_LINK_SHORT);
		/* DLT_NULL is in the capturing host's byte order: accept both */
		int ver = null_family_to_version(af);
		if (!ver && dlt == DLT_NULL) {
			af = (af >> 24) | ((af >> 8) & 0xff00) | ((af << 8) & 0xff0000) | (af << 24);
			ver = null_family_to_version(af);
		}
		if (!ver)
			return fail(p, DEC_NOT_IP, DERR_NONE);
		return decode_ethertype(p, &v, ver == 4 ? ETH_P_IPV4 : ETH_P_IPV6);
	}
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
#if DLT_RAW != 12
	case 12:
#endif
#if DLT_RAW != 14
	case 14:
#endif
		return decode_ip(p, p->data, p->caplen);
	default:
		return fail(p, DEC_UNSUPPORTED_LINK, DERR_NONE);
	}
}
