/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon learn`: the behaviour baseline (learn_baseline.h). Learning is an
 * offline run over a site's captures: pairs are looked up linearly, lists
 * grow as needed up to the caps below. */
#include "rules/learn_baseline.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/gem.h"
#include "dissectors/hsms.h"
#include "dissectors/modbus.h"
#include "util/rfc3339.h"
#include "zones/policy.h"

#define MAX_SF 256
#define MAX_NAMES 256             /* per list of one pair */
#define MAX_RANGES 64
#define MAX_PAIRS 65536

struct names {
	char (*v)[POLICY_ID_LEN];
	size_t n, cap;
};

struct hpair {
	struct ip_addr host, eq;
	uint16_t sf[MAX_SF];
	size_t nsf;
	struct names rcmds, ppids, ecids;
};

struct ranges {
	struct addr_range r[MAX_RANGES];
	size_t n;
	bool any;                     /* too scattered to list: any address */
};

struct mpair {
	struct ip_addr client, server;
	uint8_t functions[32];
	struct ranges reads, writes;
};

struct learn_baseline {
	struct hpair *h;
	size_t nh, caph;
	struct mpair *m;
	size_t nm, capm;
	int64_t first_sec, last_sec;
	uint32_t first_usec, last_usec;
	bool seen;
	uint64_t dropped;
};

struct learn_baseline *learn_baseline_create(void)
{
	return calloc(1, sizeof(struct learn_baseline));
}

static void names_free(struct names *n)
{
	free(n->v);
}

void learn_baseline_destroy(struct learn_baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nh; i++) {
		names_free(&b->h[i].rcmds);
		names_free(&b->h[i].ppids);
		names_free(&b->h[i].ecids);
	}
	free(b->h);
	free(b->m);
	free(b);
}

void learn_baseline_counts(const struct learn_baseline *b, uint64_t *pairs, uint64_t *dropped)
{
	*pairs = b->nh + b->nm;
	*dropped = b->dropped;
}

static void saw(struct learn_baseline *b, int64_t sec, uint32_t usec)
{
	if (!b->seen || sec < b->first_sec || (sec == b->first_sec && usec < b->first_usec)) {
		b->first_sec = sec;
		b->first_usec = usec;
	}
	if (!b->seen || sec > b->last_sec || (sec == b->last_sec && usec > b->last_usec)) {
		b->last_sec = sec;
		b->last_usec = usec;
	}
	b->seen = true;
}

/* Grow *arr (of *cap elements of size sz) to hold one more; false: no room. */
static bool grow(void **arr, size_t *cap, size_t n, size_t sz, size_t max)
{
	if (n < *cap)
		return true;
	if (n >= max)
		return false;
	size_t nc = *cap ? *cap * 2 : 8;
	void *p = realloc(*arr, nc * sz);
	if (!p)
		return false;
	memset((char *)p + *cap * sz, 0, (nc - *cap) * sz);
	*arr = p;
	*cap = nc;
	return true;
}

/* A name the policy can hold as it came: printable ASCII (YAML reads an
 * escaped byte back as a character of two or more UTF-8 bytes, which would
 * neither fit nor match). Any other is left out, so detection names it. */
static bool plain_name(const char *s)
{
	size_t n = 0;
	for (; *s; s++, n++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return n && n < POLICY_ID_LEN;
}

static void add_name(struct learn_baseline *b, struct names *n, const char *s)
{
	if (!plain_name(s)) {
		b->dropped += *s != 0;
		return;
	}
	for (size_t i = 0; i < n->n; i++)
		if (!strcmp(n->v[i], s))
			return;
	void *arr = n->v;
	if (!grow(&arr, &n->cap, n->n, sizeof(*n->v), MAX_NAMES)) {
		b->dropped++;
		return;
	}
	n->v = arr;
	snprintf(n->v[n->n++], POLICY_ID_LEN, "%s", s);
}

static void add_list(struct learn_baseline *b, struct names *n, const char *list)
{
	char item[POLICY_ID_LEN];
	for (const char *s = list; *s;) {
		size_t k = strcspn(s, ",");
		if (k && k < sizeof(item)) {
			memcpy(item, s, k);
			item[k] = '\0';
			add_name(b, n, item);
		}
		s += k + (s[k] == ',');
	}
}

bool learn_range_add(struct addr_range *r, size_t *n, size_t max, uint32_t lo, uint32_t hi)
{
	hi = hi > 65535 ? 65535 : hi;
	for (size_t i = 0; i < *n;) {
		struct addr_range *x = &r[i];
		if (lo <= (uint32_t)x->hi + 1 && (uint32_t)x->lo <= hi + 1) {
			lo = lo < x->lo ? lo : x->lo;
			hi = hi > x->hi ? hi : x->hi;
			r[i] = r[--*n];
			i = 0;
			continue;
		}
		i++;
	}
	if (*n >= max)
		return false;
	r[(*n)++] = (struct addr_range){ (uint16_t)lo, (uint16_t)hi };
	return true;
}

static void add_range(struct learn_baseline *b, struct ranges *r, uint32_t lo, uint32_t hi)
{
	if (!r->any && !learn_range_add(r->r, &r->n, MAX_RANGES, lo, hi)) {
		r->any = true; /* too scattered to list: any address */
		b->dropped++;
	}
}

static struct hpair *hpair_of(struct learn_baseline *b, const struct ip_addr *host,
			      const struct ip_addr *eq)
{
	for (size_t i = 0; i < b->nh; i++)
		if (!ip_addr_cmp(&b->h[i].host, host) && !ip_addr_cmp(&b->h[i].eq, eq))
			return &b->h[i];
	void *arr = b->h;
	if (!grow(&arr, &b->caph, b->nh, sizeof(*b->h), MAX_PAIRS)) {
		b->dropped++;
		return NULL;
	}
	b->h = arr;
	struct hpair *p = &b->h[b->nh++];
	memset(p, 0, sizeof(*p));
	p->host = *host;
	p->eq = *eq;
	return p;
}

static struct mpair *mpair_of(struct learn_baseline *b, const struct ip_addr *client,
			      const struct ip_addr *server)
{
	for (size_t i = 0; i < b->nm; i++)
		if (!ip_addr_cmp(&b->m[i].client, client) && !ip_addr_cmp(&b->m[i].server, server))
			return &b->m[i];
	void *arr = b->m;
	if (!grow(&arr, &b->capm, b->nm, sizeof(*b->m), MAX_PAIRS)) {
		b->dropped++;
		return NULL;
	}
	b->m = arr;
	struct mpair *p = &b->m[b->nm++];
	memset(p, 0, sizeof(*p));
	p->client = *client;
	p->server = *server;
	return p;
}

void learn_baseline_hsms(struct learn_baseline *b, const struct ip_addr *host,
			 const struct ip_addr *equipment, const struct hsms_message *m, int64_t sec,
			 uint32_t usec)
{
	/* primary messages, as detection checks them (engine_baseline.c) */
	if (m->stype != HSMS_DATA || m->function == 0 || !(m->function & 1))
		return;
	struct hpair *p = hpair_of(b, host, equipment);
	if (!p)
		return;
	saw(b, sec, usec);
	uint16_t key = (uint16_t)(m->stream << 8 | m->function);
	bool have = false;
	for (size_t i = 0; i < p->nsf && !have; i++)
		have = p->sf[i] == key;
	if (!have && p->nsf < MAX_SF)
		p->sf[p->nsf++] = key;
	else if (!have)
		b->dropped++;
	const struct gem_field *f;
	const struct gem_fields *g = hsms_message_fields(m);
	if (!g)
		return;
	if (m->sender == HSMS_ROLE_HOST && (f = gem_field(g, "rcmd")) && !f->numeric)
		add_name(b, &p->rcmds, f->text);
	if ((f = gem_field(g, "ppid")) && !f->numeric)
		add_name(b, &p->ppids, f->text);
	if (m->stream == 2 && m->function == 15 && (f = gem_field(g, "ecids")))
		add_list(b, &p->ecids, f->text);
}

void learn_baseline_modbus(struct learn_baseline *b, const struct ip_addr *client,
			   const struct ip_addr *server, const struct modbus_pdu *pd, int64_t sec,
			   uint32_t usec)
{
	if (!pd->request)
		return;
	struct mpair *p = mpair_of(b, client, server);
	if (!p)
		return;
	saw(b, sec, usec);
	p->functions[pd->function / 8] |= (uint8_t)(1u << (pd->function % 8));
	uint32_t lo, hi;
	if (pd->access == MODBUS_ACCESS_WRITE && modbus_write_span(pd, &lo, &hi))
		add_range(b, &p->writes, lo, hi);
	else if (pd->access == MODBUS_ACCESS_READ && modbus_read_span(pd, &lo, &hi))
		add_range(b, &p->reads, lo, hi);
}

/* ---------- the YAML ---------- */

/* A double-quoted YAML string: quotes, backslashes and control bytes
 * escaped (names come off the wire). */
static void yq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void yaml_names(FILE *f, const char *key, const struct names *n)
{
	if (!n->n)
		return;
	fprintf(f, "      %s: [", key);
	for (size_t i = 0; i < n->n; i++) {
		fputs(i ? ", " : "", f);
		yq(f, n->v[i]);
	}
	fputs("]\n", f);
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int cmp_range(const void *a, const void *b)
{
	return (int)((const struct addr_range *)a)->lo - (int)((const struct addr_range *)b)->lo;
}

static void yaml_ranges(FILE *f, const char *key, const struct ranges *r)
{
	if (!r->n && !r->any)
		return;
	struct addr_range sorted[MAX_RANGES];
	memcpy(sorted, r->r, r->n * sizeof(*sorted));
	qsort(sorted, r->n, sizeof(*sorted), cmp_range);
	fprintf(f, "      %s: [", key);
	if (r->any)
		fputs("\"0-65535\"", f); /* too scattered to list */
	for (size_t i = 0; !r->any && i < r->n; i++) {
		if (sorted[i].lo == sorted[i].hi)
			fprintf(f, "%s\"%u\"", i ? ", " : "", sorted[i].lo);
		else
			fprintf(f, "%s\"%u-%u\"", i ? ", " : "", sorted[i].lo, sorted[i].hi);
	}
	fputs("]\n", f);
}

/* An address as a YAML scalar (IPv6 quoted: "0:7600::" ends in a colon). */
static void yaml_addr(FILE *f, const char *key, const struct ip_addr *a)
{
	char s[IP_ADDR_STRLEN];
	ip_addr_str(a, s, sizeof(s));
	bool v6 = strchr(s, ':') != NULL;
	fprintf(f, "%s: %s%s%s", key, v6 ? "\"" : "", s, v6 ? "\"" : "");
}

bool learn_baseline_yaml(const struct learn_baseline *b, FILE *f)
{
	if (!b->nh && !b->nm)
		return true;
	char t0[40], t1[40];
	rfc3339_eve(b->first_sec, b->first_usec, t0);
	rfc3339_eve(b->last_sec, b->last_usec, t1);
	fputs("\n# What each host pair did while learning: detection raises FAB-BL-001\n"
	      "# (SECS/GEM) and FAB-BL-002 (Modbus) for anything else. Review it: a\n"
	      "# command or recipe seen once may not belong here.\n", f);
	if (b->dropped)
		fprintf(f, "# %" PRIu64 " observations did not fit (too many names or ranges for "
			"one pair): they are left out, so detection will name them.\n", b->dropped);
	fprintf(f, "baseline:\n  taken: \"%s .. %s\"\n", t0, t1);
	if (b->nh)
		fputs("  hsms:\n", f);
	for (size_t i = 0; i < b->nh; i++) {
		const struct hpair *p = &b->h[i];
		uint16_t sf[MAX_SF];
		memcpy(sf, p->sf, p->nsf * sizeof(*sf));
		qsort(sf, p->nsf, sizeof(*sf), cmp_u16);
		fputs("    - ", f);
		yaml_addr(f, "host", &p->host);
		fputs("\n      ", f);
		yaml_addr(f, "equipment", &p->eq);
		fputs("\n      messages: [", f);
		for (size_t k = 0; k < p->nsf; k++)
			fprintf(f, "%sS%uF%u", k ? ", " : "", sf[k] >> 8, sf[k] & 0xff);
		fputs("]\n", f);
		yaml_names(f, "rcmds", &p->rcmds);
		yaml_names(f, "ppids", &p->ppids);
		yaml_names(f, "ecids", &p->ecids);
	}
	if (b->nm)
		fputs("  modbus:\n", f);
	for (size_t i = 0; i < b->nm; i++) {
		const struct mpair *p = &b->m[i];
		fputs("    - ", f);
		yaml_addr(f, "client", &p->client);
		fputs("\n      ", f);
		yaml_addr(f, "server", &p->server);
		fputs("\n      functions: [", f);
		for (unsigned fc = 1, k = 0; fc < 256; fc++)
			if (p->functions[fc / 8] & (1u << (fc % 8)))
				fprintf(f, "%s%u", k++ ? ", " : "", fc);
		fputs("]\n", f);
		yaml_ranges(f, "reads", &p->reads);
		yaml_ranges(f, "writes", &p->writes);
	}
	return !ferror(f);
}
