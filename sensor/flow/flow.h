/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bidirectional flow table keyed by VLAN ids + 5-tuple.
 *
 * Capacity is fixed at start and the entries are preallocated, so memory is
 * bounded whatever the traffic. Each flow sits on one of several LRU lists,
 * one per timeout class (TCP new/established/closed, UDP, other); a list is
 * ordered by last activity, so expiry only ever looks at list heads. When the
 * table is full the least recently active flow of all lists is evicted (and
 * counted), as Suricata's flow-hash emergency mode does.
 */
#ifndef FABMON_FLOW_H
#define FABMON_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "dissectors/dissector.h"
#include "dissectors/ndpi_classify.h"
#include "sensor/flow/community_id.h"
#include "sensor/capture/decode.h"
#include "sensor/flow/tcp_reasm.h"

#define FLOW_NONE UINT32_MAX

/* Direction of a packet relative to the flow: client -> server or back. */
enum { DIR_TOSERVER = 0, DIR_TOCLIENT = 1 };

enum flow_state { FLOW_STATE_NEW, FLOW_STATE_ESTABLISHED, FLOW_STATE_CLOSED };

enum flow_end_reason {
	FLOW_END_TIMEOUT,   /* idle longer than its class timeout */
	FLOW_END_EVICTED,   /* table full, least recently active flow dropped */
	FLOW_END_SHUTDOWN,  /* still open when capture ended */
	FLOW_END_REUSED,    /* a new SYN reused the 5-tuple of a closed flow */
};

enum flow_tclass {
	FLOW_TC_TCP_NEW,
	FLOW_TC_TCP_ESTABLISHED,
	FLOW_TC_TCP_CLOSED,
	FLOW_TC_UDP,
	FLOW_TC_OTHER,
	FLOW_TC_COUNT
};

/* Endpoints ordered so that (a[0],port[0]) <= (a[1],port[1]). */
struct flow_key {
	uint8_t a[2][16];
	uint16_t port[2];
	uint16_t vlan[DECODE_MAX_VLANS];
	uint8_t proto;
	uint8_t family;
	uint8_t vlan_count;
	uint8_t pad;
};

struct ev_flow;
struct flow_smb;
struct flow_rdp;
struct eve_hsms_counts;
struct rules_flow;

struct flow_ts {
	int64_t sec;
	uint32_t usec;
};

struct app_stream_buf {
	uint8_t *data;
	uint32_t len;
	uint32_t cap;
	uint32_t cap_need;   /* bytes the dissector waits for before parsing again */
	uint64_t skip;       /* bytes the dissector asked to skip unseen */
};

/* Fields are ordered so that they pack without holes (pahole): 712 bytes,
 * where the same fields in the order they were added took 784. A table of
 * a million flows is that many entries (README, flow floods). */
struct flow {
	struct flow_key key;
	uint32_t hnext;               /* next in hash chain */
	uint32_t lru_prev, lru_next;  /* neighbours on its timeout-class list */
	uint8_t tclass;
	uint8_t in_use;
	uint8_t state;                /* enum flow_state */
	uint8_t client_ep;            /* which key endpoint is the client */
	uint32_t classified_gen;      /* the pipeline's classification generation when its
				       * sinks were last told the application; 0 never */

	uint64_t flow_id;
	char community_id[COMMUNITY_ID_LEN];
	uint8_t has_mac;              /* mac[] below is known */
	uint16_t source;              /* index of the capture source it started in */
	uint16_t eve_hdr_len;         /* of eve_hdr below */
	uint8_t tcp_flags[2];
	uint8_t icmp_type, icmp_code; /* of the first packet, ICMP flows */
	struct flow_ts first, last;
	uint64_t touched;             /* capture order of its last packet (flow_tables_*) */
	uint64_t pkts[2], bytes[2];
	uint32_t truncated_pkts;
	uint32_t alert_hits;          /* rule hits on this flow */
	uint8_t mac[2][6];            /* client's and server's, from the first packet */
	uint8_t app_index;            /* in the applayer's protocol table (app below) */
	uint8_t app_probing_done;
	uint8_t app_failed;           /* dissector gave up; stream no longer parsed */
	uint8_t ndpi_done;
	char *eve_hdr;                /* cached JSON of the flow's record header */
	struct eve_hsms_counts *eve_hsms_counts; /* the EVE sink's: HSMS messages without a record */

	struct tcp_stream tcp[2];

	/* classification */
	struct ndpi_flow_struct *ndpi; /* from the classifier pool while running */
	/* a TCP handshake not yet given to nDPI (sensor/ndpi_feed.c): n of
	 * SYN, SYN+ACK, ACK, their flags, the two ISNs, the last two's times
	 * after the SYN's (the flow's first packet) */
	struct ndpi_handshake {
		uint8_t n;
		uint8_t flags[3];
		uint32_t isn[2];
		uint32_t after_ms[2];
	} ndpi_held;
	uint16_t ndpi_pkts;
	uint8_t evidence_denied;      /* no ring: memory cap reached when it started */
	uint8_t attempt_counted;      /* opened by a bare SYN that the rules count in its
				       * destination's backlog until it is answered or ends
				       * (rules_sink_attempt_*, sensor/rules_sink.h) */
	struct ndpi_summary ndpi_res;

	/* fabmon's own dissector, when one has claimed the flow */
	const struct dissector *app;
	void *app_state;
	struct app_stream_buf app_buf[2];

	struct rules_flow *rules;     /* the rule engine's state of this flow (owned by the
				       * pipeline's rules sink); NULL until the rules see it */
	struct ev_flow *evidence;     /* its ring of recent packets (sensor/output/evidence.c) */
	struct flow_smb *smb;         /* SMB hints (sensor/smb_seen.h); NULL: none */
	struct flow_rdp *rdp;         /* RDP negotiation (sensor/rdp_seen.h); NULL: none */
};

struct flow_config {
	uint32_t capacity;
	uint32_t timeout[FLOW_TC_COUNT]; /* seconds */
	uint32_t hash_seed;
};

typedef void (*flow_end_fn)(void *ctx, struct flow *f, enum flow_end_reason why);

struct flow_table_stats {
	uint64_t created;
	uint64_t ended;
	uint64_t timeouts;
	uint64_t evicted;
	uint64_t reused;
	uint32_t active;
	uint32_t active_peak;
	/* emergency mode: the table nearly full (flow.c) */
	bool emergency;               /* now */
	uint64_t emergencies;         /* times it was entered */
	uint64_t emergency_timeouts;  /* of the timeouts, those by the shorter emergency ones */
};

/* Emergency mode (Suricata's flow emergency): when the table is 15/16
 * full, flows idle longer than the emergency timeout of their class (the
 * shorter of it and the normal one) end at the next expiry, until the
 * table is down to 5/8 again. Seconds, as Suricata's defaults
 * (flow-timeouts emergency-*): TCP new 5, established 100, closed 5; UDP
 * 30; other 10. */
extern const uint32_t flow_emergency_timeout[FLOW_TC_COUNT];

struct flow_table;

struct flow_table *flow_table_create(const struct flow_config *cfg, flow_end_fn on_end, void *ctx);
void flow_table_destroy(struct flow_table *ft);

/* Find the flow of a decoded packet, creating it (and evicting if full) when
 * new. *dir is set to DIR_TOSERVER/DIR_TOCLIENT; *created tells a new flow. */
struct flow *flow_table_get(struct flow_table *ft, const struct packet *p, int *dir, bool *created);

/* After a packet, the seq-th of the capture (a number that grows with
 * every packet): refresh the flow's place in its timeout list. */
void flow_table_touch(struct flow_table *ft, struct flow *f, uint64_t seq);

/* End (callback, then free) every flow idle longer than its timeout at `now`. */
void flow_table_expire(struct flow_table *ft, int64_t now_sec, uint32_t now_usec);

/* End one flow now (e.g. port reuse). */
void flow_table_end(struct flow_table *ft, struct flow *f, enum flow_end_reason why);

/* End every flow (capture finished or stopping). */
void flow_table_flush(struct flow_table *ft, enum flow_end_reason why);

/* The same over n tables (worker threads, each with a table of its own),
 * ending their flows in the order one table holding them all would have:
 * by the capture order of their last packets (f->touched, from
 * flow_table_touch's seq). A table in emergency mode expires on its own. */
void flow_tables_expire(struct flow_table *const *t, unsigned n, int64_t now_sec, uint32_t now_usec);
void flow_tables_flush(struct flow_table *const *t, unsigned n, enum flow_end_reason why);

const struct flow_table_stats *flow_table_stats(const struct flow_table *ft);
uint32_t flow_table_capacity(const struct flow_table *ft);
/* The flow's slot in the table, 0 .. capacity-1: an index for state kept
 * beside the table (reused when the flow ends). */
uint32_t flow_table_slot(const struct flow_table *ft, const struct flow *f);

/* Iterate active flows (for reports); stops when fn returns false. */
void flow_table_foreach(struct flow_table *ft, bool (*fn)(void *ctx, struct flow *f), void *ctx);

/* Client/server view of a flow's key. */
void flow_endpoints(const struct flow *f, struct ip_addr *client, uint16_t *cport,
		    struct ip_addr *server, uint16_t *sport);

/* The flow's application (its app_proto): the dissector that claimed it,
 * else nDPI's name, else "Unknown". */
static inline const char *flow_app_proto(const struct flow *f)
{
	if (f->app)
		return f->app->name;
	if (f->ndpi_res.name[0])
		return f->ndpi_res.name;
	return "Unknown";
}

/*
 * A TCP connection attempt that never became a connection: the client's
 * SYN was never answered by a SYN-ACK that the client acknowledged, and no
 * payload went either way (a SYN flood, a SYN scan, a refused or filtered
 * port). Such a flow tells who tried to reach whom, not who talks to whom:
 * it creates no host state and is summarised rather than recorded one by
 * one (issue 16). A flow picked up mid-stream is never half-open.
 */
static inline bool flow_half_open(const struct flow *f)
{
	if (f->key.proto != 6 || !(f->tcp_flags[DIR_TOSERVER] & TCP_SYN))
		return false;
	if (f->tcp[DIR_TOSERVER].bytes || f->tcp[DIR_TOCLIENT].bytes)
		return false;
	bool synack = (f->tcp_flags[DIR_TOCLIENT] & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
	bool acked = (f->tcp_flags[DIR_TOSERVER] & TCP_ACK) != 0;
	return !(synack && acked);
}

enum flow_tclass flow_class_of(const struct flow *f);
const char *flow_end_reason_name(enum flow_end_reason r);
const char *flow_state_name(enum flow_state s);

#endif
