/* SPDX-License-Identifier: BSD-2-Clause */
/* HSMS (SEMI E37) dissector. See hsms.h for the frame and the roles. */
#include "dissectors/hsms.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	struct hsms_equipment *eq;
	size_t neq;
	uint64_t eq_overflow;
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
	g->eq = calloc(g->cfg.max_equipment ? g->cfg.max_equipment : 1, sizeof(*g->eq));
	if (!g->eq) {
		free(g);
		return NULL;
	}
	return g;
}

void hsms_global_destroy(struct hsms_global *g)
{
	if (!g)
		return;
	free(g->eq);
	free(g);
}

size_t hsms_equipment_count(const struct hsms_global *g)
{
	return g->neq;
}

const struct hsms_equipment *hsms_equipment_at(const struct hsms_global *g, size_t i)
{
	return i < g->neq ? &g->eq[i] : NULL;
}

static struct hsms_equipment *equipment_find(struct hsms_global *g, const struct ip_addr *a, bool create,
					     bool *created)
{
	*created = false;
	for (size_t i = 0; i < g->neq; i++)
		if (ip_addr_cmp(&g->eq[i].addr, a) == 0)
			return &g->eq[i];
	if (!create)
		return NULL;
	if (g->neq >= g->cfg.max_equipment) {
		g->eq_overflow++;
		return NULL;
	}
	struct hsms_equipment *e = &g->eq[g->neq++];
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	*created = true;
	return e;
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
};

struct hsms_flow {
	bool init;
	enum hsms_session_state state;
	bool resync[2];
	uint64_t resync_skipped[2];
	int role_score;            /* > 0: the TCP client is the equipment */
	bool roles_known;
	size_t eq_index;           /* + 1; 0 = not committed to the inventory */
	uint64_t eq_counted;       /* messages of this flow already in the entry's count */
	struct pending pend[HSMS_MAX_PENDING];
	int64_t pend_oldest;       /* seconds of the oldest open transaction, 0 if none */
	bool flood_reported;
	struct hsms_session_summary sum;
	int64_t first_sec, last_sec;
	uint32_t first_usec, last_usec;
	char sml[HSMS_SML_MAX];
	struct gem_fields fields;
	char detail[200];
};

static struct hsms_global *G(struct dissect_ctx *ctx)
{
	return ctx->global;
}

static void anomaly(struct hsms_flow *fs, struct dissect_ctx *ctx, int dir, const char *name,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void anomaly(struct hsms_flow *fs, struct dissect_ctx *ctx, int dir, const char *name,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fs->detail, sizeof(fs->detail), fmt, ap);
	va_end(ap);
	struct app_anomaly a = { name, fs->detail, "hsms" };
	struct app_event ev = { APP_EVENT_ANOMALY, dir, &a };
	fs->sum.anomalies++;
	ctx->emit(ctx, &ev);
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

static uint64_t since_us(int64_t s0, uint32_t u0, int64_t s1, uint32_t u1)
{
	int64_t d = (s1 - s0) * 1000000 + ((int64_t)u1 - (int64_t)u0);
	return d > 0 ? (uint64_t)d : 0;
}

static void asset_event(struct dissect_ctx *ctx, enum hsms_asset_change change,
			const struct hsms_equipment *e)
{
	struct hsms_asset_event ae = { change, e };
	struct app_event ev = { APP_EVENT_HSMS_ASSET, 0, &ae };
	ctx->emit(ctx, &ev);
}

static void add_u16(uint16_t *arr, uint8_t *n, uint8_t max, uint16_t v)
{
	for (uint8_t i = 0; i < *n; i++)
		if (arr[i] == v)
			return;
	if (*n < max)
		arr[(*n)++] = v;
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
		struct hsms_equipment *e = &g->eq[fs->eq_index - 1];
		if (ip_addr_cmp(&e->addr, eqa) == 0)
			return e;
		fs->eq_index = 0; /* roles flipped: this flow belongs to the other side */
		fs->eq_counted = 0;
	}
	bool created;
	struct hsms_equipment *e = equipment_find(g, eqa, true, &created);
	if (!e)
		return NULL;
	fs->eq_index = (size_t)(e - g->eq) + 1;
	if (created) {
		e->first_sec = fs->first_sec;
		e->first_usec = fs->first_usec;
	}
	/* messages seen before the roles were known count too */
	uint64_t seen = fs->sum.messages[0] + fs->sum.messages[1];
	e->messages += seen - fs->eq_counted;
	fs->eq_counted = seen;
	add_u16(e->ports, &e->nports, HSMS_MAX_PORTS, df->server_port);
	for (uint8_t i = 0; i < fs->sum.nsession_ids; i++)
		add_u16(e->device_ids, &e->ndevice_ids, HSMS_MAX_DEVICE_IDS, fs->sum.session_ids[i]);
	bool known_host = false;
	for (uint8_t i = 0; i < e->nhosts; i++)
		if (ip_addr_cmp(&e->hosts[i], host) == 0)
			known_host = true;
	if (!known_host) {
		if (e->nhosts < HSMS_MAX_EQUIPMENT_HOSTS)
			e->hosts[e->nhosts++] = *host;
		else
			e->hosts_overflow = true;
	}
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
		add_u16(fs->sum.session_ids, &fs->sum.nsession_ids, HSMS_MAX_DEVICE_IDS, session_id);
	if (!fs->eq_index)
		return;
	struct hsms_equipment *e = &G(ctx)->eq[fs->eq_index - 1];
	e->last_sec = ctx->ts_sec;
	e->last_usec = ctx->ts_usec;
	e->messages++;
	fs->eq_counted++;
	if (data && session_id != 0xffff)
		add_u16(e->device_ids, &e->ndevice_ids, HSMS_MAX_DEVICE_IDS, session_id);
}

/* Bounded copy that always terminates (an identity may be cut, never overrun). */
static void copy_id(char *dst, size_t dstlen, const char *src)
{
	size_t n = strnlen(src, dstlen - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* MDLN/SOFTREV from S1F2/S1F13/S1F14: the sender is the equipment. */
static void learn_identity(struct hsms_flow *fs, struct dissect_ctx *ctx)
{
	const struct gem_field *m = gem_field(&fs->fields, "mdln");
	const struct gem_field *s = gem_field(&fs->fields, "softrev");
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

/* Evidence of who is who from what a side sends. */
static void role_evidence(struct hsms_flow *fs, struct dissect_ctx *ctx, int dir, uint8_t stream,
			  uint8_t function, const struct gem_fields *gf)
{
	int vote = 0; /* +1: the sender is the equipment; -1: the host */
	const struct gem_field *m = gem_field(gf, "mdln");
	if ((stream == 1 && (function == 2 || function == 13 || function == 14)) && m && m->text[0])
		vote = 2; /* only equipment names its model */
	else if (function & 1) {
		const struct gem_msg *gm = gem_lookup(stream, function);
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
	for (int i = 0; i < HSMS_MAX_PENDING; i++) {
		struct pending *p = &fs->pend[i];
		if (p->used && p->dir != reply_dir && p->system == system)
			return p;
	}
	return NULL;
}

static void pending_add(struct hsms_flow *fs, struct dissect_ctx *ctx, int dir, uint8_t stype,
			uint8_t stream, uint8_t function, bool wbit, uint32_t system)
{
	struct pending *slot = NULL, *oldest = NULL;
	for (int i = 0; i < HSMS_MAX_PENDING; i++) {
		struct pending *p = &fs->pend[i];
		if (!p->used) {
			slot = p;
			break;
		}
		if (!oldest || p->sec < oldest->sec || (p->sec == oldest->sec && p->usec < oldest->usec))
			oldest = p;
	}
	if (!slot) {
		/* Suricata's Modbus "flooded" idea: a peer that never answers
		 * must not grow our state */
		if (!fs->flood_reported) {
			anomaly(fs, ctx, dir, "HSMS_TRANSACTION_FLOOD",
				"more than %d transactions open at once", HSMS_MAX_PENDING);
			fs->flood_reported = true;
		}
		if (oldest->wbit)
			fs->sum.unanswered++;
		slot = oldest;
	}
	*slot = (struct pending){ true, (uint8_t)dir, stype, stream, function, wbit, system,
				  ctx->ts_sec, ctx->ts_usec };
	if (fs->pend_oldest == 0 || ctx->ts_sec < fs->pend_oldest)
		fs->pend_oldest = ctx->ts_sec;
}

/* Open transactions past their timeout, by capture time. */
static void expire_pending(struct hsms_flow *fs, struct dissect_ctx *ctx, bool closing)
{
	uint64_t t3 = (uint64_t)G(ctx)->cfg.t3_ms * 1000;
	/* nothing open long enough: skip the scan (the common case) */
	if (!closing && (fs->pend_oldest == 0 ||
			 (uint64_t)(ctx->ts_sec - fs->pend_oldest) * 1000000 <= t3))
		return;
	int64_t oldest = 0;
	for (int i = 0; i < HSMS_MAX_PENDING; i++) {
		struct pending *p = &fs->pend[i];
		if (!p->used)
			continue;
		uint64_t age = since_us(p->sec, p->usec, ctx->ts_sec, ctx->ts_usec);
		bool expects = p->stype != HSMS_DATA || p->wbit;
		if (!expects) {
			/* a primary without W-bit needs no reply: forget it after T3 */
			if (age > t3 || closing)
				p->used = false;
			continue;
		}
		if (age > t3) {
			if (p->stype == HSMS_DATA)
				anomaly(fs, ctx, p->dir, "HSMS_T3_TIMEOUT",
					"S%uF%u W (system bytes %" PRIu32 ") not answered within %.1f s",
					p->stream, p->function, p->system, (double)t3 / 1e6);
			else
				anomaly(fs, ctx, p->dir, "HSMS_CONTROL_TIMEOUT",
					"%s (system bytes %" PRIu32 ") not answered within %.1f s",
					hsms_stype_name(p->stype), p->system, (double)t3 / 1e6);
			fs->sum.unanswered++;
			p->used = false;
		} else if (closing) {
			if (p->stype == HSMS_DATA)
				anomaly(fs, ctx, p->dir, "HSMS_UNANSWERED_AT_CLOSE",
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

/*
 * Is there a plausible HSMS header at p (at least 14 bytes)? Strict: the
 * values E37 allows for this SType, PType 0, a length within bounds, and
 * for data messages a stream > 0 and a valid first SECS-II format byte.
 */
static bool plausible_header(const uint8_t *p, size_t left, uint32_t max_message)
{
	if (left < HSMS_MIN_HEADER)
		return false;
	uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	const uint8_t *h = p + 4;
	if (len < HSMS_HEADER_LEN || len > max_message || h[4] != 0)
		return false;
	uint16_t session = (uint16_t)(h[0] << 8 | h[1]);
	switch (h[5]) {
	case HSMS_DATA:
		if ((h[2] & 0x7f) == 0)
			return false;
		if (len > HSMS_HEADER_LEN && left > HSMS_MIN_HEADER) {
			uint8_t fb = p[HSMS_MIN_HEADER];
			uint8_t fmt = fb >> 2;
			if ((fb & 3) == 0 || (fmt != SECS2_L && secs2_elem_size(fmt) == 0))
				return false;
		}
		return true;
	case HSMS_SELECT_REQ:
	case HSMS_DESELECT_REQ:
	case HSMS_SEPARATE_REQ:
		return len == HSMS_HEADER_LEN && h[2] == 0 && h[3] == 0;
	case HSMS_SELECT_RSP:
	case HSMS_DESELECT_RSP:
		return len == HSMS_HEADER_LEN && h[2] == 0;
	case HSMS_LINKTEST_REQ:
	case HSMS_LINKTEST_RSP:
		return len == HSMS_HEADER_LEN && session == 0xffff && h[2] == 0 && h[3] == 0;
	case HSMS_REJECT_REQ:
		return len == HSMS_HEADER_LEN;
	default:
		return false;
	}
}

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
		anomaly(fs, ctx, dir, "HSMS_CONTROL_WITH_BODY", "%s carries %" PRIu32 " body bytes",
			hsms_stype_name(m->stype), m->body_total);
	/* the passive entity of this connection: the one selected */
	const struct ip_addr *active = dir == 0 ? &df->client : &df->server;
	const struct ip_addr *passive = dir == 0 ? &df->server : &df->client;
	switch (m->stype) {
	case HSMS_SELECT_REQ: {
		pending_add(fs, ctx, dir, m->stype, 0, 0, false, m->system);
		if (m->session_id != 0xffff)
			add_u16(fs->sum.session_ids, &fs->sum.nsession_ids, HSMS_MAX_DEVICE_IDS,
				m->session_id);
		struct select_entry *s = select_slot(g, passive, df->server_port, false);
		if (s && s->flow_id && s->flow_id != df->flow_id && ip_addr_cmp(&s->active, active) != 0) {
			char a[IP_ADDR_STRLEN], b[IP_ADDR_STRLEN], c[IP_ADDR_STRLEN];
			anomaly(fs, ctx, dir, "HSMS_SECOND_HOST_SELECT",
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
			m->latency_us = since_us(p->sec, p->usec, ctx->ts_sec, ctx->ts_usec);
			p->used = false;
		} else if (!df->midstream) {
			anomaly(fs, ctx, dir, "HSMS_REPLY_WITHOUT_PRIMARY",
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
			anomaly(fs, ctx, dir, "HSMS_SELECT_REFUSED", "select.rsp status %u (%s)", m->byte3,
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
			m->latency_us = since_us(p->sec, p->usec, ctx->ts_sec, ctx->ts_usec);
			p->used = false;
		} else if (!df->midstream) {
			anomaly(fs, ctx, dir, "HSMS_REPLY_WITHOUT_PRIMARY", "%s (system bytes %" PRIu32
				") without its request", hsms_stype_name(m->stype), m->system);
			fs->sum.unmatched_replies++;
		}
		if (m->stype == HSMS_DESELECT_RSP && m->byte3 == 0)
			fs->state = HSMS_STATE_NOT_SELECTED;
		break;
	}
	case HSMS_REJECT_REQ: {
		anomaly(fs, ctx, dir, "HSMS_REJECT",
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
		anomaly(fs, ctx, dir, "HSMS_UNKNOWN_STYPE", "SType %u is not defined by E37", m->stype);
		break;
	}
	if (m->stype == HSMS_LINKTEST_REQ || m->stype == HSMS_LINKTEST_RSP) {
		if (m->session_id != 0xffff)
			anomaly(fs, ctx, dir, "HSMS_LINKTEST_BAD_SESSION",
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

static void data_message(struct hsms_flow *fs, struct dissect_ctx *ctx, struct hsms_message *m)
{
	struct hsms_global *g = G(ctx);
	const struct dissect_flow *df = ctx->flow;
	int dir = m->dir;
	fs->sum.data_messages++;
	m->stream = m->byte2 & 0x7f;
	m->wbit = (m->byte2 & 0x80) != 0;
	m->function = m->byte3;
	m->gem = gem_lookup(m->stream, m->function);
	m->category = gem_category_of(m->stream, m->function);
	if (m->stream == 0)
		anomaly(fs, ctx, dir, "HSMS_DATA_STREAM_ZERO", "data message with stream 0");
	if (fs->state == HSMS_STATE_NOT_SELECTED)
		anomaly(fs, ctx, dir, "HSMS_DATA_BEFORE_SELECT",
			"S%uF%u before the session was selected", m->stream, m->function);
	else if (fs->state == HSMS_STATE_SEPARATED)
		anomaly(fs, ctx, dir, "HSMS_DATA_AFTER_SEPARATE", "S%uF%u after separate.req",
			m->stream, m->function);

	secs2_validate(m->body, m->body_len, m->body_total, &g->cfg.limits, &m->check);
	if (m->check.err != SECS2_OK && m->check.err != SECS2_PARTIAL)
		anomaly(fs, ctx, dir, secs2_err_name(m->check.err),
			"S%uF%u body: %s at byte %zu of %" PRIu32, m->stream, m->function,
			secs2_err_name(m->check.err), m->check.err_offset, m->body_total);
	gem_extract(m->stream, m->function, m->body, m->body_len, m->body_total, &g->cfg.limits,
		    &fs->fields);
	m->fields = &fs->fields;
	if (g->cfg.sml) {
		bool cut;
		size_t n = hsms_sf_text(fs->sml, m->stream, m->function);
		if (m->wbit) {
			memcpy(fs->sml + n, " W", 3);
			n += 2;
		}
		if (m->body_total > 0) {
			fs->sml[n] = ' ';
			secs2_sml(m->body, m->body_len, m->body_total, &g->cfg.limits, fs->sml + n + 1,
				  sizeof(fs->sml) - n - 1, &cut);
			m->sml_truncated = cut;
		}
		m->sml = fs->sml;
	}

	/* who is who */
	role_evidence(fs, ctx, dir, m->stream, m->function, &fs->fields);
	m->sender = sender_role(fs, dir);
	m->roles_from_messages = fs->roles_known;
	if (m->stream == 1 && (m->function == 2 || m->function == 13 || m->function == 14))
		learn_identity(fs, ctx);
	if (fs->roles_known && m->gem && (m->function & 1) && m->gem->dir != GEM_DIR_BOTH) {
		enum hsms_role want = m->gem->dir == GEM_DIR_H2E ? HSMS_ROLE_HOST : HSMS_ROLE_EQUIPMENT;
		if (want != m->sender)
			anomaly(fs, ctx, dir, "HSMS_UNEXPECTED_DIRECTION",
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
			m->latency_us = since_us(p->sec, p->usec, ctx->ts_sec, ctx->ts_usec);
			p->used = false;
		} else if (!df->midstream) {
			anomaly(fs, ctx, dir, "HSMS_REPLY_WITHOUT_PRIMARY",
				"S%uF%u (system bytes %" PRIu32 ") answers no open transaction", m->stream,
				m->function, m->system);
			fs->sum.unmatched_replies++;
		}
	}
	m->state = fs->state;
	emit_message(ctx, m);
}

static void handle_message(struct hsms_flow *fs, struct dissect_ctx *ctx, int dir, const uint8_t *p,
			   uint32_t len, uint32_t decoded)
{
	const uint8_t *h = p + 4;
	struct hsms_message m;
	memset(&m, 0, sizeof(m));
	m.dir = dir;
	m.length = len;
	m.session_id = (uint16_t)(h[0] << 8 | h[1]);
	m.byte2 = h[2];
	m.byte3 = h[3];
	m.ptype = h[4];
	m.stype = h[5];
	m.system = (uint32_t)h[6] << 24 | (uint32_t)h[7] << 16 | (uint32_t)h[8] << 8 | h[9];
	m.body = h + HSMS_HEADER_LEN;
	m.body_len = decoded - HSMS_HEADER_LEN;
	m.body_total = len - HSMS_HEADER_LEN;
	m.sender = sender_role(fs, dir);
	m.roles_from_messages = fs->roles_known;

	if (!fs->sum.messages[0] && !fs->sum.messages[1]) {
		fs->first_sec = ctx->ts_sec;
		fs->first_usec = ctx->ts_usec;
	}
	fs->last_sec = ctx->ts_sec;
	fs->last_usec = ctx->ts_usec;
	fs->sum.messages[dir]++;
	touch_equipment(fs, ctx, m.session_id, m.stype == HSMS_DATA);

	if (m.ptype != 0) {
		/* E37: PType 0 is SECS-II; others belong to standards fabmon
		 * does not decode. The message is reported undecoded. */
		anomaly(fs, ctx, dir, "HSMS_UNKNOWN_PTYPE", "PType %u (only 0, SECS-II, is defined)",
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
	fs->init = true;
	/* picked up mid-stream: the select happened before the capture, and
	 * either direction may start inside a message */
	fs->state = ctx->flow->midstream ? HSMS_STATE_UNKNOWN : HSMS_STATE_NOT_SELECTED;
	fs->resync[0] = fs->resync[1] = ctx->flow->midstream;
	fs->sum.host_is_client = true;
}

/*
 * Skip to the next HSMS header after a gap or an untrusted length. A
 * candidate is taken when it is confirmed: the header after its message is
 * plausible too, or its message ends exactly where the data at hand ends.
 * Otherwise wait for more bytes (up to HSMS_RESYNC_WAIT), then take the
 * first candidate that passes every check on its own. Returns the bytes
 * consumed (skipped); sets *need while undecided.
 */
#define HSMS_RESYNC_WAIT 4096

static size_t resync(struct hsms_flow *fs, struct dissect_ctx *ctx, int dir, const uint8_t *p,
		     size_t left, size_t *need)
{
	uint32_t max = G(ctx)->cfg.max_message;
	*need = 0;
	size_t i = 0, first = SIZE_MAX;
	for (; left - i >= HSMS_MIN_HEADER; i++) {
		if (!plausible_header(p + i, left - i, max))
			continue;
		uint32_t len = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
			       (uint32_t)p[i + 2] << 8 | p[i + 3];
		size_t end = i + 4 + (size_t)len;
		bool confirmed = end == left ||
				 (end + HSMS_MIN_HEADER <= left && plausible_header(p + end, left - end, max));
		bool refuted = end + HSMS_MIN_HEADER <= left && !confirmed;
		if (refuted)
			continue;
		if (!confirmed && left - i < HSMS_RESYNC_WAIT) {
			/* undecided: keep it and what follows, ask for more */
			if (first == SIZE_MAX)
				first = i;
			continue;
		}
		first = i; /* confirmed, or waited long enough */
		fs->resync[dir] = false;
		break;
	}
	size_t skip = fs->resync[dir] ? (first != SIZE_MAX ? first : i) : first;
	fs->resync_skipped[dir] += skip;
	if (!fs->resync[dir]) {
		if (fs->resync_skipped[dir]) {
			fs->sum.resyncs++;
			anomaly(fs, ctx, dir, "HSMS_RESYNC",
				"%" PRIu64 " bytes skipped to the next plausible HSMS header",
				fs->resync_skipped[dir]);
		}
		fs->resync_skipped[dir] = 0;
		return skip;
	}
	/* undecided: any more data may settle it */
	*need = left - skip + 1;
	return skip;
}

static struct parse_result hsms_parse(void *state, struct dissect_ctx *ctx, int dir, const uint8_t *d,
				      size_t n)
{
	struct hsms_flow *fs = state;
	struct hsms_global *g = G(ctx);
	struct parse_result r = { PARSE_OK, 0, 0, 0 };
	if (!fs->init)
		flow_init(fs, ctx);
	expire_pending(fs, ctx, false);
	while (r.consumed < n) {
		const uint8_t *p = d + r.consumed;
		size_t left = n - r.consumed;
		if (fs->resync[dir]) {
			size_t need;
			r.consumed += resync(fs, ctx, dir, p, left, &need);
			if (fs->resync[dir]) {
				r.need = need;
				return r;
			}
			continue;
		}
		if (left < 4) {
			r.need = 4;
			return r;
		}
		uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		if (len < HSMS_HEADER_LEN || len > g->cfg.max_message) {
			/* never trust such a length: look for the next header */
			if (len < HSMS_HEADER_LEN)
				anomaly(fs, ctx, dir, "HSMS_LENGTH_TOO_SMALL",
					"message length %" PRIu32 " is below the 10-byte header", len);
			else
				anomaly(fs, ctx, dir, "HSMS_LENGTH_TOO_LARGE",
					"message length %" PRIu32 " exceeds the %" PRIu32 "-byte limit", len,
					g->cfg.max_message);
			fs->resync[dir] = true;
			r.consumed += 1;
			fs->resync_skipped[dir] += 1;
			continue;
		}
		uint32_t decoded = len < g->cfg.decode_window ? len : g->cfg.decode_window;
		if (left < 4 + (size_t)decoded) {
			r.need = 4 + (size_t)decoded;
			return r;
		}
		handle_message(fs, ctx, dir, p, len, decoded);
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
	if (!fs->init)
		flow_init(fs, ctx);
	fs->resync[dir] = true;
}

static void hsms_finish(void *state, struct dissect_ctx *ctx)
{
	struct hsms_flow *fs = state;
	if (!fs->init)
		return;
	expire_pending(fs, ctx, true);
	/* a connection whose roles stayed unknown: assume connect mode */
	if (fs->sum.data_messages || fs->sum.control_messages) {
		if (!fs->eq_index)
			commit_equipment(fs, ctx);
		if (fs->eq_index) {
			struct hsms_equipment *e = &G(ctx)->eq[fs->eq_index - 1];
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
	struct app_event ev = { APP_EVENT_HSMS_SESSION, 0, &fs->sum };
	ctx->emit(ctx, &ev);
}

/*
 * Probe: a plausible HSMS header at the start of the stream. On a
 * configured port (5000 by default) that is enough; elsewhere the first
 * message must be a Select.req (an HSMS connection begins with one) or a
 * complete data message whose SECS-II body validates and whose S/F E5
 * defines.
 */
static enum probe_result hsms_probe(const struct dissect_flow *flow, int dir, const uint8_t *data,
				    size_t len, bool on_default_port)
{
	(void)flow;
	(void)dir;
	if (len < HSMS_MIN_HEADER)
		return len < 4 || data[0] == 0 ? PROBE_NEED_MORE : PROBE_NO;
	struct hsms_config defaults;
	hsms_config_defaults(&defaults);
	if (!plausible_header(data, len, defaults.max_message))
		return PROBE_NO;
	if (on_default_port)
		return PROBE_MATCH;
	uint32_t mlen = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
	uint8_t stype = data[9];
	if (stype == HSMS_SELECT_REQ)
		return PROBE_MATCH;
	if (stype != HSMS_DATA)
		return PROBE_NO;
	if (4 + (size_t)mlen > len)
		return 4 + (size_t)mlen <= 256 ? PROBE_NEED_MORE : PROBE_NO;
	if (!gem_lookup(data[6] & 0x7f, data[7]))
		return PROBE_NO;
	struct secs2_check c;
	secs2_validate(data + HSMS_MIN_HEADER, mlen - HSMS_HEADER_LEN, mlen - HSMS_HEADER_LEN,
		       &defaults.limits, &c);
	return c.err == SECS2_OK ? PROBE_MATCH : PROBE_NO;
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
	for (size_t i = 0; i < g->neq; i++)
		asset_event(ctx, HSMS_ASSET_SUMMARY, &g->eq[i]);
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
