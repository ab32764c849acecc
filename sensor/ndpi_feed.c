/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/ndpi_feed.h"

#include <string.h>

static uint64_t ms_of(int64_t sec, uint32_t usec)
{
	return (uint64_t)sec * 1000u + usec / 1000u;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Held packet i (0 SYN, 1 SYN+ACK, 2 ACK) rebuilt: an IPv4 or IPv6 header
 * without options and a 20-byte TCP header, no payload. Returns its length. */
static uint32_t rebuild(const struct flow *f, int i, uint8_t out[60])
{
	struct ip_addr c, s;
	uint16_t cp, sp;
	flow_endpoints(f, &c, &cp, &s, &sp);
	const struct ndpi_handshake *h = &f->ndpi_held;
	bool from_client = i != 1;
	const struct ip_addr *src = from_client ? &c : &s, *dst = from_client ? &s : &c;
	uint32_t seq = i == 0 ? h->isn[0] : i == 1 ? h->isn[1] : h->isn[0] + 1;
	uint32_t ack = i == 0 ? 0 : i == 1 ? h->isn[0] + 1 : h->isn[1] + 1;
	uint32_t l3;
	memset(out, 0, 60);
	if (c.family == 4) {
		l3 = 20;
		out[0] = 0x45;
		put16(out + 2, 40);
		out[8] = 64;
		out[9] = 6;
		memcpy(out + 12, src->a, 4);
		memcpy(out + 16, dst->a, 4);
	} else {
		l3 = 40;
		out[0] = 0x60;
		put16(out + 4, 20);
		out[6] = 6;
		out[7] = 64;
		memcpy(out + 8, src->a, 16);
		memcpy(out + 24, dst->a, 16);
	}
	uint8_t *t = out + l3;
	put16(t, from_client ? cp : sp);
	put16(t + 2, from_client ? sp : cp);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = h->flags[i];
	return l3 + 20;
}

/* One packet to nDPI; when it has decided, the state goes back to the
 * pool. True if it has. */
static bool give(struct ndpi_classifier *c, struct flow *f, const uint8_t *l3, uint32_t len,
		 uint64_t ms, uint8_t proto, uint64_t flow_pkts)
{
	f->ndpi_pkts++;
	if (!ndpi_classifier_packet(c, f->ndpi, l3, len, ms, proto, flow_pkts, &f->ndpi_res))
		return false;
	f->ndpi_done = 1;
	ndpi_classifier_flow_put(c, f->ndpi);
	f->ndpi = NULL;
	return true;
}

/* The flow's nDPI state, taken now, with what was held replayed into it.
 * False when there is none to take, or when nDPI decided during the replay
 * (then the state is back in the pool). */
static bool take_state(struct ndpi_classifier *c, struct flow *f, uint64_t *no_state)
{
	if (f->ndpi)
		return true;
	f->ndpi = ndpi_classifier_flow_get(c);
	if (!f->ndpi) {
		(*no_state)++;
		f->ndpi_done = 1;
		f->ndpi_held.n = 0;
		return false;
	}
	uint64_t t0 = ms_of(f->first.sec, f->first.usec);
	for (int i = 0; i < f->ndpi_held.n; i++) {
		uint8_t pkt[60];
		uint32_t len = rebuild(f, i, pkt);
		if (give(c, f, pkt, len, t0 + (i ? f->ndpi_held.after_ms[i - 1] : 0), 6,
			 (uint64_t)i + 1))
			break;
	}
	f->ndpi_held.n = 0;
	return f->ndpi != NULL;
}

/* Whether p is the next packet of a plain handshake, held (true) instead
 * of given to nDPI now. */
static bool hold(struct flow *f, const struct packet *p, int dir)
{
	struct ndpi_handshake *h = &f->ndpi_held;
	if (p->proto != 6 || p->payload_wirelen || p->flags || h->n >= 3 ||
	    f->pkts[0] + f->pkts[1] != (uint64_t)h->n + 1)
		return false;
	/* the rebuilt header must be the one nDPI would read: no IP options,
	 * no IPv6 extension header */
	if (p->ip_version == 4 ? (p->l3[0] & 0x0f) != 5 : p->l3[6] != 6)
		return false;
	uint8_t fl = p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN);
	bool ok;
	switch (h->n) {
	case 0:
		ok = dir == DIR_TOSERVER && fl == TCP_SYN;
		break;
	case 1:
		ok = dir == DIR_TOCLIENT && fl == (TCP_SYN | TCP_ACK) && p->tcp_ack == h->isn[0] + 1;
		break;
	default:
		ok = dir == DIR_TOSERVER && fl == TCP_ACK && p->tcp_seq == h->isn[0] + 1 &&
		     p->tcp_ack == h->isn[1] + 1;
		break;
	}
	if (!ok)
		return false;
	if (h->n < 2)
		h->isn[h->n] = p->tcp_seq;
	if (h->n > 0) {
		uint64_t d = ms_of(p->ts_sec, p->ts_usec) - ms_of(f->first.sec, f->first.usec);
		h->after_ms[h->n - 1] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	}
	h->flags[h->n++] = p->tcp_flags;
	return true;
}

/* A flow a fabmon dissector decodes (HSMS, Modbus: f->app) is shown to
 * nDPI for this many packets at most: enough for nDPI's own opinion where
 * it has one (it names Modbus within four), and the rest of a long HSMS
 * session no longer costs nDPI's search (issue 17 item 5). */
#define NDPI_PKTS_CLAIMED 8

void ndpi_feed_packet(struct ndpi_classifier *c, struct flow *f, const struct packet *p, int dir,
		      uint64_t *no_state)
{
	if (f->ndpi_done)
		return;
	if (f->app && f->ndpi && f->ndpi_pkts >= NDPI_PKTS_CLAIMED) {
		ndpi_classifier_giveup(c, f->ndpi, &f->ndpi_res);
		f->ndpi_done = 1;
		ndpi_classifier_flow_put(c, f->ndpi);
		f->ndpi = NULL;
		return;
	}
	if (!f->ndpi && hold(f, p, dir))
		return;
	if (!take_state(c, f, no_state))
		return;
	give(c, f, p->l3, p->l3_caplen, ms_of(p->ts_sec, p->ts_usec), p->proto,
	     f->pkts[0] + f->pkts[1]);
}

void ndpi_feed_end(struct ndpi_classifier *c, struct flow *f, uint64_t *no_state)
{
	if (!f->ndpi_done && (f->ndpi || f->ndpi_held.n) && take_state(c, f, no_state)) {
		ndpi_classifier_giveup(c, f->ndpi, &f->ndpi_res);
		f->ndpi_done = 1;
	}
	if (f->ndpi) {
		ndpi_classifier_flow_put(c, f->ndpi);
		f->ndpi = NULL;
	}
}
