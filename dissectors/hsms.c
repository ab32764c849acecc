/* SPDX-License-Identifier: BSD-2-Clause */
/* HSMS (SEMI E37) dissector. See hsms.h for the frame and the roles. */
#include "dissectors/hsms.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/dissector_common.h"
#include "util/bview.h"

#define HSMS_MIN_HEADER (4 + HSMS_HEADER_LEN)
#define HSMS_SELECT_TABLE 1024      /* selection entities tracked across flows */

void hsms_config_defaults(struct hsms_config *c)
{
	memset(c, 0, sizeof(*c));
	/* E37 sets no maximum; 16 MiB holds any recipe seen in practice and
	 * bounds what one declared length can make us expect */
	c->max_message = 16u * 1024 * 1024;
	/* SML and fields need only the start of a message: a 1 MB recipe is
	 * decoded from its first 64 KiB and the rest skipped, not buffered */
	c->decode_window = 64u * 1024;
	c->t3_ms = 45000;          /* E37 T3 reply timeout default */
	c->limits.max_depth = 32;
	c->limits.max_items = 100000;
	c->max_equipment = 4096;
	c->sml = true;
}

/* ------------------------------------------------------------ names */

const char *hsms_stype_name(uint8_t stype)
{
	switch (stype) {
	case HSMS_DATA: return "data";
	case HSMS_SELECT_REQ: return "select.req";
	case HSMS_SELECT_RSP: return "select.rsp";
	case HSMS_DESELECT_REQ: return "deselect.req";
	case HSMS_DESELECT_RSP: return "deselect.rsp";
	case HSMS_LINKTEST_REQ: return "linktest.req";
	case HSMS_LINKTEST_RSP: return "linktest.rsp";
	case HSMS_REJECT_REQ: return "reject.req";
	case HSMS_SEPARATE_REQ: return "separate.req";
	default: return "unknown";
	}
}

bool hsms_stype_defined(uint8_t stype)
{
	return stype <= HSMS_SEPARATE_REQ && stype != 8;
}

const char *hsms_state_name(enum hsms_session_state s)
{
	switch (s) {
	case HSMS_STATE_NOT_SELECTED: return "not-selected";
	case HSMS_STATE_SELECTED: return "selected";
	case HSMS_STATE_SEPARATED: return "separated";
	default: return "unknown";
	}
}

/* E37 Select.rsp status; 4-6 are HSMS-GS and sources disagree on them. */
const char *hsms_select_status_name(uint8_t status)
{
	switch (status) {
	case 0: return "communication established";
	case 1: return "communication already active";
	case 2: return "connection not ready";
	case 3: return "connect exhaust";
	default: return status >= 128 ? "local" : "reserved";
	}
}

const char *hsms_reject_reason_name(uint8_t reason)
{
	switch (reason) {
	case 1: return "stype not supported";
	case 2: return "ptype not supported";
	case 3: return "transaction not open";
	case 4: return "entity not selected";
	default: return "local";
	}
}

const char *hsms_deselect_status_name(uint8_t status)
{
	switch (status) {
	case 0: return "ended";
	case 1: return "not established";
	case 2: return "busy";
	default: return "reserved";
	}
}

/* ------------------------------------------------------------ global */

struct select_entry {
	bool used;
	struct ip_addr passive;
	uint16_t port;
	uint64_t flow_id;
	struct ip_addr active;
};

struct hsms_global {
	struct hsms_config cfg;
	struct asset_table eq;      /* struct hsms_equipment, by address */
	struct select_entry sel[HSMS_SELECT_TABLE];
};

struct hsms_global *hsms_global_create(const struct hsms_config *cfg)
{
	struct hsms_global *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	if (cfg)
		g->cfg = *cfg;
	else
		hsms_config_defaults(&g->cfg);
	if (g->cfg.decode_window < HSMS_HEADER_LEN + 64)
		g->cfg.decode_window = HSMS_HEADER_LEN + 64;
	if (!asset_table_init(&g->eq, sizeof(struct hsms_equipment),
			      offsetof(struct hsms_equipment, addr), g->cfg.max_equipment)) {
		free(g);
		return NULL;
	}
	return g;
}

void hsms_global_destroy(struct hsms_global *g)
{
	if (!g)
		return;
	asset_table_free(&g->eq);
	free(g);
}

size_t hsms_equipment_count(const struct hsms_global *g)
{
	return asset_table_count(&g->eq);
}

const struct hsms_equipment *hsms_equipment_at(const struct hsms_global *g, size_t i)
{
	return asset_table_at(&g->eq, i);
}

static struct hsms_equipment *equipment_at(struct hsms_global *g, size_t i)
{
	return asset_table_at(&g->eq, i);
}

static struct select_entry *select_slot(struct hsms_global *g, const struct ip_addr *passive,
					uint16_t port, bool create)
{
	uint32_t h = port;
	for (size_t i = 0; i < 16; i++)
		h = h * 31 + passive->a[i];
	struct select_entry *free_slot = NULL;
	for (uint32_t k = 0; k < HSMS_SELECT_TABLE; k++) {
		struct select_entry *s = &g->sel[(h + k) % HSMS_SELECT_TABLE];
		if (s->used && s->port == port && ip_addr_cmp(&s->passive, passive) == 0)
			return s;
		if (!s->used) {
			free_slot = free_slot ? free_slot : s;
			break; /* entries are only cleared, never moved: a hole ends the probe */
		}
	}
	if (!create || !free_slot)
		return NULL;
	free_slot->used = true;
	free_slot->passive = *passive;
	free_slot->port = port;
	return free_slot;
}

/* ------------------------------------------------------------ per flow */

struct pending {
	bool used;
	uint8_t dir;
	uint8_t stype;
	uint8_t stream, function;
	bool wbit;
	uint32_t system;
	int64_t sec;
	uint32_t usec;
	uint32_t order;            /* the flow's count of primaries when it was sent */
};

/* Open transactions a flow's state holds itself: a host and its equipment
 * rarely have more open at once (an event report is answered before the
 * next, mostly); a flow that has more gets a table of HSMS_MAX_PENDING
 * (dissect_alloc). */
#define INLINE_PENDING 8
#define GROWN_BYTES (HSMS_MAX_PENDING * sizeof(struct pending))

struct hsms_flow {
	struct dissect_stream st;  /* init, resync, anomalies */
	enum hsms_session_state state;
	int role_score;            /* > 0: the TCP client is the equipment */
	bool roles_known;
	size_t eq_index;           /* + 1; 0 = not committed to the inventory */
	uint64_t eq_counted;       /* messages of this flow already in the entry's count */
	struct pending pend[INLINE_PENDING]; /* until more are open at once */
	struct dissect_grown grown; /* HSMS_MAX_PENDING of them, once grown */
	int64_t pend_oldest;       /* seconds of the oldest open transaction, 0 if none */
	uint32_t pend_order;       /* transactions opened so far (wraps) */
	bool flood_reported;
	struct hsms_session_summary sum;
	int64_t first_sec, last_sec;
	uint32_t first_usec, last_usec;
};

/* The open-transaction table: the flow's own slots, or the grown table
 * (which starts with them, in the same places). */
static struct pending *slots(struct hsms_flow *fs, int *n)
{
	struct pending *more = fs->grown.more;
	*n = more ? HSMS_MAX_PENDING : INLINE_PENDING;
	return more ? more : fs->pend;
}

/* The global state to change it: the inventory and the select table
 * (dissect_global: with worker threads, in the packet's turn). */
static struct hsms_global *G(struct dissect_ctx *ctx)
{
	return dissect_global(ctx);
}

/* The configuration, fixed for the run: read by every worker at once. */
static const struct hsms_config *CFG(const struct dissect_ctx *ctx)
{
	return &((const struct hsms_global *)ctx->global)->cfg;
}

static bool equipment_is_client(const struct hsms_flow *fs)
{
	return fs->role_score > 0;
}

static enum hsms_role sender_role(const struct hsms_flow *fs, int dir)
{
	bool client_sends = dir == 0;
	return client_sends == equipment_is_client(fs) ? HSMS_ROLE_EQUIPMENT : HSMS_ROLE_HOST;
}

static void asset_event(struct dissect_ctx *ctx, enum hsms_asset_change change,
			const struct hsms_equipment *e)
{
	struct hsms_asset_event ae = { change, e };
	struct app_event ev = { APP_EVENT_HSMS_ASSET, 0, &ae };
	ctx->emit(ctx, &ev);
}

/*
 * Put this connection into the inventory once its roles are known (or it
 * ends), then keep the entry current.
 */
static struct hsms_equipment *commit_equipment(struct hsms_flow *fs, struct dissect_ctx *ctx)
{
	struct hsms_global *g = G(ctx);
	const struct dissect_flow *df = ctx->flow;
	bool eq_client = equipment_is_client(fs);
	const struct ip_addr *eqa = eq_client ? &df->client : &df->server;
	const struct ip_addr *host = eq_client ? &df->server : &df->client;
	if (fs->eq_index) {
		struct hsms_equipment *e = equipment_at(g, fs->eq_index - 1);
		if (ip_addr_cmp(&e->addr, eqa) == 0)
			return e;
		fs->eq_index = 0; /* roles flipped: this flow belongs to the other side */
		fs->eq_counted = 0;
	}
	bool created;
	struct hsms_equipment *e = asset_table_find(&g->eq, eqa, true, &created);
	if (!e)
		return NULL;
	fs->eq_index = asset_table_index(&g->eq, e) + 1;
	if (created) {
		e->first_sec = fs->first_sec;
		e->first_usec = fs->first_usec;
	}
	/* messages seen before the roles were known count too */
	uint64_t seen = fs->sum.messages[0] + fs->sum.messages[1];
	e->messages += seen - fs->eq_counted;
	fs->eq_counted = seen;
	set_add_u16(e->ports, &e->nports, HSMS_MAX_PORTS, df->server_port);
	for (uint8_t i = 0; i < fs->sum.nsession_ids; i++)
		set_add_u16(e->device_ids, &e->ndevice_ids, HSMS_MAX_DEVICE_IDS, fs->sum.session_ids[i]);
	bool known_host = set_add_addr(e->hosts, &e->nhosts, HSMS_MAX_EQUIPMENT_HOSTS,
				       &e->hosts_overflow, host);
	e->last_sec = ctx->ts_sec; /* the asset record says when it was last seen */
	e->last_usec = ctx->ts_usec;
	if (created)
		asset_event(ctx, HSMS_ASSET_NEW, e);
	else if (!known_host)
		asset_event(ctx, HSMS_ASSET_NEW_HOST, e);
	return e;
}

static void touch_equipment(struct hsms_flow *fs, struct dissect_ctx *ctx, uint16_t session_id,
			    bool data)
{
	if (data && session_id != 0xffff)
		set_add_u16(fs->sum.session_ids, &fs->sum.nsession_ids, HSMS_MAX_DEVICE_IDS, session_id);
	if (!fs->eq_index)
		return;
	struct hsms_equipment *e = equipment_at(G(ctx), fs->eq_index - 1);
	e->last_sec = ctx->ts_sec;
	e->last_usec = ctx->ts_usec;
	e->messages++;
	fs->eq_counted++;
	if (data && session_id != 0xffff)
		set_add_u16(e->device_ids, &e->ndevice_ids, HSMS_MAX_DEVICE_IDS, session_id);
}

/* Bounded copy that always terminates (an identity may be cut, never overrun). */
static void copy_id(char *dst, size_t dstlen, const char *src)
{
	size_t n = strnlen(src, dstlen - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* MDLN/SOFTREV from S1F2/S1F13/S1F14: the sender is the equipment. */
static void learn_identity(struct hsms_flow *fs, struct dissect_ctx *ctx, const struct gem_fields *gf)
{
	const struct gem_field *m = gem_field(gf, "mdln");
	const struct gem_field *s = gem_field(gf, "softrev");
	if (!m || !m->text[0])
		return;
	struct hsms_equipment *e = commit_equipment(fs, ctx);
	if (!e)
		return;
	const char *softrev = s ? s->text : "";
	if (!e->identified) {
		copy_id(e->mdln, sizeof(e->mdln), m->text);
		copy_id(e->softrev, sizeof(e->softrev), softrev);
		e->identified = true;
		asset_event(ctx, HSMS_ASSET_IDENTIFIED, e);
	} else if (strncmp(e->mdln, m->text, sizeof(e->mdln) - 1) != 0 ||
		   strncmp(e->softrev, softrev, sizeof(e->softrev) - 1) != 0) {
		copy_id(e->prev_softrev, sizeof(e->prev_softrev), e->softrev);
		copy_id(e->mdln, sizeof(e->mdln), m->text);
		copy_id(e->softrev, sizeof(e->softrev), softrev);
		asset_event(ctx, HSMS_ASSET_CHANGED, e);
	}
}

/* S1F2, S1F13, S1F14: the messages where equipment names its model
 * (MDLN, SOFTREV). */
static bool identification(uint8_t stream, uint8_t function)
{
	return stream == 1 && (function == 2 || function == 13 || function == 14);
}

/* Evidence of who is who from what a side sends. */
static void role_evidence(struct hsms_flow *fs, struct dissect_ctx *ctx, int dir, uint8_t stream,
			  uint8_t function, const struct gem_msg *gm, const struct gem_fields *gf)
{
	int vote = 0; /* +1: the sender is the equipment; -1: the host */
	const struct gem_field *m = gf ? gem_field(gf, "mdln") : NULL;
	if (identification(stream, function) && m && m->text[0])
		vote = 2; /* only equipment names its model */
	else if (function & 1) {
		if (gm && gm->dir == GEM_DIR_E2H)
			vote = 1;
		else if (gm && gm->dir == GEM_DIR_H2E)
			vote = -1;
	}
	if (!vote)
		return;
	bool was_client = equipment_is_client(fs);
	bool sender_is_client = dir == 0;
	/* score > 0 means the client is the equipment */
	fs->role_score += sender_is_client ? vote : -vote;
	if (fs->role_score == 0)
		fs->role_score = sender_is_client ? (vote > 0 ? 1 : -1) : (vote > 0 ? -1 : 1);
	fs->roles_known = true;
	fs->sum.roles_from_messages = true;
	fs->sum.host_is_client = !equipment_is_client(fs);
	if (was_client != equipment_is_client(fs) || !fs->eq_index)
		commit_equipment(fs, ctx);
}

/* ------------------------------------------------------------ transactions */

static struct pending *pending_find(struct hsms_flow *fs, int reply_dir, uint32_t system)
{
	int n;
	struct pending *t = slots(fs, &n);
	for (int i = 0; i < n; i++) {
		struct pending *p = &t[i];
		if (p->used && p->dir != reply_dir && p->system == system)
			return p;
	}
	return NULL;
}

static void pending_add(struct hsms_flow *fs, struct dissect_ctx *ctx, int dir, uint8_t stype,
			uint8_t stream, uint8_t function, bool wbit, uint32_t system)
{
	struct pending *slot = NULL, *oldest = NULL;
	int n;
	struct pending *t = slots(fs, &n);
	for (int i = 0; i < n; i++) {
		struct pending *p = &t[i];
		if (!p->used) {
			slot = p;
			break;
		}
		/* by the order they were sent: many share a timestamp (a segment
		 * can carry many messages) */
		if (!oldest || (int32_t)(p->order - oldest->order) < 0)
			oldest = p;
	}
	if (!slot) {
		struct pending *more = dissect_grow(ctx, &fs->grown, fs->pend, sizeof(fs->pend),
						    GROWN_BYTES);
		if (more)
			slot = &more[INLINE_PENDING];
	}
	if (!slot) {
		/* Suricata's Modbus "flooded" idea: a peer that never answers
		 * must not grow our state (n: fewer than HSMS_MAX_PENDING if the
		 * memory cap refused the table, stats.app_layer.memcap_hits) */
		if (!fs->flood_reported) {
			dissect_anomaly(&fs->st, ctx, dir, "HSMS_TRANSACTION_FLOOD",
				"more than %d transactions open at once", n);
			fs->flood_reported = true;
		}
		if (oldest->wbit)
			fs->sum.unanswered++;
		slot = oldest;
	}
	*slot = (struct pending){ true, (uint8_t)dir, stype, stream, function, wbit, system,
				  ctx->ts_sec, ctx->ts_usec, fs->pend_order++ };
	if (fs->pend_oldest == 0 || ctx->ts_sec < fs->pend_oldest)
		fs->pend_oldest = ctx->ts_sec;
}

/* Open transactions past their timeout, by capture time. */
static void expire_pending(struct hsms_flow *fs, struct dissect_ctx *ctx, bool closing)
{
	uint64_t t3 = (uint64_t)CFG(ctx)->t3_ms * 1000;
	/* nothing open long enough: skip the scan (the common case) */
	if (!closing && (fs->pend_oldest == 0 ||
			 (uint64_t)(ctx->ts_sec - fs->pend_oldest) * 1000000 <= t3))
		return;
	int64_t oldest = 0;
	int n;
	struct pending *t = slots(fs, &n);
	for (int i = 0; i < n; i++) {
		struct pending *p = &t[i];
		if (!p->used)
			continue;
		uint64_t age = dissect_elapsed_us(p->sec, p->usec, ctx->ts_sec, ctx->ts_usec);
		bool expects = p->stype != HSMS_DATA || p->wbit;
		if (!expects) {
			/* a primary without W-bit needs no reply: forget it after T3 */
			if (age > t3 || closing)
				p->used = false;
			continue;
		}
		if (age > t3) {
			if (p->stype == HSMS_DATA)
				dissect_anomaly(&fs->st, ctx, p->dir, "HSMS_T3_TIMEOUT",
					"S%uF%u W (system bytes %" PRIu32 ") not answered within %.1f s",
					p->stream, p->function, p->system, (double)t3 / 1e6);
			else
				dissect_anomaly(&fs->st, ctx, p->dir, "HSMS_CONTROL_TIMEOUT",
					"%s (system bytes %" PRIu32 ") not answered within %.1f s",
					hsms_stype_name(p->stype), p->system, (double)t3 / 1e6);
			fs->sum.unanswered++;
			p->used = false;
		} else if (closing) {
			if (p->stype == HSMS_DATA)
				dissect_anomaly(&fs->st, ctx, p->dir, "HSMS_UNANSWERED_AT_CLOSE",
					"S%uF%u W (system bytes %" PRIu32 ") still unanswered when the "
					"connection ended, %.3f s after it was sent",
					p->stream, p->function, p->system, (double)age / 1e6);
			fs->sum.unanswered++;
			p->used = false;
		}
		if (p->used && (oldest == 0 || p->sec < oldest))
			oldest = p->sec;
	}
	fs->pend_oldest = oldest;
}

/* ------------------------------------------------------------ framing */

/* The length field and the 10-byte header that start every frame. */
struct hsms_frame {
	uint32_t len;
	uint16_t session_id;
	uint8_t byte2, byte3, ptype, stype;
	uint32_t system;
};

/* Read them at v's cursor; false (v->err set) if fewer than 14 bytes. */
static bool read_frame(struct bview *v, struct hsms_frame *f)
{
	/* one bounds check for the 14 bytes: within a view of exactly that
	 * size the compiler sees that the reads below cannot fail */
	struct bview h = bv_sub(v, 4 + HSMS_HEADER_LEN);
	f->len = bv_be32(&h);
	f->session_id = bv_be16(&h);
	f->byte2 = bv_u8(&h);
	f->byte3 = bv_u8(&h);
	f->ptype = bv_u8(&h);
	f->stype = bv_u8(&h);
	f->system = bv_be32(&h);
	return !h.err;
}

/*
 * Is there a plausible HSMS header at the start of `at` (at least 14
 * bytes)? Strict: the values E37 allows for this SType, PType 0, a length
 * within bounds, and for data messages a stream > 0 and a valid first
 * SECS-II format byte.
 */
static bool plausible_header(struct bview at, uint32_t max_message)
{
	struct hsms_frame f;
	if (!read_frame(&at, &f))
		return false;
	if (f.len < HSMS_HEADER_LEN || f.len > max_message || f.ptype != 0)
		return false;
	switch (f.stype) {
	case HSMS_DATA:
		if ((f.byte2 & 0x7f) == 0)
			return false;
		if (f.len > HSMS_HEADER_LEN && bv_left(&at) > 0) {
			uint8_t fb = bv_u8(&at);
			uint8_t fmt = fb >> 2;
			if ((fb & 3) == 0 || (fmt != SECS2_L && secs2_elem_size(fmt) == 0))
				return false;
		}
		return true;
	case HSMS_SELECT_REQ:
	case HSMS_DESELECT_REQ:
	case HSMS_SEPARATE_REQ:
		return f.len == HSMS_HEADER_LEN && f.byte2 == 0 && f.byte3 == 0;
	case HSMS_SELECT_RSP:
	case HSMS_DESELECT_RSP:
		return f.len == HSMS_HEADER_LEN && f.byte2 == 0;
	case HSMS_LINKTEST_REQ:
	case HSMS_LINKTEST_RSP:
		return f.len == HSMS_HEADER_LEN && f.session_id == 0xffff && f.byte2 == 0 && f.byte3 == 0;
	case HSMS_REJECT_REQ:
		return f.len == HSMS_HEADER_LEN;
	default:
		return false;
	}
}

/* For the resync: arg is the max_message of the instance's config. */
static bool plausible_frame(struct bview at, const void *arg, size_t *frame_len)
{
	uint32_t len;
	if (!plausible_header(at, *(const uint32_t *)arg) || !bv_peek_be32(&at, 0, &len))
		return false;
	*frame_len = 4 + (size_t)len;
	return true;
}

/* After a gap or an untrusted length: HSMS_RESYNC_WAIT bytes may be held
 * back waiting for the header after a candidate to confirm it. */
#define HSMS_RESYNC_WAIT 4096

static const struct dissect_framing hsms_framing = {
	.min_header = HSMS_MIN_HEADER,
	.resync_wait = HSMS_RESYNC_WAIT,
	.resync_anomaly = "HSMS_RESYNC",
	.junk_anomaly = "HSMS_JUNK_BEFORE_FIRST_MESSAGE",
	.header_name = "HSMS",
	.plausible = plausible_frame,
};

static void emit_message(struct dissect_ctx *ctx, struct hsms_message *m)
{
	struct app_event ev = { APP_EVENT_HSMS, m->dir, m };
	ctx->emit(ctx, &ev);
}

static void control_message(struct hsms_flow *fs, struct dissect_ctx *ctx, struct hsms_message *m)
{
	struct hsms_global *g = G(ctx);
	const struct dissect_flow *df = ctx->flow;
	int dir = m->dir;
	fs->sum.control_messages++;
	if (m->body_total > 0)
		dissect_anomaly(&fs->st, ctx, dir, "HSMS_CONTROL_WITH_BODY", "%s carries %" PRIu32 " body bytes",
			hsms_stype_name(m->stype), m->body_total);
	/* the passive entity of this connection: the one selected */
	const struct ip_addr *active = dir == 0 ? &df->client : &df->server;
	const struct ip_addr *passive = dir == 0 ? &df->server : &df->client;
	switch (m->stype) {
	case HSMS_SELECT_REQ: {
		pending_add(fs, ctx, dir, m->stype, 0, 0, false, m->system);
		if (m->session_id != 0xffff)
			set_add_u16(fs->sum.session_ids, &fs->sum.nsession_ids, HSMS_MAX_DEVICE_IDS,
				m->session_id);
		struct select_entry *s = select_slot(g, passive, df->server_port, false);
		if (s && s->flow_id && s->flow_id != df->flow_id && ip_addr_cmp(&s->active, active) != 0) {
			char a[IP_ADDR_STRLEN], b[IP_ADDR_STRLEN], c[IP_ADDR_STRLEN];
			dissect_anomaly(&fs->st, ctx, dir, "HSMS_SECOND_HOST_SELECT",
				"%s selects %s:%u, which %s already holds selected (HSMS-SS allows one host)",
				ip_addr_str(active, a, sizeof(a)), ip_addr_str(passive, b, sizeof(b)),
				df->server_port, ip_addr_str(&s->active, c, sizeof(c)));
		}
		break;
	}
	case HSMS_SELECT_RSP: {
		struct pending *p = pending_find(fs, dir, m->system);
		m->is_reply = true;
		if (p && p->stype == HSMS_SELECT_REQ) {
			m->matched = true;
			m->latency_us = dissect_elapsed_us(p->sec, p->usec, ctx->ts_sec, ctx->ts_usec);
			p->used = false;
		} else if (!df->midstream) {
			dissect_anomaly(&fs->st, ctx, dir, "HSMS_REPLY_WITHOUT_PRIMARY",
				"select.rsp (system bytes %" PRIu32 ") without a select.req", m->system);
			fs->sum.unmatched_replies++;
		}
		if (m->byte3 == 0) {
			fs->state = HSMS_STATE_SELECTED;
			/* the responder is the selected (passive) entity */
			struct select_entry *s = select_slot(g, active, df->server_port, true);
			if (s) {
				s->flow_id = df->flow_id;
				s->active = *passive;
			}
		} else {
			dissect_anomaly(&fs->st, ctx, dir, "HSMS_SELECT_REFUSED", "select.rsp status %u (%s)", m->byte3,
				hsms_select_status_name(m->byte3));
		}
		break;
	}
	case HSMS_DESELECT_REQ:
	case HSMS_LINKTEST_REQ:
		pending_add(fs, ctx, dir, m->stype, 0, 0, false, m->system);
		break;
	case HSMS_DESELECT_RSP:
	case HSMS_LINKTEST_RSP: {
		struct pending *p = pending_find(fs, dir, m->system);
		m->is_reply = true;
		if (p && p->stype == m->stype - 1) {
			m->matched = true;
			m->latency_us = dissect_elapsed_us(p->sec, p->usec, ctx->ts_sec, ctx->ts_usec);
			p->used = false;
		} else if (!df->midstream) {
			dissect_anomaly(&fs->st, ctx, dir, "HSMS_REPLY_WITHOUT_PRIMARY", "%s (system bytes %" PRIu32
				") without its request", hsms_stype_name(m->stype), m->system);
			fs->sum.unmatched_replies++;
		}
		if (m->stype == HSMS_DESELECT_RSP && m->byte3 == 0)
			fs->state = HSMS_STATE_NOT_SELECTED;
		break;
	}
	case HSMS_REJECT_REQ: {
		dissect_anomaly(&fs->st, ctx, dir, "HSMS_REJECT",
			"reject.req reason %u (%s) for %s %u, system bytes %" PRIu32, m->byte3,
			hsms_reject_reason_name(m->byte3), m->byte3 == 2 ? "ptype" : "stype", m->byte2,
			m->system);
		struct pending *p = pending_find(fs, dir, m->system);
		if (p)
			p->used = false;
		break;
	}
	case HSMS_SEPARATE_REQ:
		fs->state = HSMS_STATE_SEPARATED;
		break;
	default:
		dissect_anomaly(&fs->st, ctx, dir, "HSMS_UNKNOWN_STYPE", "SType %u is not defined by E37", m->stype);
		break;
	}
	if (m->stype == HSMS_LINKTEST_REQ || m->stype == HSMS_LINKTEST_RSP) {
		if (m->session_id != 0xffff)
			dissect_anomaly(&fs->st, ctx, dir, "HSMS_LINKTEST_BAD_SESSION",
				"%s with session id %u, E37 requires 0xFFFF", hsms_stype_name(m->stype),
				m->session_id);
	}
	if (m->stype == HSMS_SEPARATE_REQ || (m->stype == HSMS_DESELECT_RSP && m->byte3 == 0)) {
		struct select_entry *s = select_slot(g, passive, df->server_port, false);
		if (!s)
			s = select_slot(g, active, df->server_port, false);
		if (s && s->flow_id == df->flow_id)
			s->flow_id = 0;
	}
	m->state = fs->state;
	emit_message(ctx, m);
}

/* "S127F255" without printf; out holds at least 9 bytes. */
size_t hsms_sf_text(char *out, uint8_t stream, uint8_t function)
{
	size_t n = 0;
	out[n++] = 'S';
	if (stream >= 100)
		out[n++] = (char)('0' + stream / 100);
	if (stream >= 10)
		out[n++] = (char)('0' + stream / 10 % 10);
	out[n++] = (char)('0' + stream % 10);
	out[n++] = 'F';
	if (function >= 100)
		out[n++] = (char)('0' + function / 100);
	if (function >= 10)
		out[n++] = (char)('0' + function / 10 % 10);
	out[n++] = (char)('0' + function % 10);
	out[n] = '\0';
	return n;
}

size_t hsms_message_sml(const struct hsms_message *m, char *out, size_t len, bool *cut)
{
	*cut = false;
	if (!m->sml_limits || m->ptype != 0 || m->stype != HSMS_DATA || len < 16)
		return 0;
	size_t n = hsms_sf_text(out, m->stream, m->function);
	if (m->wbit) {
		memcpy(out + n, " W", 3);
		n += 2;
	}
	if (m->body_total > 0) {
		out[n++] = ' ';
		n += secs2_sml(m->body, m->body_len, m->body_total, m->sml_limits, out + n, len - n, cut);
	}
	return n;
}

bool hsms_message_routine(const struct hsms_message *m)
{
	if (m->ptype != 0 || (m->is_reply && !m->matched))
		return false;
	if (m->stype == HSMS_LINKTEST_REQ || m->stype == HSMS_LINKTEST_RSP)
		/* E37 allows a linktest in any state; with session id 0xFFFF
		 * and no body, as E37 has it, or it is worth a look */
		return m->session_id == 0xffff && m->length == 10;
	/* selected, or picked up mid-stream (the select was before the capture) */
	if (m->stype != HSMS_DATA || m->stream == 0 ||
	    (m->state != HSMS_STATE_SELECTED && m->state != HSMS_STATE_UNKNOWN))
		return false;
	if (m->check.err != SECS2_OK && m->check.err != SECS2_PARTIAL)
		return false;
	return (m->stream == 6 && (m->function == 11 || m->function == 12)) ||
	       (m->stream == 1 && (m->function == 3 || m->function == 4));
}

struct hsms_fields_memo {
	bool done;
	const struct secs2_limits *limits; /* the decoding's */
	struct gem_fields f;
};

const struct gem_fields *hsms_message_fields(const struct hsms_message *m)
{
	if (m->fields)
		return m->fields;
	struct hsms_fields_memo *x = m->fields_memo;
	if (!x)
		return NULL;
	if (!x->done) {
		gem_extract(m->stream, m->function, m->body, m->body_len, m->body_total, x->limits, &x->f);
		x->done = true;
	}
	return &x->f;
}

static void data_message(struct hsms_flow *fs, struct dissect_ctx *ctx, struct hsms_message *m)
{
	const struct hsms_config *cfg = CFG(ctx);
	const struct dissect_flow *df = ctx->flow;
	int dir = m->dir;
	fs->sum.data_messages++;
	m->stream = m->byte2 & 0x7f;
	m->wbit = (m->byte2 & 0x80) != 0;
	m->function = m->byte3;
	m->gem = gem_lookup(m->stream, m->function);
	/* the table entry says it; the lookup again only for what it lacks */
	m->category = m->gem && m->function != 0 ? (enum gem_category)m->gem->category
						 : gem_category_of(m->stream, m->function);
	if (m->stream == 0)
		dissect_anomaly(&fs->st, ctx, dir, "HSMS_DATA_STREAM_ZERO", "data message with stream 0");
	if (fs->state == HSMS_STATE_NOT_SELECTED)
		dissect_anomaly(&fs->st, ctx, dir, "HSMS_DATA_BEFORE_SELECT",
			"S%uF%u before the session was selected", m->stream, m->function);
	else if (fs->state == HSMS_STATE_SEPARATED)
		dissect_anomaly(&fs->st, ctx, dir, "HSMS_DATA_AFTER_SEPARATE", "S%uF%u after separate.req",
			m->stream, m->function);

	secs2_validate(m->body, m->body_len, m->body_total, &cfg->limits, &m->check);
	if (m->check.err != SECS2_OK && m->check.err != SECS2_PARTIAL)
		dissect_anomaly(&fs->st, ctx, dir, secs2_err_name(m->check.err),
			"S%uF%u body: %s at byte %zu of %" PRIu32, m->stream, m->function,
			secs2_err_name(m->check.err), m->check.err_offset, m->body_total);
	/* the message's fields, extracted where they are first read (here
	 * for an identification, else by a sink as it is emitted below) */
	struct hsms_fields_memo fields; /* not zeroed: f is filled when extracted */
	fields.done = false;
	fields.limits = &cfg->limits;
	m->fields_memo = &fields;
	bool identifies = identification(m->stream, m->function);
	m->sml_limits = cfg->sml ? &cfg->limits : NULL;

	/* the inventory counts it (shared by the workers: after the decoding,
	 * which each does on its own) */
	touch_equipment(fs, ctx, m->session_id, true);

	/* who is who */
	role_evidence(fs, ctx, dir, m->stream, m->function, m->gem,
		      identifies ? hsms_message_fields(m) : NULL);
	m->sender = sender_role(fs, dir);
	m->roles_from_messages = fs->roles_known;
	if (identifies)
		learn_identity(fs, ctx, hsms_message_fields(m));
	if (fs->roles_known && m->gem && (m->function & 1) && m->gem->dir != GEM_DIR_BOTH) {
		enum hsms_role want = m->gem->dir == GEM_DIR_H2E ? HSMS_ROLE_HOST : HSMS_ROLE_EQUIPMENT;
		if (want != m->sender)
			dissect_anomaly(&fs->st, ctx, dir, "HSMS_UNEXPECTED_DIRECTION",
				"S%uF%u (%s) sent by the %s; E5 defines it %s", m->stream, m->function,
				m->gem->name, m->sender == HSMS_ROLE_HOST ? "host" : "equipment",
				gem_dir_name((enum gem_dir)m->gem->dir));
	}

	/* transactions: odd function = primary, even = reply, 0 = abort */
	if (m->function & 1) {
		pending_add(fs, ctx, dir, HSMS_DATA, m->stream, m->function, m->wbit, m->system);
		if (m->wbit)
			fs->sum.transactions++;
	} else {
		struct pending *p = pending_find(fs, dir, m->system);
		m->is_reply = true;
		if (p && p->stype == HSMS_DATA &&
		    (m->function == 0 || (p->stream == m->stream && p->function + 1 == m->function))) {
			m->matched = true;
			m->primary_wbit = p->wbit;
			m->primary_stream = p->stream;
			m->primary_function = p->function;
			m->latency_us = dissect_elapsed_us(p->sec, p->usec, ctx->ts_sec, ctx->ts_usec);
			p->used = false;
		} else if (!df->midstream) {
			dissect_anomaly(&fs->st, ctx, dir, "HSMS_REPLY_WITHOUT_PRIMARY",
				"S%uF%u (system bytes %" PRIu32 ") answers no open transaction", m->stream,
				m->function, m->system);
			fs->sum.unmatched_replies++;
		}
	}
	m->state = fs->state;
	emit_message(ctx, m);
}

/* One message: `msg` holds its length field, header and the decoded part of
 * its body (the parser made sure of at least the header). */
static void handle_message(struct hsms_flow *fs, struct dissect_ctx *ctx, int dir, struct bview msg)
{
	struct hsms_frame f;
	read_frame(&msg, &f);
	struct hsms_message m;
	memset(&m, 0, sizeof(m));
	m.dir = dir;
	m.length = f.len;
	m.session_id = f.session_id;
	m.byte2 = f.byte2;
	m.byte3 = f.byte3;
	m.ptype = f.ptype;
	m.stype = f.stype;
	m.system = f.system;
	m.body = bv_ptr(&msg);
	m.body_len = (uint32_t)bv_left(&msg);
	m.body_total = f.len - HSMS_HEADER_LEN;
	m.sender = sender_role(fs, dir);
	m.roles_from_messages = fs->roles_known;

	if (!fs->sum.messages[0] && !fs->sum.messages[1]) {
		fs->first_sec = ctx->ts_sec;
		fs->first_usec = ctx->ts_usec;
	}
	fs->last_sec = ctx->ts_sec;
	fs->last_usec = ctx->ts_usec;
	fs->sum.messages[dir]++;
	if (m.ptype != 0 || m.stype != HSMS_DATA)
		touch_equipment(fs, ctx, m.session_id, m.stype == HSMS_DATA);

	if (m.ptype != 0) {
		/* E37: PType 0 is SECS-II; others belong to standards fabmon
		 * does not decode. The message is reported undecoded. */
		dissect_anomaly(&fs->st, ctx, dir, "HSMS_UNKNOWN_PTYPE", "PType %u (only 0, SECS-II, is defined)",
			m.ptype);
		m.state = fs->state;
		emit_message(ctx, &m);
		return;
	}
	if (m.stype == HSMS_DATA)
		data_message(fs, ctx, &m);
	else
		control_message(fs, ctx, &m);
}

static void flow_init(struct hsms_flow *fs, struct dissect_ctx *ctx)
{
	/* picked up mid-stream: the select happened before the capture, and
	 * either direction may start inside a message */
	dissect_stream_init(&fs->st, "hsms", ctx->flow->midstream);
	fs->state = ctx->flow->midstream ? HSMS_STATE_UNKNOWN : HSMS_STATE_NOT_SELECTED;
	fs->sum.host_is_client = true;
}

static struct parse_result hsms_parse(void *state, struct dissect_ctx *ctx, int dir, const uint8_t *d,
				      size_t n)
{
	struct hsms_flow *fs = state;
	const struct hsms_config *cfg = CFG(ctx);
	struct parse_result r = { PARSE_OK, 0, 0, 0 };
	struct bview in = bv_make(d, n);
	if (!fs->st.init)
		flow_init(fs, ctx);
	expire_pending(fs, ctx, false);
	while (r.consumed < n) {
		struct bview rest = bv_from(&in, r.consumed);
		if (fs->st.resync[dir]) {
			if (dissect_resync_step(&fs->st, &hsms_framing, &cfg->max_message, ctx, dir, rest,
						&r))
				return r;
			continue;
		}
		uint32_t len;
		if (!bv_peek_be32(&rest, 0, &len)) {
			r.need = 4;
			return r;
		}
		if (len < HSMS_HEADER_LEN || len > cfg->max_message) {
			/* never trust such a length: look for the next header */
			if (len < HSMS_HEADER_LEN)
				dissect_anomaly(&fs->st, ctx, dir, "HSMS_LENGTH_TOO_SMALL",
					"message length %" PRIu32 " is below the 10-byte header", len);
			else
				dissect_anomaly(&fs->st, ctx, dir, "HSMS_LENGTH_TOO_LARGE",
					"message length %" PRIu32 " exceeds the %" PRIu32 "-byte limit", len,
					cfg->max_message);
			r.consumed += dissect_resync_begin(&fs->st, dir);
			continue;
		}
		uint32_t decoded = len < cfg->decode_window ? len : cfg->decode_window;
		if (bv_left(&rest) < 4 + (size_t)decoded) {
			r.need = 4 + (size_t)decoded;
			return r;
		}
		handle_message(fs, ctx, dir, bv_sub(&rest, 4 + (size_t)decoded));
		dissect_framed(&fs->st, dir);
		r.consumed += 4 + (size_t)decoded;
		if (decoded < len) {
			r.skip = len - decoded; /* the rest of a large body, unseen */
			return r;
		}
	}
	return r;
}

static void hsms_gap(void *state, struct dissect_ctx *ctx, int dir, uint64_t missing)
{
	struct hsms_flow *fs = state;
	(void)missing;
	if (!fs->st.init)
		flow_init(fs, ctx);
	fs->st.resync[dir] = true;
}

static void hsms_finish(void *state, struct dissect_ctx *ctx)
{
	struct hsms_flow *fs = state;
	if (!fs->st.init)
		return;
	expire_pending(fs, ctx, true);
	dissect_grown_release(ctx, &fs->grown, GROWN_BYTES);
	/* a connection whose roles stayed unknown: assume connect mode */
	if (fs->sum.data_messages || fs->sum.control_messages) {
		if (!fs->eq_index)
			commit_equipment(fs, ctx);
		if (fs->eq_index) {
			struct hsms_equipment *e = equipment_at(G(ctx), fs->eq_index - 1);
			if (fs->last_sec > e->last_sec ||
			    (fs->last_sec == e->last_sec && fs->last_usec > e->last_usec)) {
				e->last_sec = fs->last_sec;
				e->last_usec = fs->last_usec;
			}
		}
	}
	struct select_entry *s = select_slot(G(ctx), &ctx->flow->server, ctx->flow->server_port, false);
	if (!s)
		s = select_slot(G(ctx), &ctx->flow->client, ctx->flow->server_port, false);
	if (s && s->flow_id == ctx->flow->flow_id)
		s->flow_id = 0;
	fs->sum.state = fs->state;
	fs->sum.anomalies = fs->st.anomalies;
	fs->sum.resyncs = fs->st.resyncs;
	struct app_event ev = { APP_EVENT_HSMS_SESSION, 0, &fs->sum };
	ctx->emit(ctx, &ev);
}

/*
 * Off a configured port, at the start of v: a Select.req (an HSMS
 * connection begins with one) or a complete data message whose SECS-II body
 * validates and whose S/F E5 defines.
 */
static enum probe_result probe_strict(struct bview v, const struct hsms_config *defaults)
{
	if (v.len < HSMS_MIN_HEADER)
		return PROBE_NEED_MORE;
	if (!plausible_header(v, defaults->max_message))
		return PROBE_NO;
	struct hsms_frame f;
	read_frame(&v, &f);
	if (f.stype == HSMS_SELECT_REQ)
		return PROBE_MATCH;
	if (f.stype != HSMS_DATA)
		return PROBE_NO;
	if (4 + (size_t)f.len > v.len)
		return 4 + (size_t)f.len <= DISSECT_PROBE_MAX ? PROBE_NEED_MORE : PROBE_NO;
	if (!gem_lookup(f.byte2 & 0x7f, f.byte3))
		return PROBE_NO;
	struct bview body = bv_sub(&v, f.len - HSMS_HEADER_LEN);
	struct secs2_check c;
	secs2_validate(bv_ptr(&body), body.len, body.len, &defaults->limits, &c);
	return c.err == SECS2_OK ? PROBE_MATCH : PROBE_NO;
}

/*
 * Probe. On a configured port (5000 by default) a plausible HSMS header at
 * the start of the stream is enough. When there is none, junk or a
 * malformed first message (a length below 10, a PType other than 0, an
 * S0F0, ...) does not hide the connection: it is HSMS if a plausible header
 * confirmed by the one after its message (or by the end of the data)
 * starts within the first DISSECT_PROBE_MAX bytes; the parser then frames
 * the bad message by its length where E37 would (and the peer answers it
 * with a Reject.req) or skips to that header, with an anomaly either way.
 * Why that bound: the strict header check (PType 0, an SType with the
 * values E37 allows, a sane length, a valid SECS-II format byte) twice in a
 * row at the right distance does not happen by chance in the first 256
 * bytes of a TLS or HTTP flow on port 5000, so those stay unclaimed rather
 * than turning into a stream of HSMS anomalies.
 * Elsewhere the strict test of probe_strict, at any offset of those bytes.
 */
static enum probe_result hsms_probe(const struct dissect_flow *flow, int dir, const uint8_t *data,
				    size_t len, bool on_default_port)
{
	(void)flow;
	(void)dir;
	struct bview v = bv_make(data, len);
	struct hsms_config defaults;
	hsms_config_defaults(&defaults);
	if (on_default_port) {
		if (plausible_header(v, defaults.max_message))
			return PROBE_MATCH;
		size_t at;
		return dissect_probe_scan(&hsms_framing, &defaults.max_message, v, 1, &at);
	}
	bool undecided = false;
	for (size_t i = 0; i < len; i++) {
		enum probe_result pr = probe_strict(bv_from(&v, i), &defaults);
		if (pr == PROBE_MATCH)
			return PROBE_MATCH;
		if (pr == PROBE_NEED_MORE)
			undecided = true;
	}
	/* past DISSECT_PROBE_MAX nothing more comes: undecided is no */
	return undecided && len < DISSECT_PROBE_MAX ? PROBE_NEED_MORE : PROBE_NO;
}

static void *global_create(const void *cfg)
{
	return hsms_global_create(cfg);
}

static void global_destroy(void *g)
{
	hsms_global_destroy(g);
}

void hsms_global_summary(struct hsms_global *g, struct dissect_ctx *ctx)
{
	for (size_t i = 0; i < asset_table_count(&g->eq); i++)
		asset_event(ctx, HSMS_ASSET_SUMMARY, equipment_at(g, i));
}

static void global_finish(void *g, struct dissect_ctx *ctx)
{
	hsms_global_summary(g, ctx);
}

static const uint16_t hsms_ports[] = { 5000, 0 };

const struct dissector dissector_hsms = {
	.name = "hsms",
	.state_size = sizeof(struct hsms_flow),
	/* the decode window plus a header; large bodies are skipped, not kept */
	.max_buffer = 4 + 64 * 1024 + 64,
	.default_ports = hsms_ports,
	.probe = hsms_probe,
	.parse = hsms_parse,
	.gap = hsms_gap,
	.finish = hsms_finish,
	.global_create = global_create,
	.global_destroy = global_destroy,
	.global_finish = global_finish,
};
