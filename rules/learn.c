/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon learn`: observations to a draft policy (see learn.h). */
#include "rules/learn.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dissectors/hsms.h"
#include "dissectors/modbus.h"
#include "rules/learn_baseline.h"

#define LEARN_PORTS 16
#define LEARN_RANGES 16

struct lhost {
	struct ip_addr ip;
	uint32_t roles;
	bool ra_server;               /* someone opens remote access to it */
	char model[POLICY_ID_LEN], softrev[POLICY_ID_LEN];
	int zone;
};

struct ledge {
	int client, server;
	char app[64];
	uint8_t proto;
	bool hsms, modbus, remote_access;
	uint16_t ports[LEARN_PORTS];
	uint8_t nports;
	bool ports_overflow;
	uint8_t streams[32];
	uint8_t access;
	struct addr_range wr[LEARN_RANGES];
	size_t nwr;
	bool wr_overflow;
};

struct lzone {
	struct ip_addr prefix;
	uint8_t len;
	bool external;
	uint32_t roles;
	enum zone_area area;
	char name[POLICY_NAME_LEN];
};

struct learner {
	struct learn_config cfg;
	struct lhost *hosts;
	size_t nhosts;
	struct ledge *edges;
	size_t nedges;
	uint64_t dropped;
	uint64_t not_learned;         /* half-open attempts and flows to port 0 */
	struct lzone *zones;
	size_t nzones;
	struct learn_baseline *bl;    /* what each host pair did */
};

struct learner *learner_create(const struct learn_config *cfg)
{
	struct learner *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->cfg = *cfg;
	if (!l->cfg.v4_prefix)
		l->cfg.v4_prefix = 16;
	if (!l->cfg.v6_prefix)
		l->cfg.v6_prefix = 64;
	if (!l->cfg.max_hosts)
		l->cfg.max_hosts = 65536;
	if (!l->cfg.max_edges)
		l->cfg.max_edges = 65536;
	l->hosts = calloc(l->cfg.max_hosts, sizeof(*l->hosts));
	l->edges = calloc(l->cfg.max_edges, sizeof(*l->edges));
	l->zones = calloc(l->cfg.max_hosts, sizeof(*l->zones));
	l->bl = learn_baseline_create();
	if (!l->hosts || !l->edges || !l->zones || !l->bl) {
		learner_destroy(l);
		return NULL;
	}
	return l;
}

void learner_destroy(struct learner *l)
{
	if (!l)
		return;
	free(l->hosts);
	free(l->edges);
	free(l->zones);
	learn_baseline_destroy(l->bl);
	free(l);
}

void learner_counts(const struct learner *l, uint64_t *hosts, uint64_t *edges, uint64_t *dropped,
		    uint64_t *not_learned)
{
	*hosts = l->nhosts;
	*edges = l->nedges;
	*dropped = l->dropped;
	*not_learned = l->not_learned;
}

/* Linear lookups: learning is an offline run over a site's captures,
 * where hosts number in the hundreds or thousands. */
static int host_idx(struct learner *l, const struct ip_addr *ip)
{
	for (size_t i = 0; i < l->nhosts; i++)
		if (ip_addr_cmp(&l->hosts[i].ip, ip) == 0)
			return (int)i;
	if (l->nhosts >= l->cfg.max_hosts) {
		l->dropped++;
		return -1;
	}
	struct lhost *h = &l->hosts[l->nhosts];
	memset(h, 0, sizeof(*h));
	h->ip = *ip;
	h->zone = -1;
	return (int)l->nhosts++;
}

static bool app_in(const char *app, const char *const *names)
{
	for (const char *const *n = names; *n; n++) {
		const char *dot = strchr(app, '.');
		if (!strcasecmp(app, *n) || (dot && !strcasecmp(dot + 1, *n)))
			return true;
	}
	return false;
}

static struct ledge *edge_get(struct learner *l, const struct rules_flow_view *v)
{
	int c = host_idx(l, &v->addr[0]), s = host_idx(l, &v->addr[1]);
	if (c < 0 || s < 0)
		return NULL;
	const char *app = v->app && *v->app ? v->app : "Unknown";
	for (size_t i = 0; i < l->nedges; i++) {
		struct ledge *e = &l->edges[i];
		if (e->client == c && e->server == s && e->proto == v->proto && !strcmp(e->app, app))
			return e;
	}
	if (l->nedges >= l->cfg.max_edges) {
		l->dropped++;
		return NULL;
	}
	struct ledge *e = &l->edges[l->nedges++];
	memset(e, 0, sizeof(*e));
	e->client = c;
	e->server = s;
	e->proto = v->proto;
	snprintf(e->app, sizeof(e->app), "%s", app);
	e->hsms = !strcmp(app, "hsms");
	e->modbus = !strcmp(app, "modbus");
	static const char *const ra[] = { "RDP", "VNC", "SSH", "Telnet", "TeamViewer", "AnyDesk", NULL };
	e->remote_access = app_in(app, ra);
	return e;
}

void learner_flow(struct learner *l, const struct rules_flow_view *v)
{
	bool ports = v->proto == 6 || v->proto == 17 || v->proto == 132;
	/* Not learned: a half-open attempt (nobody talked: a scan or a flood
	 * must not become a conduit of the draft), and a flow to port 0 (no
	 * service listens there, and a policy cannot name it: found by
	 * fuzz-learn-yaml). Enforcing the draft then alerts on them. */
	if (v->half_open || (ports && v->port[1] == 0)) {
		l->not_learned++;
		return;
	}
	struct ledge *e = edge_get(l, v);
	if (!e)
		return;
	if (ports && !e->ports_overflow) {
		bool have = false;
		for (unsigned i = 0; i < e->nports; i++)
			have |= e->ports[i] == v->port[1];
		if (!have && e->nports < LEARN_PORTS)
			e->ports[e->nports++] = v->port[1];
		else if (!have)
			e->ports_overflow = true;
	}
	if (e->remote_access)
		l->hosts[e->server].ra_server = true;
	static const char *const dns[] = { "DNS", NULL }, *const ntp[] = { "NTP", NULL },
				 *const smb[] = { "SMBv1", "SMBv23", NULL };
	if (app_in(e->app, dns))
		l->hosts[e->server].roles |= ROLE_BIT(ROLE_DNS_SERVER);
	if (app_in(e->app, ntp))
		l->hosts[e->server].roles |= ROLE_BIT(ROLE_NTP_SERVER);
	if (app_in(e->app, smb))
		l->hosts[e->server].roles |= ROLE_BIT(ROLE_FILE_SERVER);
}

static void add_range(struct ledge *e, uint32_t lo, uint32_t hi)
{
	if (!learn_range_add(e->wr, &e->nwr, LEARN_RANGES, lo, hi))
		e->wr_overflow = true; /* too scattered: allow any address */
}

void learner_event(struct learner *l, const struct rules_flow_view *v, const struct app_event *ev,
		   int64_t sec, uint32_t usec)
{
	switch (ev->kind) {
	case APP_EVENT_HSMS: {
		const struct hsms_message *m = ev->body;
		if (m->stype != HSMS_DATA && m->stype != HSMS_SELECT_REQ)
			return;
		int host_i = (m->sender == HSMS_ROLE_HOST) == (m->dir == 0) ? 0 : 1;
		int h = host_idx(l, &v->addr[host_i]), q = host_idx(l, &v->addr[1 - host_i]);
		if (h >= 0)
			l->hosts[h].roles |= ROLE_BIT(ROLE_EQUIPMENT_HOST);
		if (q >= 0)
			l->hosts[q].roles |= ROLE_BIT(ROLE_EQUIPMENT);
		struct ledge *e = m->stype == HSMS_DATA ? edge_get(l, v) : NULL;
		if (e)
			e->streams[m->stream / 8] |= (uint8_t)(1u << (m->stream % 8));
		learn_baseline_hsms(l->bl, &v->addr[host_i], &v->addr[1 - host_i], m, sec, usec);
		return;
	}
	case APP_EVENT_MODBUS: {
		const struct modbus_pdu *p = ev->body;
		if (!p->request)
			return;
		int c = host_idx(l, &v->addr[p->dir]), s = host_idx(l, &v->addr[1 - p->dir]);
		if (c >= 0)
			l->hosts[c].roles |= ROLE_BIT(ROLE_SCADA);
		if (s >= 0)
			l->hosts[s].roles |= ROLE_BIT(ROLE_CONTROLLER);
		learn_baseline_modbus(l->bl, &v->addr[p->dir], &v->addr[1 - p->dir], p, sec, usec);
		struct ledge *e = edge_get(l, v);
		if (!e)
			return;
		e->access |= (uint8_t)(1u << p->access);
		if (p->access != MODBUS_ACCESS_WRITE)
			return;
		uint32_t lo, hi;
		if (!modbus_write_span(p, &lo, &hi)) {
			e->wr_overflow = true;
			return;
		}
		add_range(e, lo, hi);
		return;
	}
	case APP_EVENT_HSMS_ASSET: {
		const struct hsms_asset_event *a = ev->body;
		int h = host_idx(l, &a->eq->addr);
		if (h >= 0 && a->eq->identified) {
			snprintf(l->hosts[h].model, sizeof(l->hosts[h].model), "%s", a->eq->mdln);
			snprintf(l->hosts[h].softrev, sizeof(l->hosts[h].softrev), "%s", a->eq->softrev);
		}
		return;
	}
	case APP_EVENT_MODBUS_ASSET: {
		const struct modbus_asset_event *a = ev->body;
		const struct modbus_device *d = a->dev;
		int h = host_idx(l, &d->addr);
		if (h >= 0 && d->identified) {
			/* identity strings are cut to the policy's length */
			const char *model = d->product_code[0] ? d->product_code : d->model_name;
			size_t ml = strnlen(model, POLICY_ID_LEN - 1), rl = strnlen(d->revision, POLICY_ID_LEN - 1);
			memcpy(l->hosts[h].model, model, ml);
			l->hosts[h].model[ml] = '\0';
			memcpy(l->hosts[h].softrev, d->revision, rl);
			l->hosts[h].softrev[rl] = '\0';
		}
		return;
	}
	default:
		return;
	}
}

/* ---------- the draft ---------- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3)))
static void sb(struct sbuf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0 || b->oom)
			return;
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t nc = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
		char *np = realloc(b->p, nc);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
}

#define FAB_ROLES (ROLE_BIT(ROLE_EQUIPMENT) | ROLE_BIT(ROLE_CONTROLLER) | ROLE_BIT(ROLE_AMHS))
/* roles that make a subnet the fab system area (DNS, NTP and file
 * servers exist in every area and decide nothing) */
#define SYSTEM_ROLES                                                                               \
	(ROLE_BIT(ROLE_EQUIPMENT_HOST) | ROLE_BIT(ROLE_SCADA) | ROLE_BIT(ROLE_RECIPE_SERVER) |     \
	 ROLE_BIT(ROLE_MES) | ROLE_BIT(ROLE_MCS) | ROLE_BIT(ROLE_FDC) |                            \
	 ROLE_BIT(ROLE_ENGINEERING_WORKSTATION))

static void mask_prefix(struct ip_addr *a, unsigned len)
{
	for (size_t i = 0; i < ip_addr_len(a); i++) {
		long bits = (long)len - (long)i * 8;
		if (bits < 8)
			a->a[i] &= (uint8_t)(bits <= 0 ? 0 : 0xff00u >> bits);
	}
}

static void infer_remote_access_roles(struct learner *l)
{
	for (size_t i = 0; i < l->nedges; i++) {
		const struct ledge *e = &l->edges[i];
		if (!e->remote_access || !(l->hosts[e->server].roles & FAB_ROLES))
			continue;
		struct lhost *c = &l->hosts[e->client];
		/* reached by remote access itself, and goes on into the fab: a jump host */
		c->roles |= c->ra_server ? ROLE_BIT(ROLE_JUMP_HOST)
					 : ROLE_BIT(ROLE_ENGINEERING_WORKSTATION);
	}
}

static void build_zones(struct learner *l)
{
	/* the internet is always a zone: hosts there are placed, not unknown */
	l->nzones = 1;
	memset(&l->zones[0], 0, sizeof(l->zones[0]));
	l->zones[0].external = true;
	for (size_t i = 0; i < l->nhosts; i++) {
		struct lhost *h = &l->hosts[i];
		bool ext = ip_addr_is_public(&h->ip);
		struct ip_addr pfx = h->ip;
		unsigned len = h->ip.family == 4 ? l->cfg.v4_prefix : l->cfg.v6_prefix;
		mask_prefix(&pfx, len);
		size_t z;
		for (z = 0; z < l->nzones; z++)
			if (ext ? l->zones[z].external
				: (!l->zones[z].external && ip_addr_cmp(&l->zones[z].prefix, &pfx) == 0))
				break;
		if (z == l->nzones) {
			struct lzone *nz = &l->zones[l->nzones++];
			memset(nz, 0, sizeof(*nz));
			nz->prefix = pfx;
			nz->len = (uint8_t)len;
			nz->external = ext;
		}
		h->zone = (int)z;
		l->zones[z].roles |= h->roles;
	}
	for (size_t z = 0; z < l->nzones; z++) {
		struct lzone *zn = &l->zones[z];
		const char *kind;
		if (zn->external) {
			zn->area = AREA_EXTERNAL;
			snprintf(zn->name, sizeof(zn->name), "external");
			continue;
		}
		if (zn->roles & FAB_ROLES) {
			zn->area = AREA_FAB;
			kind = "fab-area";
		} else if (zn->roles & SYSTEM_ROLES) {
			zn->area = AREA_FAB_SYSTEM;
			kind = "fab-system";
		} else if (zn->roles & (ROLE_BIT(ROLE_JUMP_HOST) | ROLE_BIT(ROLE_PATCH_SERVER))) {
			zn->area = AREA_DMZ;
			kind = "it-ot-dmz";
		} else {
			zn->area = AREA_ENTERPRISE;
			kind = "enterprise";
		}
		char ip[IP_ADDR_STRLEN];
		ip_addr_str(&zn->prefix, ip, sizeof(ip));
		/* "10.30.0.0" -> "10-30" for a /16: the significant part */
		char tag[IP_ADDR_STRLEN];
		size_t t = 0;
		unsigned keep = zn->prefix.family == 4 ? (zn->len + 7) / 8 : 0, seen = 0;
		for (const char *c = ip; *c && t + 1 < sizeof(tag); c++) {
			if (*c == '.' || *c == ':') {
				if (zn->prefix.family == 4 && ++seen >= keep)
					break;
				tag[t++] = '-';
			} else {
				tag[t++] = *c;
			}
		}
		while (t && tag[t - 1] == '-')
			t--;
		tag[t] = '\0';
		snprintf(zn->name, sizeof(zn->name), "%s-%s", kind, tag);
	}
}

/* Purdue level * 10 */
static const int purdue_of_area[AREA_COUNT] = {
	[AREA_FAB] = 20, [AREA_FAB_SYSTEM] = 30, [AREA_DMZ] = 35, [AREA_ENTERPRISE] = 40,
	[AREA_EXTERNAL] = 50,
};

static void yaml_roles(struct sbuf *b, uint32_t roles)
{
	sb(b, "[");
	bool first = true;
	for (int r = 0; r < ROLE_COUNT; r++)
		if (roles & ROLE_BIT(r)) {
			sb(b, "%s%s", first ? "" : ", ", policy_role_name((enum host_role)r));
			first = false;
		}
	sb(b, "]");
}

/* A YAML double-quoted string (identity strings come off the wire). */
static void yaml_str(struct sbuf *b, const char *s)
{
	sb(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sb(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sb(b, "\\x%02x", c);
		else
			sb(b, "%c", c);
	}
	sb(b, "\"");
}

static void host_name(const struct learner *l, const struct lhost *h, char *out, size_t len)
{
	const char *role = "host";
	static const enum host_role order[] = { ROLE_EQUIPMENT, ROLE_CONTROLLER, ROLE_JUMP_HOST,
						ROLE_EQUIPMENT_HOST, ROLE_SCADA,
						ROLE_ENGINEERING_WORKSTATION, ROLE_DNS_SERVER,
						ROLE_NTP_SERVER, ROLE_FILE_SERVER };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (h->roles & ROLE_BIT(order[i])) {
			role = policy_role_name(order[i]);
			break;
		}
	char ip[IP_ADDR_STRLEN];
	ip_addr_str(&h->ip, ip, sizeof(ip));
	for (char *c = ip; *c; c++)
		if (*c == '.' || *c == ':')
			*c = '-';
	(void)l;
	snprintf(out, len, "%s-%s", role, ip);
}

static bool edge_in_conduit(const struct learner *l, const struct ledge *e)
{
	int zc = l->hosts[e->client].zone, zs = l->hosts[e->server].zone;
	return zc != zs || e->hsms;
}

static void write_allow(struct learner *l, struct sbuf *b, const struct ledge *e)
{
	const struct lhost *c = &l->hosts[e->client];
	sb(b, "      - app: ");
	yaml_str(b, e->app);
	sb(b, "\n");
	if (e->nports && !e->ports_overflow) {
		sb(b, "        ports: [");
		for (unsigned i = 0; i < e->nports; i++)
			sb(b, "%s%u", i ? ", " : "", e->ports[i]);
		sb(b, "]\n");
	}
	uint32_t init = c->roles;
	if (e->hsms)
		init |= l->hosts[e->server].roles & ROLE_BIT(ROLE_EQUIPMENT_HOST);
	if (init) {
		sb(b, "        initiators: ");
		yaml_roles(b, init);
		sb(b, "\n");
	}
	if (e->hsms) {
		bool any = false;
		for (int s = 0; s < 256; s++)
			any |= (e->streams[s / 8] >> (s % 8)) & 1;
		if (any) {
			sb(b, "        messages: [");
			bool first = true;
			for (int s = 0; s < 256; s++)
				if ((e->streams[s / 8] >> (s % 8)) & 1) {
					sb(b, "%sS%d", first ? "" : ", ", s);
					first = false;
				}
			sb(b, "]\n");
		}
	}
	if (e->modbus && e->access) {
		sb(b, "        access: [");
		bool first = true;
		for (int a = 0; a < MODBUS_ACCESS_COUNT; a++)
			if (e->access & (1u << a)) {
				sb(b, "%s%s", first ? "" : ", ", modbus_access_name((enum modbus_access)a));
				first = false;
			}
		sb(b, "]\n");
		if ((e->access & (1u << MODBUS_ACCESS_WRITE)) && e->nwr && !e->wr_overflow) {
			sb(b, "        addresses: [");
			for (unsigned i = 0; i < e->nwr; i++) {
				if (e->wr[i].lo == e->wr[i].hi)
					sb(b, "%s%u", i ? ", " : "", e->wr[i].lo);
				else
					sb(b, "%s\"%u-%u\"", i ? ", " : "", e->wr[i].lo, e->wr[i].hi);
			}
			sb(b, "]\n");
		}
	}
}

/* Entries of one conduit merge edges of the same app and initiator roles. */
static void merge_edge(struct ledge *into, const struct ledge *e)
{
	for (unsigned i = 0; i < e->nports; i++) {
		bool have = false;
		for (unsigned k = 0; k < into->nports; k++)
			have |= into->ports[k] == e->ports[i];
		if (!have && into->nports < LEARN_PORTS)
			into->ports[into->nports++] = e->ports[i];
		else if (!have)
			into->ports_overflow = true;
	}
	into->ports_overflow |= e->ports_overflow;
	for (int s = 0; s < 32; s++)
		into->streams[s] |= e->streams[s];
	into->access |= e->access;
	for (unsigned i = 0; i < e->nwr; i++)
		add_range(into, e->wr[i].lo, e->wr[i].hi);
	into->wr_overflow |= e->wr_overflow;
}

char *learner_policy_yaml(struct learner *l, const char *origin)
{
	infer_remote_access_roles(l);
	build_zones(l);
	struct sbuf b = { 0 };
	/* the origin (a capture's path) sits in a comment: a control
	 * character there (a newline in a file name) would end it */
	char safe[512];
	size_t n = 0;
	for (const char *c = origin; *c && n + 1 < sizeof(safe); c++)
		safe[n++] = (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c;
	safe[n] = '\0';
	sb(&b, "# Draft policy written by `fabmon learn` from %s.\n", safe);
	sb(&b, "# %zu hosts, %zu zones, %zu host pairs/applications observed.\n", l->nhosts,
	   l->nzones, l->nedges);
	sb(&b, "# Review it: name the zones and hosts, check every role and conduit\n"
	       "# against the fab's design (METI areas, IEC 62443-3-2 ZCR 3), widen the\n"
	       "# networks where a zone has more addresses than were seen, then enforce it\n"
	       "# with `fabmon -c FILE`. `fabmon check-policy FILE` prints it as a table.\n");
	sb(&b, "version: 1\nname: learned\ndefault_action: deny\n\nzones:\n");
	for (size_t z = 0; z < l->nzones; z++) {
		const struct lzone *zn = &l->zones[z];
		char pd[24], ip[IP_ADDR_STRLEN];
		sb(&b, "  - name: %s\n    purdue: %s\n    area: %s\n", zn->name,
		   policy_purdue_str(purdue_of_area[zn->area], pd),
		   policy_area_name(zn->area));
		if (zn->external)
			sb(&b, "    networks: [public]\n");
		else
			sb(&b, "    networks: [\"%s/%u\"]\n", ip_addr_str(&zn->prefix, ip, sizeof(ip)),
			   zn->len);
		if (zn->area == AREA_FAB || zn->area == AREA_FAB_SYSTEM || zn->area == AREA_DMZ)
			sb(&b, "    inventory: closed   # hosts not listed below are alerted\n");
	}
	sb(&b, "\nhosts:\n");
	size_t listed = 0;
	for (size_t i = 0; i < l->nhosts; i++) {
		const struct lhost *h = &l->hosts[i];
		enum zone_area area = l->zones[h->zone].area;
		if (!h->roles && !(area == AREA_FAB || area == AREA_FAB_SYSTEM || area == AREA_DMZ))
			continue;
		char name[POLICY_NAME_LEN], ip[IP_ADDR_STRLEN];
		host_name(l, h, name, sizeof(name));
		ip_addr_str(&h->ip, ip, sizeof(ip));
		/* an IPv6 address is quoted: a plain "0:7600::" ends in a
		 * colon, which YAML reads as a mapping (found by fuzz-learn-yaml) */
		bool v6 = strchr(ip, ':') != NULL;
		sb(&b, "  - name: %s\n    address: %s%s%s\n    roles: ", name, v6 ? "\"" : "", ip,
		   v6 ? "\"" : "");
		yaml_roles(&b, h->roles);
		sb(&b, "\n");
		if (h->model[0]) {
			sb(&b, "    model: ");
			yaml_str(&b, h->model);
			sb(&b, "\n");
		}
		if (h->softrev[0]) {
			sb(&b, "    softrev: ");
			yaml_str(&b, h->softrev);
			sb(&b, "\n");
		}
		listed++;
	}
	if (!listed)
		sb(&b, "  []\n");
	sb(&b, "\nconduits:\n");
	size_t nconduits = 0;
	bool *done = calloc(l->nedges ? l->nedges : 1, sizeof(*done));
	if (!done) {
		free(b.p);
		return NULL;
	}
	for (size_t i = 0; i < l->nedges; i++) {
		if (done[i] || !edge_in_conduit(l, &l->edges[i]))
			continue;
		int zc = l->hosts[l->edges[i].client].zone, zs = l->hosts[l->edges[i].server].zone;
		enum zone_area ac = l->zones[zc].area, as = l->zones[zs].area;
		bool fab_c = ac == AREA_FAB || ac == AREA_FAB_SYSTEM, fab_s = as == AREA_FAB || as == AREA_FAB_SYSTEM;
		if (fab_c && as == AREA_EXTERNAL)
			sb(&b, "  # REVIEW: observed, but the guideline forbids it: a fab zone reaching the\n"
			       "  # internet (METI fab area; CSF PR.IR-01). Remove it to have it alerted.\n");
		if ((ac == AREA_ENTERPRISE || ac == AREA_EXTERNAL) && fab_s)
			sb(&b, "  # REVIEW: observed, but the guideline forbids it: %s straight into a fab\n"
			       "  # zone, bypassing the IT/OT DMZ (62443-3-3 SR 5.1). Remove it to have it alerted.\n",
			   policy_area_name(ac));
		/* "<from>-to-<to>", or "conduit-N" when that is longer than a
		 * policy name may be (zones named after IPv6 prefixes; found by
		 * fuzz-learn-yaml): from and to still say which zones */
		char cname[POLICY_NAME_LEN];
		int cn = snprintf(cname, sizeof(cname), "%s-to-%s", l->zones[zc].name,
				  l->zones[zs].name);
		if (cn < 0 || (size_t)cn >= sizeof(cname))
			snprintf(cname, sizeof(cname), "conduit-%zu", nconduits + 1);
		sb(&b, "  - name: %s\n    from: %s\n    to: %s\n    allow:\n", cname,
		   l->zones[zc].name, l->zones[zs].name);
		nconduits++;
		for (size_t k = i; k < l->nedges; k++) {
			struct ledge *e = &l->edges[k];
			if (done[k] || !edge_in_conduit(l, e) || l->hosts[e->client].zone != zc ||
			    l->hosts[e->server].zone != zs)
				continue;
			/* merge edges with the same app and initiators into one entry */
			struct ledge m = *e;
			done[k] = true;
			for (size_t j = k + 1; j < l->nedges; j++) {
				struct ledge *o = &l->edges[j];
				if (done[j] || !edge_in_conduit(l, o) || l->hosts[o->client].zone != zc ||
				    l->hosts[o->server].zone != zs || strcmp(o->app, e->app) ||
				    l->hosts[o->client].roles != l->hosts[e->client].roles)
					continue;
				merge_edge(&m, o);
				done[j] = true;
			}
			write_allow(l, &b, &m);
		}
	}
	free(done);
	if (!nconduits)
		sb(&b, "  []\n");
	char *bl = NULL;
	size_t bl_len = 0;
	FILE *mf = open_memstream(&bl, &bl_len);
	if (!mf || !learn_baseline_yaml(l->bl, mf) || fclose(mf) != 0)
		b.oom = true;
	else if (bl_len)
		sb(&b, "%s", bl);
	free(bl);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *learner_baseline_for(struct learner *l, const char *policy_text, const char *origin)
{
	char *out = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&out, &len);
	if (!mf)
		return NULL;
	fputs(policy_text, mf);
	if (len && out[len - 1] != '\n')
		fputc('\n', mf);
	char safe[512];
	size_t n = 0;
	for (const char *c = origin; *c && n + 1 < sizeof(safe); c++)
		safe[n++] = (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c;
	safe[n] = '\0';
	fprintf(mf, "\n# Baseline added by `fabmon learn` from %s, from the flows this policy\n"
		    "# allows (nothing is learned from flows that broke a conduit).\n", safe);
	bool ok = learn_baseline_yaml(l->bl, mf);
	if (fclose(mf) != 0 || !ok) {
		free(out);
		return NULL;
	}
	return out;
}
