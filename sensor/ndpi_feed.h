/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What nDPI is given of a flow (issue 17 item 4: a million concurrent flows
 * in bounded memory). nDPI sees every packet of a flow until it has named
 * it, as before, but its 688-byte flow state is taken from the pool only
 * when the flow first carries payload: a TCP handshake (SYN, SYN+ACK, ACK)
 * is held as 20 bytes in the flow and replayed to nDPI, rebuilt from those
 * bytes, just before the first packet with payload, or when the flow ends
 * (nDPI's guess from the ports then). nDPI 4.2 reads of a header-only packet
 * only its addresses, ports, flags, sequence numbers and time, so the
 * rebuilt packets leave it in the state the real ones would have. Anything
 * else before the payload (a second SYN, a RST, IP options, IPv6 extension
 * headers) gives the flow its state at once, and what was held is replayed
 * first.
 *
 * So a flood of handshakes that never carry payload takes no nDPI state.
 */
#ifndef FABMON_NDPI_FEED_H
#define FABMON_NDPI_FEED_H

#include <stdint.h>

#include "dissectors/ndpi_classify.h"
#include "sensor/capture/decode.h"
#include "sensor/flow/flow.h"

/* Packet p (direction dir) of flow f, counted in f->pkts already. States
 * the pool could not give are counted in *no_state (the flow stays
 * unnamed). */
void ndpi_feed_packet(struct ndpi_classifier *c, struct flow *f, const struct packet *p, int dir,
		      uint64_t *no_state);

/* The flow ends: what is held is replayed, and nDPI gives up on a flow it
 * has not named (guessing from the ports if configured). */
void ndpi_feed_end(struct ndpi_classifier *c, struct flow *f, uint64_t *no_state);

#endif
