/* SPDX-License-Identifier: BSD-2-Clause */
/* The behaviour baseline (issue 19 item 2): each SECS/GEM data message and
 * each Modbus request against what `fabmon learn` saw its host pair do
 * (the policy's `baseline:`). What is new — a message, a remote command, a
 * process program, an equipment constant, a Modbus function, a register
 * range read or written — is one alert per message, naming what was new
 * and when the baseline was taken (FAB-BL-001, FAB-BL-002). A pair the
 * baseline does not list has no baseline: its messages are all new. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dissectors/gem.h"
#include "dissectors/hsms.h"
#include "dissectors/modbus.h"
#include "rules/engine.h"
#include "rules/engine_alerts.h"
#include "rules/engine_ends.h"
#include "rules/engine_internal.h"

/* What was new, as text for the reason. */
struct news {
	char text[400];
	size_t len;
	int n;
};

__attribute__((format(printf, 2, 3)))
static void news_add(struct news *w, const char *fmt, ...)
{
	if (w->len >= sizeof(w->text))
		return;
	if (w->n++) {
		int k = snprintf(w->text + w->len, sizeof(w->text) - w->len, "; ");
		w->len += k > 0 ? (size_t)k : 0;
	}
	if (w->len >= sizeof(w->text))
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(w->text + w->len, sizeof(w->text) - w->len, fmt, ap);
	va_end(ap);
	w->len += k > 0 ? (size_t)k : 0;
}

/* The alert's key within its flow and rule (aggregation): what was new. */
static uint64_t news_key(const struct news *w)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < w->len && i < sizeof(w->text) && w->text[i]; i++)
		h = (h ^ (uint8_t)w->text[i]) * 1099511628211ULL;
	return h;
}

/* The alert's own fields (alert.baseline in its record). */
static void news_to(struct alert *a, const struct rules *r, const struct news *w)
{
	snprintf(a->baseline_taken, sizeof(a->baseline_taken), "%s", r->pol->baseline.taken);
	snprintf(a->baseline_new, sizeof(a->baseline_new), "%s", w->text);
}

static bool has_name(const struct baseline_names *b, const char *s)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->v[i], s))
			return true;
	return false;
}

/* The flow's baseline entry, looked up once per flow and policy. */
static int entry_of(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		    int a_i, bool hsms)
{
	if (rf->baseline && rf->baseline_gen == r->gen)
		return rf->baseline;
	const struct policy_baseline *bl = &r->pol->baseline;
	const struct ip_addr *a = &v->addr[a_i], *b = &v->addr[1 - a_i];
	rf->baseline = -1;
	rf->baseline_gen = r->gen;
	if (hsms) {
		for (size_t i = 0; i < bl->nhsms; i++)
			if (!ip_addr_cmp(&bl->hsms[i].host, a) && !ip_addr_cmp(&bl->hsms[i].equipment, b))
				return rf->baseline = (int32_t)i + 1;
	} else {
		for (size_t i = 0; i < bl->nmodbus; i++)
			if (!ip_addr_cmp(&bl->modbus[i].client, a) && !ip_addr_cmp(&bl->modbus[i].server, b))
				return rf->baseline = (int32_t)i + 1;
	}
	return rf->baseline;
}

/* Each name of a comma list (the ECIDs of an S2F15) not in known. */
static void new_names(struct news *w, const char *what, const char *list,
		      const struct baseline_names *known)
{
	char item[POLICY_ID_LEN];
	for (const char *s = list; *s;) {
		size_t n = strcspn(s, ",");
		if (n && n < sizeof(item)) {
			memcpy(item, s, n);
			item[n] = '\0';
			if (!has_name(known, item))
				news_add(w, "new %s %s", what, item);
		}
		s += n + (s[n] == ',');
	}
}

void rl_baseline_hsms(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      const struct hsms_message *m, int host_i, int64_t sec, uint32_t usec)
{
	/* primary messages only: a reply is new when its request is */
	if (m->stype != HSMS_DATA || m->function == 0 || !(m->function & 1) ||
	    !r->set[R_BASELINE_HSMS].enabled)
		return;
	int e = entry_of(r, rf, v, host_i, true);
	const struct policy_baseline_hsms *b = e > 0 ? &r->pol->baseline.hsms[e - 1] : NULL;
	char sf[12];
	hsms_sf_text(sf, m->stream, m->function);
	struct news w = { .len = 0 };
	if (!b) {
		news_add(&w, "no baseline for this host and equipment");
	} else {
		uint16_t key = (uint16_t)(m->stream << 8 | m->function);
		bool known = false;
		for (size_t i = 0; i < b->nsf && !known; i++)
			known = b->sf[i] == key;
		if (!known)
			news_add(&w, "new message %s", sf);
		const struct gem_field *f;
		const struct gem_fields *g = hsms_message_fields(m);
		if (g && m->sender == HSMS_ROLE_HOST && (f = gem_field(g, "rcmd")) && !f->numeric &&
		    !has_name(&b->rcmds, f->text))
			news_add(&w, "new RCMD '%s'", f->text);
		if (g && (f = gem_field(g, "ppid")) && !f->numeric && !has_name(&b->ppids, f->text))
			news_add(&w, "new PPID '%s'", f->text);
		if (g && m->stream == 2 && m->function == 15 && (f = gem_field(g, "ecids")))
			new_names(&w, "ECID", f->text, &b->ecids);
	}
	if (!w.n)
		return;
	struct ep ep[2];
	rl_resolve_ends(r, rf, v, ep);
	struct alert *a = rl_begin(r, R_BASELINE_HSMS, v, ep, sec, usec);
	rl_hsms_context(a, m);
	news_to(a, r, &w);
	char h[256], q[256];
	rl_reason(a, "%s %s between host %s and equipment %s: %s (baseline taken %s)", sf,
		  m->gem ? m->gem->name : "", rl_who(&ep[host_i], h, sizeof(h), r->pol),
		  rl_who(&ep[1 - host_i], q, sizeof(q), r->pol), w.text, r->pol->baseline.taken);
	rl_raise_alert(r, a, news_key(&w));
}

static bool in_ranges(const struct addr_range *rg, size_t n, uint32_t lo, uint32_t hi)
{
	for (size_t i = 0; i < n; i++)
		if (lo >= rg[i].lo && hi <= rg[i].hi)
			return true;
	return false;
}

void rl_baseline_modbus(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			const struct modbus_pdu *pd, int cli, int64_t sec, uint32_t usec)
{
	if (!pd->request || !r->set[R_BASELINE_MODBUS].enabled)
		return;
	int e = entry_of(r, rf, v, cli, false);
	const struct policy_baseline_modbus *b = e > 0 ? &r->pol->baseline.modbus[e - 1] : NULL;
	struct news w = { .len = 0 };
	uint32_t lo = 0, hi = 0;
	if (!b) {
		news_add(&w, "no baseline for this client and server");
	} else {
		if (!(b->functions[pd->function / 8] & (1u << (pd->function % 8))))
			news_add(&w, "new function %u (%s)", pd->function,
				 pd->function_name ? pd->function_name : "?");
		if (pd->access == MODBUS_ACCESS_WRITE && modbus_write_span(pd, &lo, &hi) &&
		    !in_ranges(b->writes, b->nwrites, lo, hi))
			news_add(&w, "new register range written %u-%u", lo, hi);
		if (pd->access == MODBUS_ACCESS_READ && modbus_read_span(pd, &lo, &hi) &&
		    !in_ranges(b->reads, b->nreads, lo, hi))
			news_add(&w, "new register range read %u-%u", lo, hi);
	}
	if (!w.n)
		return;
	struct ep ep[2];
	rl_resolve_ends(r, rf, v, ep);
	struct alert *a = rl_begin(r, R_BASELINE_MODBUS, v, ep, sec, usec);
	rl_modbus_context(a, pd);
	news_to(a, r, &w);
	char c[256], s[256];
	rl_reason(a, "%s (function %u) from %s to %s unit %u: %s (baseline taken %s)",
		  pd->function_name ? pd->function_name : "?", pd->function,
		  rl_who(&ep[cli], c, sizeof(c), r->pol), rl_who(&ep[1 - cli], s, sizeof(s), r->pol),
		  pd->unit_id, w.text, r->pol->baseline.taken);
	rl_raise_alert(r, a, news_key(&w));
}
