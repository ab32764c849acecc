/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/capture/ipfrag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FRAG_MAX_PAYLOAD 65535u            /* fragmentable part of one datagram */
#define FRAG_BLOCKS ((FRAG_MAX_PAYLOAD + 7) / 8)
#define FRAG_MAX_HDR 512u                  /* IPv4 60, IPv6 40 + unfragmentable ext headers */

struct frag_dgram {
	bool used;
	uint8_t family;
	uint8_t proto;
	uint8_t vlan_count;
	uint16_t vlan[DECODE_MAX_VLANS];
	uint32_t id;
	uint8_t src[16], dst[16];
	int64_t first_sec;
	uint32_t hdr_len;          /* 0 until the offset-0 fragment arrived */
	uint32_t total;            /* payload length, known once the last fragment arrived */
	bool have_last;
	uint32_t received;         /* payload bytes received (not counting overlaps) */
	uint64_t frame_bytes;
	uint8_t hdr[FRAG_MAX_HDR];
	uint8_t *payload;          /* FRAG_MAX_PAYLOAD bytes */
	uint8_t seen[(FRAG_BLOCKS + 7) / 8];
};

struct ipfrag {
	struct ipfrag_config cfg;
	struct frag_dgram *d;
	uint8_t *out;              /* the completed datagram */
	struct ipfrag_stats st;
};

struct ipfrag *ipfrag_create(const struct ipfrag_config *cfg)
{
	struct ipfrag *fr = calloc(1, sizeof(*fr));
	if (!fr)
		return NULL;
	fr->cfg = *cfg;
	if (fr->cfg.max_datagrams == 0)
		fr->cfg.max_datagrams = 1;
	fr->d = calloc(fr->cfg.max_datagrams, sizeof(*fr->d));
	fr->out = malloc(FRAG_MAX_HDR + FRAG_MAX_PAYLOAD);
	if (!fr->d || !fr->out) {
		ipfrag_destroy(fr);
		return NULL;
	}
	return fr;
}

static void dgram_drop(struct ipfrag *fr, struct frag_dgram *d)
{
	free(d->payload);
	memset(d, 0, sizeof(*d));
	fr->st.in_progress--;
}

void ipfrag_destroy(struct ipfrag *fr)
{
	if (!fr)
		return;
	/* only as far as the datagrams in progress: the rest of the table's
	 * pages were never touched (calloc), and reading them would fault
	 * each one in (a few MB at every exit) */
	uint64_t left = fr->st.in_progress;
	for (uint32_t i = 0; fr->d && left && i < fr->cfg.max_datagrams; i++)
		if (fr->d[i].used) {
			free(fr->d[i].payload);
			left--;
		}
	free(fr->d);
	free(fr->out);
	free(fr);
}

static bool same(const struct frag_dgram *d, const struct packet *p)
{
	if (!d->used || d->family != p->ip_version || d->id != p->frag_id ||
	    d->vlan_count != p->vlan_count)
		return false;
	/* IPv4 keys on protocol too (RFC 791); IPv6 on addresses and id only */
	if (p->ip_version == 4 && d->proto != p->proto)
		return false;
	for (int i = 0; i < p->vlan_count && i < DECODE_MAX_VLANS; i++)
		if (d->vlan[i] != p->vlan[i])
			return false;
	return memcmp(d->src, p->src.a, 16) == 0 && memcmp(d->dst, p->dst.a, 16) == 0;
}

static struct frag_dgram *find_or_new(struct ipfrag *fr, const struct packet *p)
{
	struct frag_dgram *free_slot = NULL, *oldest = NULL;
	for (uint32_t i = 0; i < fr->cfg.max_datagrams; i++) {
		struct frag_dgram *d = &fr->d[i];
		if (same(d, p))
			return d;
		if (!d->used) {
			if (!free_slot)
				free_slot = d;
		} else if (!oldest || d->first_sec < oldest->first_sec) {
			oldest = d;
		}
	}
	if (!free_slot) {
		fr->st.evicted++;
		dgram_drop(fr, oldest);
		free_slot = oldest;
	}
	struct frag_dgram *d = free_slot;
	d->payload = malloc(FRAG_MAX_PAYLOAD);
	if (!d->payload)
		return NULL;
	d->used = true;
	d->family = p->ip_version;
	d->proto = p->proto;
	d->id = p->frag_id;
	d->vlan_count = p->vlan_count;
	memcpy(d->vlan, p->vlan, sizeof(d->vlan));
	memcpy(d->src, p->src.a, 16);
	memcpy(d->dst, p->dst.a, 16);
	d->first_sec = p->ts_sec;
	fr->st.in_progress++;
	return d;
}

static bool block_seen(const struct frag_dgram *d, uint32_t b)
{
	return d->seen[b / 8] & (1u << (b % 8));
}

/* Build the unfragmented header from the offset-0 fragment. */
static bool take_header(struct frag_dgram *d, const struct packet *p)
{
	uint32_t n = p->ip_version == 4 ? p->frag_hdr_off : p->v6_frag_ext_off;
	if (n > FRAG_MAX_HDR || n > p->l3_caplen)
		return false;
	memcpy(d->hdr, p->l3, n);
	if (p->ip_version == 6) {
		/* the header before the fragment header now names what followed it */
		if (!p->v6_frag_prev_nh_off_valid || p->v6_frag_prev_nh_off >= n)
			return false;
		d->hdr[p->v6_frag_prev_nh_off] = p->proto;
	}
	d->hdr_len = n;
	return true;
}

static const uint8_t *assemble(struct ipfrag *fr, struct frag_dgram *d, uint32_t *len)
{
	uint32_t n = d->hdr_len + d->total;
	memcpy(fr->out, d->hdr, d->hdr_len);
	memcpy(fr->out + d->hdr_len, d->payload, d->total);
	if (d->family == 4) {
		fr->out[2] = (uint8_t)(n >> 8);
		fr->out[3] = (uint8_t)n;
		fr->out[6] = 0; /* clear MF and offset, keep nothing of DF */
		fr->out[7] = 0;
	} else {
		uint32_t plen = n - 40;
		fr->out[4] = (uint8_t)(plen >> 8);
		fr->out[5] = (uint8_t)plen;
	}
	*len = n;
	return fr->out;
}

const uint8_t *ipfrag_add(struct ipfrag *fr, const struct packet *p, uint32_t *len,
			  uint64_t *frame_bytes)
{
	fr->st.fragments++;
	uint32_t off = p->frag_offset;
	uint32_t start = p->frag_hdr_off;
	if (p->l3_caplen < p->l3_wirelen || start > p->l3_wirelen) {
		fr->st.invalid++; /* a fragment cut by snaplen cannot be reassembled */
		return NULL;
	}
	uint32_t flen = p->l3_wirelen - start;
	if (off + flen > FRAG_MAX_PAYLOAD || (p->frag_more && (flen % 8 != 0 || flen == 0))) {
		fr->st.invalid++;
		return NULL;
	}
	struct frag_dgram *d = find_or_new(fr, p);
	if (!d)
		return NULL;
	d->frame_bytes += p->wirelen;
	if (!p->frag_more) {
		if (d->have_last && d->total != off + flen) {
			fr->st.invalid++; /* two different ends: give the datagram up */
			dgram_drop(fr, d);
			return NULL;
		}
		d->have_last = true;
		d->total = off + flen;
	}
	if (off == 0 && d->hdr_len == 0 && !take_header(d, p)) {
		fr->st.invalid++;
		dgram_drop(fr, d);
		return NULL;
	}
	const uint8_t *src = p->l3 + start;
	bool overlap = false, differs = false;
	for (uint32_t i = 0; i < flen; i += 8) {
		uint32_t b = (off + i) / 8;
		uint32_t n = flen - i < 8 ? flen - i : 8;
		if (block_seen(d, b)) {
			overlap = true;
			if (memcmp(d->payload + off + i, src + i, n) != 0)
				differs = true;
			continue;
		}
		memcpy(d->payload + off + i, src + i, n);
		d->seen[b / 8] |= (uint8_t)(1u << (b % 8));
		d->received += n;
	}
	if (overlap)
		fr->st.overlaps++;
	if (differs)
		fr->st.overlap_diff++;
	if (!d->have_last || d->hdr_len == 0 || d->received < d->total)
		return NULL;
	for (uint32_t b = 0; b < (d->total + 7) / 8; b++)
		if (!block_seen(d, b))
			return NULL;
	const uint8_t *out = assemble(fr, d, len);
	*frame_bytes = d->frame_bytes;
	fr->st.reassembled++;
	dgram_drop(fr, d);
	return out;
}

void ipfrag_expire(struct ipfrag *fr, int64_t now_sec)
{
	if (fr->st.in_progress == 0)
		return;
	for (uint32_t i = 0; i < fr->cfg.max_datagrams; i++) {
		struct frag_dgram *d = &fr->d[i];
		if (d->used && now_sec - d->first_sec > (int64_t)fr->cfg.timeout_sec) {
			fr->st.timeouts++;
			dgram_drop(fr, d);
		}
	}
}

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *fr)
{
	return &fr->st;
}
